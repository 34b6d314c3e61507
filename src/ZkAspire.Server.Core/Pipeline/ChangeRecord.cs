// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics.CodeAnalysis;
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
/// <remarks>
/// Prep keeps the records of applied txns for the next writes (one per write, and nothing refers
/// to a record once its txn is applied), hence a class that can be <see cref="Set"/> again.
/// </remarks>
internal sealed class ChangeRecord
{
    /// <summary>Creates a record.</summary>
    /// <param name="zxid">The zxid of the txn making the change.</param>
    /// <param name="path">The path (the root as <c>/</c>).</param>
    /// <param name="node">The node after the change; <see langword="null"/> when the txn deletes it.</param>
    public ChangeRecord(long zxid, string path, NodeView? node) => Set(zxid, path, node);

    /// <summary>Gets the zxid of the txn making the change.</summary>
    public long Zxid { get; private set; }

    /// <summary>Gets the path (the root as <c>/</c>).</summary>
    public string Path { get; private set; }

    /// <summary>Gets the node after the change; <see langword="null"/> when the txn deletes it.</summary>
    public NodeView? Node { get; private set; }

    /// <summary>Makes the record another change.</summary>
    /// <param name="zxid">The zxid of the txn making the change.</param>
    /// <param name="path">The path.</param>
    /// <param name="node">The node after the change.</param>
    [MemberNotNull(nameof(Path))]
    public void Set(long zxid, string path, NodeView? node)
    {
        Zxid = zxid;
        Path = path;
        Node = node;
    }
}
