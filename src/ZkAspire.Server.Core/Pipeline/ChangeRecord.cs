// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>A znode as Prep sees it: the tree's state with outstanding changes applied.</summary>
/// <param name="Stat">The persisted metadata.</param>
/// <param name="ChildCount">The number of children.</param>
/// <param name="Acl">The ACL.</param>
/// <param name="Data">The data.</param>
internal readonly record struct NodeView(StatPersisted Stat, int ChildCount, IReadOnlyList<ACL> Acl, byte[]? Data);

/// <summary>
/// A change a prepped txn will make to one path once it is applied (ZooKeeper's
/// <c>ZooKeeperServer.ChangeRecord</c>): later requests are validated against it, so that two
/// writes in flight see each other.
/// </summary>
/// <param name="Zxid">The zxid of the txn making the change.</param>
/// <param name="Path">The path (the root as <c>/</c>).</param>
/// <param name="Node">The node after the change; <see langword="null"/> when the txn deletes it.</param>
internal sealed record ChangeRecord(long Zxid, string Path, NodeView? Node);
