// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus;

/// <summary>What a server is doing in the ensemble (ZooKeeper's <c>QuorumPeer.ServerState</c>).</summary>
public enum ServerState
{
    /// <summary>Electing a leader (FastLeaderElection).</summary>
    Looking = 0,

    /// <summary>Following the elected leader as a voting member.</summary>
    Following = 1,

    /// <summary>Leading the ensemble.</summary>
    Leading = 2,

    /// <summary>Following the elected leader without a vote (an observer).</summary>
    Observing = 3,
}

/// <summary>
/// How far a server has come with its leader (ZooKeeper's <c>QuorumPeer.ZabState</c>, the phases of
/// Zab §3.3 as ZooKeeper implements them).
/// </summary>
public enum ZabPhase
{
    /// <summary>Phase 0: electing a leader.</summary>
    Election = 0,

    /// <summary>Phase 1: the leader gathers a quorum and establishes a new epoch (FOLLOWERINFO, LEADERINFO, ACKEPOCH).</summary>
    Discovery = 1,

    /// <summary>Phase 2: the leader brings learners to its history (DIFF, TRUNC or SNAP, then NEWLEADER).</summary>
    Synchronization = 2,

    /// <summary>Phase 3: the epoch is established; proposals, acks and commits flow and clients are served.</summary>
    Broadcast = 3,
}

/// <summary>Whether a server votes (ZooKeeper's <c>QuorumPeer.LearnerType</c>).</summary>
public enum LearnerType
{
    /// <summary>A voting member: it elects, acknowledges proposals and counts in every quorum.</summary>
    Participant = 0,

    /// <summary>An observer: it learns committed txns and serves clients but never votes or acks.</summary>
    Observer = 1,
}
