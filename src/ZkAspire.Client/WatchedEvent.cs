// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>
/// An event delivered to a watch: a change of a node (type NodeCreated, NodeDeleted,
/// NodeDataChanged, NodeChildrenChanged), a removed watch (DataWatchRemoved, ChildWatchRemoved,
/// PersistentWatchRemoved), or a connection event (type None with Disconnected, SyncConnected,
/// ConnectedReadOnly, Expired, AuthFailed or Closed).
/// </summary>
/// <param name="Type">The event type.</param>
/// <param name="State">The keeper state when the event happened.</param>
/// <param name="Path">The client path of the node (namespace and chroot removed); <see langword="null"/> for connection events.</param>
/// <param name="Zxid">
/// The zxid of the transaction that triggered the event, when the server sends it (3.9); −1 from
/// 3.8 servers, for catch-up events after a reconnect and for events made by the client.
/// </param>
public sealed record WatchedEvent(EventType Type, KeeperState State, string? Path, long Zxid = -1)
{
    /// <summary>Formats the event as the Java client does: <c>WatchedEvent state:SyncConnected type:NodeCreated path:/a</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"WatchedEvent state:{State} type:{Type} path:{Path ?? "null"}");
}
