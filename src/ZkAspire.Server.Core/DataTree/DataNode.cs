// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>One znode: its data, ACL, persisted metadata and children, by name (ZooKeeper's <c>DataNode</c> keeps the names only).</summary>
internal sealed class DataNode
{
    private static readonly IReadOnlyCollection<string> NoChildren = [];

    // Most znodes are leaves: the map is only allocated for the first child. It holds the
    // children's nodes, not only their names, so that a walk of the tree (a snapshot) follows
    // references instead of looking every znode up by its full path.
    private Dictionary<string, DataNode>? _children;

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
    public IReadOnlyCollection<string> Children => _children?.Keys ?? NoChildren;

    /// <summary>Gets the child names themselves, or <see langword="null"/> for a leaf: a reply writes the names from them without copying them.</summary>
    public Dictionary<string, DataNode>.KeyCollection? ChildSet => _children?.Keys;

    /// <summary>Copies the child names, for a snapshot that walks them while the tree changes.</summary>
    /// <returns>The names.</returns>
    public string[] CopyChildren()
    {
        if (_children is null)
        {
            return [];
        }

        var names = new string[_children.Count];
        _children.Keys.CopyTo(names, 0);
        return names;
    }

    /// <summary>Gets the child of this name, if it exists.</summary>
    /// <param name="name">The child's name.</param>
    /// <param name="child">The child, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> if it does.</returns>
    public bool TryGetChild(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DataNode? child)
    {
        if (_children is null)
        {
            child = null;
            return false;
        }

        return _children.TryGetValue(name, out child);
    }

    /// <summary>Whether a child of this name exists.</summary>
    /// <param name="name">The child's name.</param>
    /// <returns><see langword="true"/> if it does.</returns>
    public bool HasChild(string name) => _children?.ContainsKey(name) == true;

    /// <summary>Adds a child.</summary>
    /// <param name="name">The child's name.</param>
    /// <param name="child">The child.</param>
    /// <returns><see langword="false"/> if one of that name was there already (it is kept).</returns>
    public bool AddChild(string name, DataNode child) => (_children ??= new Dictionary<string, DataNode>(StringComparer.Ordinal)).TryAdd(name, child);

    /// <summary>Removes a child.</summary>
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
