// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Core;

namespace ZkAspire.Server.Storage;

/// <summary>What <see cref="StorageRecovery.RecoverQuorumMember"/> found: the snapshot's state, the txns after it (not applied) and the epochs.</summary>
public sealed class QuorumRecoveredState
{
    internal QuorumRecoveredState(ReplicaRecovery recovery, IReadOnlyList<TxnLogEntry> log, int acceptedEpoch, int currentEpoch, string? snapshotPath, string summary, IReadOnlyList<string> messages)
    {
        Recovery = recovery;
        Log = log;
        AcceptedEpoch = acceptedEpoch;
        CurrentEpoch = currentEpoch;
        SnapshotPath = snapshotPath;
        Summary = summary;
        Messages = messages;
    }

    /// <summary>Gets the snapshot's state; <see cref="ReplicaRecovery.CreateQuorumMember"/> makes the replica.</summary>
    public ReplicaRecovery Recovery { get; }

    /// <summary>Gets the logged txns after the snapshot, in zxid order, not applied.</summary>
    public IReadOnlyList<TxnLogEntry> Log { get; }

    /// <summary>Gets the accepted epoch (the <c>acceptedEpoch</c> file; 0 without one).</summary>
    public int AcceptedEpoch { get; }

    /// <summary>Gets the current epoch (the <c>currentEpoch</c> file; 0 without one).</summary>
    public int CurrentEpoch { get; }

    /// <summary>Gets the zxid of the last txn on disk (logged, or the snapshot's).</summary>
    public long LastZxid => Log.Count > 0 ? Log[^1].Zxid : Recovery.SnapshotZxid;

    /// <summary>Gets the snapshot loaded, or <see langword="null"/>.</summary>
    public string? SnapshotPath { get; }

    /// <summary>Gets one line saying what was found (an informational log line).</summary>
    public string Summary { get; }

    /// <summary>Gets what recovery repaired or dropped, one warning each.</summary>
    public IReadOnlyList<string> Messages { get; }
}
