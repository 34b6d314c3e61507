// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>Where triggered watches go (ZooKeeper's <c>ServerWatcher.process</c>): the stage that owns the connections.</summary>
internal interface IWatchEventSink
{
    /// <summary>Delivers one event to one connection.</summary>
    /// <param name="connection">The watching connection.</param>
    /// <param name="watcherEvent">The event.</param>
    /// <param name="zxid">The zxid for the notification header (the txn's, or −1 for setWatches catch-up).</param>
    /// <param name="acl">The ACL the connection needs READ on to hear it, or <see langword="null"/> to skip the check.</param>
    void Deliver(ServerConnection connection, WatcherEvent watcherEvent, long zxid, IReadOnlyList<ACL>? acl);
}
