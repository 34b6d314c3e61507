// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server;

/// <summary>
/// What the event loop drives: the pure core's input methods, persistence completions and snapshots. <see cref="Replica"/>
/// is the implementation; the seam lets the transport be tested with a scripted core.
/// </summary>
internal interface IServerCore
{
    /// <summary>Gets the zxid of the last applied transaction.</summary>
    long LastProcessedZxid { get; }

    /// <inheritdoc cref="Replica.ConnectionOpened"/>
    void ConnectionOpened(long connectionId, string remoteAddress, long nowMs);

    /// <inheritdoc cref="Replica.ConnectRequestReceived"/>
    void ConnectRequestReceived(long connectionId, ConnectRequest request, long nowMs);

    /// <inheritdoc cref="Replica.RequestReceived"/>
    void RequestReceived(long connectionId, ClientRequest request, long nowMs);

    /// <inheritdoc cref="Replica.ConnectionClosed"/>
    void ConnectionClosed(long connectionId, long nowMs);

    /// <inheritdoc cref="Replica.Tick"/>
    void Tick(long nowMs);

    /// <inheritdoc cref="Replica.Persisted"/>
    void Persisted(long zxid, long nowMs);

    /// <inheritdoc cref="Replica.PersistFailed"/>
    void PersistFailed(long fromZxid, long nowMs);

    /// <inheritdoc cref="Replica.BeginSnapshot"/>
    ReplicaSnapshot BeginSnapshot();

    /// <inheritdoc cref="Replica.GetStats"/>
    ReplicaStats GetStats();

    /// <inheritdoc cref="Replica.GetSessions"/>
    IReadOnlyList<SessionSnapshot> GetSessions();

    /// <inheritdoc cref="Replica.GetWatches"/>
    IReadOnlyList<WatchSnapshot> GetWatches();
}

/// <summary>The real core.</summary>
/// <param name="replica">The replica.</param>
internal sealed class ReplicaServerCore(Replica replica) : IServerCore
{
    /// <inheritdoc/>
    public long LastProcessedZxid => replica.LastProcessedZxid;

    /// <inheritdoc/>
    public void ConnectionOpened(long connectionId, string remoteAddress, long nowMs) => replica.ConnectionOpened(connectionId, remoteAddress, nowMs);

    /// <inheritdoc/>
    public void ConnectRequestReceived(long connectionId, ConnectRequest request, long nowMs) => replica.ConnectRequestReceived(connectionId, request, nowMs);

    /// <inheritdoc/>
    public void RequestReceived(long connectionId, ClientRequest request, long nowMs) => replica.RequestReceived(connectionId, request, nowMs);

    /// <inheritdoc/>
    public void ConnectionClosed(long connectionId, long nowMs) => replica.ConnectionClosed(connectionId, nowMs);

    /// <inheritdoc/>
    public void Tick(long nowMs) => replica.Tick(nowMs);

    /// <inheritdoc/>
    public void Persisted(long zxid, long nowMs) => replica.Persisted(zxid, nowMs);

    /// <inheritdoc/>
    public void PersistFailed(long fromZxid, long nowMs) => replica.PersistFailed(fromZxid, nowMs);

    /// <inheritdoc/>
    public ReplicaSnapshot BeginSnapshot() => replica.BeginSnapshot();

    /// <inheritdoc/>
    public ReplicaStats GetStats() => replica.GetStats();

    /// <inheritdoc/>
    public IReadOnlyList<SessionSnapshot> GetSessions() => replica.GetSessions();

    /// <inheritdoc/>
    public IReadOnlyList<WatchSnapshot> GetWatches() => replica.GetWatches();
}
