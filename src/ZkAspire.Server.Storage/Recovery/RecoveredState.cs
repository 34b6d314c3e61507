// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Core;

namespace ZkAspire.Server.Storage;

/// <summary>What <see cref="StorageRecovery.Recover"/> rebuilt from the data directory.</summary>
public sealed class RecoveredState
{
    internal RecoveredState(ReplicaRecovery recovery, string? snapshotPath, string summary, IReadOnlyList<string> messages, bool snapshotRecommended)
    {
        Recovery = recovery;
        SnapshotPath = snapshotPath;
        Summary = summary;
        Messages = messages;
        SnapshotRecommended = snapshotRecommended;
    }

    /// <summary>Gets the rebuilt state; <see cref="ReplicaRecovery.CreateReplica"/> makes the replica, with the <see cref="FileTxnLog"/> as its persistence.</summary>
    public ReplicaRecovery Recovery { get; }

    /// <summary>Gets the zxid of the last txn in the log (or the snapshot's): the replica continues after it.</summary>
    public long LastZxid => Recovery.LastZxid;

    /// <summary>Gets the snapshot loaded, or <see langword="null"/> for a log-only or new data directory.</summary>
    public string? SnapshotPath { get; }

    /// <summary>Gets one line saying what was loaded: the snapshot, the txns replayed, the last zxid, the znode and session counts (an informational log line).</summary>
    public string Summary { get; }

    /// <summary>Gets what recovery repaired or skipped that the operator should know (a torn tail truncated, a damaged snapshot skipped), one warning each; empty for a clean directory. What <see cref="ReplicaRecovery.CreateReplica"/> repairs afterwards is in <see cref="ReplicaRecovery.Warnings"/>.</summary>
    public IReadOnlyList<string> Messages { get; }

    /// <summary>
    /// Gets whether the host should take a snapshot soon after starting: no snapshot was used, a
    /// damaged one was skipped, or txns were replayed (ZooKeeper snapshots at every start).
    /// </summary>
    public bool SnapshotRecommended { get; }
}
