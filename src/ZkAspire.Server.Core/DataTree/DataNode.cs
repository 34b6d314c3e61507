// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>One znode: its data, ACL, persisted metadata and child names (ZooKeeper's <c>DataNode</c>).</summary>
internal sealed class DataNode
{
    private static readonly IReadOnlyCollection<string> NoChildren = [];

    // Most znodes are leaves: the set is only allocated for the first child.
    private HashSet<string>? _children;

    /// <summary>Creates a node.</summary>
    /// <param name="data">The data; may be <see langword="null"/>.</param>
    /// <param name="acl">The ACL.</param>
    /// <param name="stat">The metadata.</param>
    public DataNode(byte[]? data, IReadOnlyList<ACL> acl, StatPersisted stat)
    {
        Data = data;
        Acl = acl;
        Stat = stat;
    }

    /// <summary>Gets or sets the data.</summary>
    public byte[]? Data { get; set; }

    /// <summary>Gets or sets the ACL.</summary>
    public IReadOnlyList<ACL> Acl { get; set; }

    /// <summary>Gets or sets the persisted metadata.</summary>
    public StatPersisted Stat { get; set; }

    /// <summary>Gets the number of children.</summary>
    public int ChildCount => _children?.Count ?? 0;

    /// <summary>Gets the child names.</summary>
    public IReadOnlyCollection<string> Children => _children ?? NoChildren;

    /// <summary>Gets the set of child names itself, or <see langword="null"/> for a leaf: a reply writes the names from it without copying them.</summary>
    public HashSet<string>? ChildSet => _children;

    /// <summary>Copies the child names, for a snapshot that walks them while the tree changes.</summary>
    /// <returns>The names.</returns>
    public string[] CopyChildren()
    {
        if (_children is null)
        {
            return [];
        }

        var names = new string[_children.Count];
        _children.CopyTo(names);
        return names;
    }

    /// <summary>Whether a child of this name exists.</summary>
    /// <param name="name">The child's name.</param>
    /// <returns><see langword="true"/> if it does.</returns>
    public bool HasChild(string name) => _children?.Contains(name) == true;

    /// <summary>Adds a child name.</summary>
    /// <param name="name">The child's name.</param>
    /// <returns><see langword="false"/> if it was there already.</returns>
    public bool AddChild(string name) => (_children ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);

    /// <summary>Removes a child name.</summary>
    /// <param name="name">The child's name.</param>
    /// <returns><see langword="false"/> if it was not there.</returns>
    public bool RemoveChild(string name) => _children?.Remove(name) == true;

    /// <summary>
    /// The Stat clients see (<c>DataNode.copyStat</c>): cversion as 2 × children-ever-created −
    /// numChildren, and ephemeralOwner 0 for containers and TTL nodes (wire-protocol doc §9, §12).
    /// </summary>
    /// <param name="extendedTypesEnabled">Whether TTL owner encodings are recognised.</param>
    /// <returns>The Stat.</returns>
    public Stat ToStat(bool extendedTypesEnabled)
    {
        var s = Stat;
        var numChildren = ChildCount;
        var owner = EphemeralOwners.TypeOf(s.EphemeralOwner, extendedTypesEnabled) == EphemeralType.Normal ? s.EphemeralOwner : 0;

        // Java int arithmetic: the product wraps like the counter itself (unchecked is C#'s default).
        return new Stat(
            s.Czxid,
            s.Mzxid,
            s.Ctime,
            s.Mtime,
            s.Version,
            (s.Cversion * 2) - numChildren,
            s.Aversion,
            owner,
            Data?.Length ?? 0,
            numChildren,
            s.Pzxid);
    }
}
