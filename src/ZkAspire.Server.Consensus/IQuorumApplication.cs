// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus;

/// <summary>
/// What consensus asks of the application while it runs, synchronously, from inside
/// <see cref="QuorumPeer.Step"/> and <see cref="QuorumPeer.Tick"/> (like etcd raft's
/// <c>Storage.Snapshot</c>). The application must not call back into the peer from here.
/// </summary>
public interface IQuorumApplication
{
    /// <summary>
    /// Serializes the application's state as it is now: every committed txn handed out by the
    /// peer so far applied, none after. A leader sends it to a learner too far behind for a DIFF.
    /// </summary>
    /// <returns>The snapshot; its zxid is the last txn applied.</returns>
    QuorumSnapshot TakeSnapshot();

    /// <summary>
    /// What a learner tells its leader with each ping reply (ZooKeeper's learners report the
    /// sessions their clients touched, so that the leader, which owns session expiry, keeps them alive).
    /// </summary>
    /// <returns>The payload; empty for none.</returns>
    ReadOnlyMemory<byte> TakePingPayload();
}
