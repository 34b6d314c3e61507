// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

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
    int OutstandingRequests);

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
