// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <content>Loading a tree from snapshot records, and what snapshots and tests read of it.</content>
internal sealed partial class DataTree
{
    /// <summary>Gets the number of entries in the node map (each znode once; the root's <c>""</c> alias is not an entry).</summary>
    public int MapCount => _nodes.Count;

    /// <summary>Looks a node up by its full path (<c>/</c> for the root), for the snapshot cursor.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The node, or <see langword="null"/>.</returns>
    public DataNode? GetNodeForSnapshot(string path) => _nodes.GetValueOrDefault(path);

    /// <summary>
    /// Puts a node read from a snapshot into the tree (ZooKeeper's <c>DataTree.deserialize</c>): a
    /// node already there (the reserved ones the constructor made) takes the snapshot's data, ACL
    /// and metadata; a new one is linked under its parent, which the snapshot holds earlier.
    /// </summary>
    /// <param name="path">The node's path.</param>
    /// <param name="data">Its data.</param>
    /// <param name="acl">Its ACL.</param>
    /// <param name="stat">Its metadata.</param>
    /// <returns><see langword="false"/> if its parent is not in the tree (the snapshot is malformed).</returns>
    public bool LoadNode(string path, byte[]? data, IReadOnlyList<ACL> acl, StatPersisted stat)
    {
        if (_nodes.TryGetValue(path, out var existing))
        {
            ForgetNode(path, existing);
            existing.Data = data;
            existing.Acl = Share(acl);
            existing.Stat = stat;
            _nodes.Add(path, existing);
            ApproximateDataSize += path.Length + (data?.Length ?? 0);
            IndexNode(path, stat.EphemeralOwner);
            return true;
        }

        var lastSlash = path.LastIndexOf('/');
        if (lastSlash < 0 || GetNode(path[..lastSlash]) is not { } parent)
        {
            return false;
        }

        var node = new DataNode(data, Share(acl), stat);
        parent.AddChild(path[(lastSlash + 1)..], node);
        _nodes.Add(path, node);
        ApproximateDataSize += path.Length + (data?.Length ?? 0);
        IndexNode(path, stat.EphemeralOwner);
        return true;
    }

    /// <summary>Sets the zxid the tree is known to reflect (the snapshot's start zxid) before the log is replayed over it.</summary>
    /// <param name="zxid">The zxid.</param>
    public void SetLastProcessedZxid(long zxid) => LastProcessedZxid = zxid;

    /// <summary>
    /// Sets the content of <c>/zookeeper/config</c> on this server only, without a txn: each server
    /// of an ensemble writes its own configuration there at startup, as ZooKeeper's
    /// <c>ZKDatabase.initConfigInZKDatabase</c> does.
    /// </summary>
    /// <param name="data">The configuration text, UTF-8.</param>
    public void SetConfigData(byte[] data)
    {
        var node = _nodes[PathUtils.ConfigNode];
        ApproximateDataSize += data.Length - (node.Data?.Length ?? 0);
        node.Data = data;
    }

    /// <summary>
    /// Removes nodes whose parent does not list them. A replay over a fuzzy snapshot re-creates or
    /// deletes every such node before it ends, so none should be left; this is the safety net that
    /// keeps the map and the child sets in agreement whatever the snapshot held.
    /// </summary>
    /// <returns>The paths removed.</returns>
    public List<string> RemoveOrphans()
    {
        var orphans = new List<string>();
        foreach (var (path, _) in _nodes)
        {
            if (path == PathUtils.Root)
            {
                continue;
            }

            var lastSlash = path.LastIndexOf('/');
            if (GetNode(path[..lastSlash]) is not { } parent || !parent.HasChild(path[(lastSlash + 1)..]))
            {
                orphans.Add(path);
            }
        }

        // Longest first, so that a removed orphan's own orphaned children are found by their paths.
        orphans.Sort((a, b) => b.Length.CompareTo(a.Length));
        foreach (var path in orphans)
        {
            if (_nodes.TryGetValue(path, out var node))
            {
                ForgetNode(path, node);
            }
        }

        return orphans;
    }

    /// <summary>
    /// Describes every node, one line each in path order, with every persisted field: what two
    /// trees are compared by (tests) and what the snapshot tool prints.
    /// </summary>
    /// <param name="lines">Receives the lines.</param>
    public void Dump(List<string> lines)
    {
        var paths = new List<string>(_nodes.Keys);
        paths.Sort(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var node = _nodes[path];
            var children = new List<string>(node.Children);
            children.Sort(StringComparer.Ordinal);
            lines.Add(FormatNode(path, node.Data, node.Acl, node.Stat) + " children=[" + string.Join(',', children) + "]");
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture, $"approximateDataSize={ApproximateDataSize} ephemerals={EphemeralCount} containers={_containers.Count} ttls={_ttls.Count} lastProcessedZxid=0x{LastProcessedZxid:x}"));
    }

    /// <summary>Formats one node as the dump and the snapshot tool print it.</summary>
    /// <param name="path">The path.</param>
    /// <param name="data">The data.</param>
    /// <param name="acl">The ACL.</param>
    /// <param name="stat">The metadata.</param>
    /// <returns>The line.</returns>
    public static string FormatNode(string path, byte[]? data, IReadOnlyList<ACL> acl, StatPersisted stat)
    {
        var text = new StringBuilder(128);
        text.Append(path)
            .Append(" data=").Append(data is null ? "null" : Convert.ToHexString(data))
            .Append(" acl=[");
        for (var i = 0; i < acl.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(CultureInfo.InvariantCulture, $"{acl[i].Id?.Scheme}:{acl[i].Id?.Identity}:{(int)acl[i].Perms}");
        }

        text.Append(CultureInfo.InvariantCulture, $"] czxid=0x{stat.Czxid:x} mzxid=0x{stat.Mzxid:x} pzxid=0x{stat.Pzxid:x} ctime={stat.Ctime} mtime={stat.Mtime}")
            .Append(CultureInfo.InvariantCulture, $" version={stat.Version} cversion={stat.Cversion} aversion={stat.Aversion} ephemeralOwner=0x{stat.EphemeralOwner:x}");
        return text.ToString();
    }
}
