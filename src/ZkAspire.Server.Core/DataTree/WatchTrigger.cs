// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// A change the data tree made that watches may be waiting for: the event, the node, the txn's
/// zxid and the ACL that decides who may hear about it (the node's, or the parent's for
/// <see cref="EventType.NodeChildrenChanged"/>; wire-protocol doc §15.2).
/// </summary>
/// <param name="Type">The event type.</param>
/// <param name="Path">The node's path as clients see it (<c>/</c> for the root).</param>
/// <param name="Zxid">The zxid of the txn that made the change.</param>
/// <param name="Acl">The ACL checked for READ before delivering the event.</param>
internal readonly record struct WatchTrigger(EventType Type, string Path, long Zxid, IReadOnlyList<ACL> Acl);
