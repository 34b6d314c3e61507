// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// One ZooKeeper server as a pure, single-threaded state machine: it takes connection events,
/// decoded requests and ticks, and produces replies, notifications and closes through
/// <see cref="IReplicaOutput"/>. It owns the data tree, sessions, watches and ACL checks.
/// </summary>
/// <remarks>
/// No sockets, files, clocks, threads or randomness: time arrives as <c>nowMs</c> arguments
/// (milliseconds on the host's clock), so that a test can drive many replicas and clients in one
/// thread from a seed. Not thread-safe: the host calls it from one event loop.
/// </remarks>
public sealed partial class Replica
{
    /// <summary>Creates a standalone replica with an empty tree (<c>/</c>, <c>/zookeeper</c>, its quota and config nodes).</summary>
    /// <param name="options">The settings.</param>
    /// <param name="output">Where replies go.</param>
    public Replica(ReplicaOptions options, IReplicaOutput output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        throw new NotImplementedException("Being built in issue 2.");
    }

    /// <summary>Gets the zxid of the last applied transaction.</summary>
    public long LastProcessedZxid => throw new NotImplementedException();

    /// <summary>A client connected; no session yet.</summary>
    /// <param name="connectionId">The host's id for the connection, unique for the process lifetime.</param>
    /// <param name="remoteAddress">The client's IP address (the identity of the <c>ip</c> ACL scheme).</param>
    /// <param name="nowMs">The host's clock.</param>
    public void ConnectionOpened(long connectionId, string remoteAddress, long nowMs) => throw new NotImplementedException();

    /// <summary>The first frame of a connection arrived: create or resume a session.</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="request">The decoded request.</param>
    /// <param name="nowMs">The host's clock.</param>
    public void ConnectRequestReceived(long connectionId, ConnectRequest request, long nowMs) => throw new NotImplementedException();

    /// <summary>A request frame arrived on a connection with a session.</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="request">The decoded request.</param>
    /// <param name="nowMs">The host's clock.</param>
    public void RequestReceived(long connectionId, ClientRequest request, long nowMs) => throw new NotImplementedException();

    /// <summary>The connection is gone (the peer closed it, or the host did). Its watches go; its session stays until it expires.</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="nowMs">The host's clock.</param>
    public void ConnectionClosed(long connectionId, long nowMs) => throw new NotImplementedException();

    /// <summary>Time passed: expire sessions, reap containers and TTL nodes. The host calls it at least every tick.</summary>
    /// <param name="nowMs">The host's clock.</param>
    public void Tick(long nowMs) => throw new NotImplementedException();

    /// <summary>Gets the counters for four-letter words and metrics.</summary>
    /// <returns>The counters.</returns>
    public ReplicaStats GetStats() => throw new NotImplementedException();

    /// <summary>Gets every live session with its ephemerals.</summary>
    /// <returns>The sessions.</returns>
    public IReadOnlyList<SessionSnapshot> GetSessions() => throw new NotImplementedException();

    /// <summary>Gets every watch registration.</summary>
    /// <returns>The watches.</returns>
    public IReadOnlyList<WatchSnapshot> GetWatches() => throw new NotImplementedException();
}
