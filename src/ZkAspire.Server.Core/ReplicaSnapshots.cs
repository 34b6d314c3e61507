// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Consensus;

namespace ZkAspire.Server.Core;

/// <summary>The role a server plays, as srvr/stat/mntr report it.</summary>
public enum ServerMode
{
    /// <summary>A single server.</summary>
    Standalone,
    /// <summary>The ensemble's leader.</summary>
    Leader,
    /// <summary>A voting follower.</summary>
    Follower,
    /// <summary>A non-voting observer.</summary>
    Observer,
    /// <summary>Partitioned from its quorum, serving reads only.</summary>
    ReadOnly,
    /// <summary>A member of an ensemble that is electing a leader or synchronizing with one: it serves no client.</summary>
    Looking,
}

/// <summary>Counters of the core at one moment, for four-letter words and metrics.</summary>
/// <param name="Mode">The server's role.</param>
/// <param name="LastProcessedZxid">The zxid of the last applied transaction.</param>
/// <param name="NodeCount">The number of znodes as ZooKeeper reports it (a fresh server reports 5: the root counts twice).</param>
/// <param name="ApproximateDataSize">The sum of path lengths and data lengths of all znodes.</param>
/// <param name="EphemeralCount">The number of ephemeral znodes.</param>
/// <param name="SessionCount">The number of live sessions.</param>
/// <param name="WatchCount">
/// The number of (connection, path) registrations in the data table plus those in the child table,
/// as mntr's <c>zk_watch_count</c> (a persistent watch sits in both tables).
/// </param>
/// <param name="WatchedPathCount">The number of distinct paths in the data watch table, as wchs reports it.</param>
/// <param name="WatchingConnectionCount">The number of connections holding a data watch, as wchs reports it.</param>
/// <param name="OutstandingRequests">Requests received and not yet answered.</param>
public sealed record ReplicaStats(
    ServerMode Mode,
    long LastProcessedZxid,
    int NodeCount,
    long ApproximateDataSize,
    int EphemeralCount,
    int SessionCount,
    int WatchCount,
    int WatchedPathCount,
    int WatchingConnectionCount,
    int OutstandingRequests)
{
    /// <summary>Gets the ensemble view of a replicated server (mntr's quorum keys), or <see langword="null"/> when standalone.</summary>
    public QuorumStats? Quorum { get; init; }
}

/// <summary>What a replicated server knows of its ensemble, for srvr/stat/mntr.</summary>
/// <param name="State">LOOKING, FOLLOWING, LEADING or OBSERVING (mntr's <c>zk_peer_state</c>).</param>
/// <param name="Phase">The Zab phase.</param>
/// <param name="LeaderId">The leader, 0 while looking.</param>
/// <param name="Epoch">The epoch with that leader.</param>
/// <param name="Learners">On the leader: the learners connected (mntr's <c>zk_learners</c>).</param>
/// <param name="SyncedFollowers">On the leader: the voting followers in sync (<c>zk_synced_followers</c>).</param>
/// <param name="PendingSyncs">On the leader: learners being synchronized (<c>zk_pending_syncs</c>).</param>
/// <param name="QuorumSyncs">On the leader: sync requests waiting for a quorum round.</param>
/// <param name="LastLoggedZxid">The last zxid in the log.</param>
/// <param name="CommittedZxid">The highest zxid known committed.</param>
public sealed record QuorumStats(
    ServerState State,
    ZabPhase Phase,
    long LeaderId,
    int Epoch,
    int Learners,
    int SyncedFollowers,
    int PendingSyncs,
    int QuorumSyncs,
    long LastLoggedZxid,
    long CommittedZxid);

/// <summary>One live session, for the dump command.</summary>
/// <param name="SessionId">The session id.</param>
/// <param name="TimeoutMs">The negotiated timeout.</param>
/// <param name="ExpiresAtMs">When it expires unless heard from, in the host's milliseconds.</param>
/// <param name="Ephemerals">The paths of its ephemeral znodes.</param>
public sealed record SessionSnapshot(long SessionId, int TimeoutMs, long ExpiresAtMs, IReadOnlyList<string> Ephemerals);

/// <summary>How a watch was registered.</summary>
public enum WatchKind
{
    /// <summary>A one-shot data or exists watch.</summary>
    Data,
    /// <summary>A one-shot child watch.</summary>
    Child,
    /// <summary>A persistent watch.</summary>
    Persistent,
    /// <summary>A persistent recursive watch.</summary>
    PersistentRecursive,
}

/// <summary>One watch registration, for wchc and wchp.</summary>
/// <param name="ConnectionId">The connection holding it.</param>
/// <param name="SessionId">That connection's session.</param>
/// <param name="Path">The watched path.</param>
/// <param name="Kind">The kind of watch.</param>
public sealed record WatchSnapshot(long ConnectionId, long SessionId, string Path, WatchKind Kind);
