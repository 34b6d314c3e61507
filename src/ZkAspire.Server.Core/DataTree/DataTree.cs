// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// The znode tree and the txns that change it (ZooKeeper's <c>DataTree</c>). As its Java
/// namesake says, it "doesn't have any networking or client connection code in it so that it can
/// be tested in a standalone way": applying a txn returns what changed and appends the watch
/// triggers it caused; delivering them is the watch manager's job.
/// </summary>
/// <remarks>
/// Nodes live in a dictionary keyed by full path; each node keeps a set of child names. The root
/// is also reachable under the key <c>""</c>, as in ZooKeeper (so a fresh tree reports 5 nodes).
/// The tree trusts its txns: the Prep stage has validated them.
/// </remarks>
internal sealed partial class DataTree
{
    private readonly Dictionary<string, DataNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<long, HashSet<string>> _ephemerals = [];
    private readonly HashSet<string> _containers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ttls = new(StringComparer.Ordinal);
    private readonly bool _extendedTypesEnabled;
    private readonly DataNode _root;

    // One list per distinct ACL, shared by the znodes that have it (ZooKeeper's
    // ReferenceCountedACLCache): a create's ACL is decoded from its request or txn, so without
    // this every znode would keep a list, an ACL, an Id and two strings of its own (about 190
    // bytes, which every young-generation collection under a create load copies). The table
    // keeps at most MaxSharedAcls lists and is never purged: past that, a new list stays the
    // znode's own, as before.
    private const int MaxSharedAcls = 1024;
    private readonly Dictionary<IReadOnlyList<ACL>, IReadOnlyList<ACL>> _sharedAcls = new(AclListComparer.Instance);
    private IReadOnlyList<ACL>? _lastSharedAcl;

    /// <summary>Creates a tree holding <c>/</c>, <c>/zookeeper</c>, <c>/zookeeper/quota</c> and <c>/zookeeper/config</c> (§19).</summary>
    /// <param name="extendedTypesEnabled">Whether TTL nodes exist (<c>zookeeper.extendedTypesEnabled</c>).</param>
    public DataTree(bool extendedTypesEnabled)
    {
        _extendedTypesEnabled = extendedTypesEnabled;

        // The reserved nodes have all-zero metadata and empty (not null) data; their child
        // counters stay 0, so / reports cversion −1 and /zookeeper −2 (§12).
        _root = new DataNode([], Acls.OpenAclUnsafe, default);
        _nodes.Add(PathUtils.Root, _root);
        var zookeeper = new DataNode([], Acls.OpenAclUnsafe, default);
        _nodes.Add(PathUtils.ZooKeeperRoot, zookeeper);
        _root.AddChild("zookeeper", zookeeper);
        var quota = new DataNode([], Acls.OpenAclUnsafe, default);
        _nodes.Add(PathUtils.QuotaRoot, quota);
        zookeeper.AddChild("quota", quota);

        // ZOOKEEPER-2014: the config node is readable by anyone and written only by reconfig;
        // ZooKeeper sets its ACL with version −1, which leaves aversion at −1.
        var config = new DataNode([], Acls.ReadAclUnsafe, new StatPersisted { Aversion = -1 });
        _nodes.Add(PathUtils.ConfigNode, config);
        zookeeper.AddChild("config", config);

        // ZooKeeper counts every key of its node map, the root's "" alias included.
        foreach (var path in _nodes.Keys)
        {
            ApproximateDataSize += path.Length;
        }
    }

    /// <summary>Gets the zxid of the last txn applied.</summary>
    public long LastProcessedZxid { get; private set; }

    /// <summary>Gets the node count as ZooKeeper reports it: the root counts twice (§21 srvr).</summary>
    public int NodeCount => _nodes.Count + 1;

    /// <summary>Gets the sum of path lengths and data lengths, maintained as ZooKeeper's <c>cachedApproximateDataSize</c>.</summary>
    public long ApproximateDataSize { get; private set; }

    /// <summary>Gets the number of ephemeral nodes.</summary>
    public int EphemeralCount
    {
        get
        {
            var count = 0;
            foreach (var set in _ephemerals.Values)
            {
                count += set.Count;
            }

            return count;
        }
    }

    /// <summary>Gets the paths of container nodes.</summary>
    public IReadOnlyCollection<string> Containers => _containers;

    /// <summary>Gets the paths of TTL nodes.</summary>
    public IReadOnlyCollection<string> Ttls => _ttls;

    /// <summary>Gets whether TTL owner encodings are recognised.</summary>
    public bool ExtendedTypesEnabled => _extendedTypesEnabled;

    /// <summary>Looks a node up; <c>""</c> is the root, as in ZooKeeper.</summary>
    /// <param name="path">The path, as sent.</param>
    /// <returns>The node, or <see langword="null"/>.</returns>
    public DataNode? GetNode(string path) =>
        path.Length == 0 ? _root : _nodes.GetValueOrDefault(path);

    /// <summary>The Stat of a node as clients see it.</summary>
    /// <param name="node">The node.</param>
    /// <returns>The Stat.</returns>
    public Stat StatOf(DataNode node) => node.ToStat(_extendedTypesEnabled);

    /// <summary>The ephemerals of a session.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>Their paths (live view; copy before changing the tree).</returns>
    public IReadOnlyCollection<string> GetEphemerals(long sessionId) =>
        _ephemerals.TryGetValue(sessionId, out var set) ? set : [];

    /// <summary>Gets the sessions that own ephemerals.</summary>
    public IEnumerable<long> SessionsWithEphemerals => _ephemerals.Keys;

    /// <summary>Counts all descendants of a node (<c>getAllChildrenNumber</c>).</summary>
    /// <param name="path">The node's path.</param>
    /// <returns>The count; for <c>""</c> the root itself is included, as ZooKeeper's prefix scan does.</returns>
    public int GetAllChildrenNumber(string path)
    {
        var start = GetNode(path);
        if (start is null)
        {
            return 0;
        }

        var count = path.Length == 0 ? 1 : 0;
        var stack = new Stack<(string Path, DataNode Node)>();
        stack.Push((path.Length == 0 ? PathUtils.Root : path, start));
        while (stack.TryPop(out var item))
        {
            foreach (var name in item.Node.Children)
            {
                var childPath = PathUtils.Combine(item.Path, name);
                if (_nodes.TryGetValue(childPath, out var child))
                {
                    count++;
                    if (child.ChildCount > 0)
                    {
                        stack.Push((childPath, child));
                    }
                }
            }
        }

        return count;
    }

    /// <summary>
    /// Applies a txn (<c>DataTree.processTxn</c>): the tree changes, <see cref="LastProcessedZxid"/>
    /// advances, and the watch triggers the change caused are appended in order.
    /// </summary>
    /// <param name="header">The txn header.</param>
    /// <param name="txn">The txn record.</param>
    /// <param name="triggers">Receives the watch triggers.</param>
    /// <returns>What happened.</returns>
    public ProcessTxnResult ProcessTxn(in TxnHeader header, IJuteRecord? txn, List<WatchTrigger> triggers)
    {
        var result = ProcessTxnCore(header, txn, triggers);
        if (header.Zxid > LastProcessedZxid)
        {
            LastProcessedZxid = header.Zxid;
        }

        return result;
    }

    private ProcessTxnResult ProcessTxnCore(in TxnHeader header, IJuteRecord? txn, List<WatchTrigger> triggers)
    {
        var rc = new ProcessTxnResult { Type = header.Type };
        switch (header.OpCode, txn)
        {
            case (OpCode.Create or OpCode.Create2, CreateTxn create):
                rc.Path = create.Path;
                rc.Err = CreateNode(create.Path, create.Data, create.Acl, create.Ephemeral ? header.ClientId : 0, create.ParentCVersion, header, triggers, out var stat);
                rc.Stat = header.OpCode == OpCode.Create2 ? stat : null;
                break;
            case (OpCode.CreateTTL, CreateTTLTxn createTtl):
                rc.Path = createTtl.Path;
                rc.Err = CreateNode(createTtl.Path, createTtl.Data, createTtl.Acl, EphemeralOwners.ForTtl(createTtl.Ttl), createTtl.ParentCVersion, header, triggers, out stat);
                rc.Stat = stat;
                break;
            case (OpCode.CreateContainer, CreateContainerTxn createContainer):
                rc.Path = createContainer.Path;
                rc.Err = CreateNode(createContainer.Path, createContainer.Data, createContainer.Acl, EphemeralOwners.Container, createContainer.ParentCVersion, header, triggers, out stat);
                rc.Stat = stat;
                break;
            case (OpCode.Delete or OpCode.DeleteContainer, DeleteTxn delete):
                rc.Path = delete.Path;
                rc.Err = DeleteNode(delete.Path, header.Zxid, triggers);
                break;
            case (OpCode.SetData, SetDataTxn setData):
                rc.Path = setData.Path;
                rc.Err = SetData(setData.Path, setData.Data, setData.Version, header, triggers, out stat);
                rc.Stat = stat;
                break;
            case (OpCode.SetACL, SetACLTxn setAcl):
                rc.Path = setAcl.Path;
                rc.Err = SetAcl(setAcl.Path, setAcl.Acl, setAcl.Version, out stat);
                rc.Stat = stat;
                break;
            case (OpCode.CloseSession, CloseSessionTxn closeSession):
                KillSession(header.ClientId, header.Zxid, closeSession.Paths2Delete, triggers);
                break;
            case (OpCode.Error, ErrorTxn error):
                rc.Err = error.Error;
                break;
            case (OpCode.Check, CheckVersionTxn check):
                rc.Path = check.Path;
                break;
            case (OpCode.Multi, MultiTxn multi):
                ProcessMulti(header, multi, ref rc, triggers);
                break;
            case (OpCode.CreateSession, _):
                // Sessions live in the session tracker; the txn only records the timeout.
                break;
            default:
                rc.Err = KeeperErrorCode.MarshallingError;
                break;
        }

        return rc;
    }

    private void ProcessMulti(in TxnHeader header, MultiTxn multi, ref ProcessTxnResult rc, List<WatchTrigger> triggers)
    {
        // A multi that failed in Prep carries the txns of the ops before the failure; they are
        // reported as errors 0 and those after the failing op as −2, and nothing is applied (§14.3).
        var failed = false;
        foreach (var sub in multi.Txns)
        {
            if (sub.OpCode == OpCode.Error)
            {
                failed = true;
                break;
            }
        }

        var results = new List<ProcessTxnResult>(multi.Txns.Count);
        rc.MultiResult = results;
        var postFailed = false;
        foreach (var sub in multi.Txns)
        {
            var type = sub.Type;
            var record = sub.Record;
            if (sub.OpCode == OpCode.Error)
            {
                postFailed = true;
            }
            else if (failed)
            {
                type = (int)OpCode.Error;
                record = new ErrorTxn((int)(postFailed ? KeeperErrorCode.RuntimeInconsistency : KeeperErrorCode.Ok));
            }

            var subResult = ProcessTxnCore(header with { Type = type }, record, triggers);
            results.Add(subResult);
            if (subResult.Err != KeeperErrorCode.Ok && rc.Err == KeeperErrorCode.Ok)
            {
                rc.Err = subResult.Err;
            }
        }
    }

    private KeeperErrorCode CreateNode(
        string path,
        byte[]? data,
        IReadOnlyList<ACL> acl,
        long ephemeralOwner,
        int parentCVersion,
        in TxnHeader header,
        List<WatchTrigger> triggers,
        out Stat? stat)
    {
        stat = null;
        var lastSlash = path.LastIndexOf('/');
        var parentName = path[..lastSlash];
        var childName = path[(lastSlash + 1)..];
        var parent = GetNode(parentName);
        if (parent is null)
        {
            return KeeperErrorCode.NoNode;
        }

        if (parent.HasChild(childName))
        {
            // Only a replay over a fuzzy snapshot gets here (Prep refuses live creates of existing
            // nodes): the node was serialized after this create, and possibly after a delete and
            // a re-create of it, while its parent was serialized before. ZooKeeper's processTxn
            // moves the parent's counter and pzxid forward all the same (ZOOKEEPER-3249), so that
            // they end where an unbroken run leaves them.
            SetCversionPzxid(parent, parentCVersion, header.Zxid);
            return KeeperErrorCode.NodeExists;
        }

        // A node in the map that its parent does not list (an orphan) cannot arise from a
        // consistent snapshot and log: a parent is only deleted once its children are, and those
        // deletes are replayed first. Should a damaged history leave one, the create in hand
        // replaces it cleanly, bookkeeping included, rather than leaving two views of one path.
        if (_nodes.TryGetValue(path, out var orphan))
        {
            ForgetNode(path, orphan);
        }

        // A create replayed over a fuzzy snapshot must not move the counter or pzxid backwards
        // (ZOOKEEPER-3249). ZooKeeper compares with '>', so once the counter reaches
        // 2147483647 it never moves again and every later sequential create under the parent
        // collides (NodeExists). We compare as serial numbers (RFC 1982) instead, so the counter
        // wraps to −2147483648 as the programmer's guide and wire-protocol doc §12 describe.
        SetCversionPzxid(parent, parentCVersion, header.Zxid);

        acl = Share(acl);
        var child = new DataNode(data, acl, StatPersisted.ForCreate(header.Zxid, header.Time, ephemeralOwner));
        parent.AddChild(childName, child);
        _nodes[path] = child;
        ApproximateDataSize += path.Length + (data?.Length ?? 0);
        IndexNode(path, ephemeralOwner);

        stat = child.ToStat(_extendedTypesEnabled);
        triggers.Add(new WatchTrigger(EventType.NodeCreated, path, header.Zxid, acl));
        triggers.Add(new WatchTrigger(EventType.NodeChildrenChanged, parentName.Length == 0 ? PathUtils.Root : parentName, header.Zxid, parent.Acl));
        return KeeperErrorCode.Ok;
    }

    private KeeperErrorCode DeleteNode(string path, long zxid, List<WatchTrigger> triggers)
    {
        var lastSlash = path.LastIndexOf('/');
        var parentName = path[..lastSlash];
        var childName = path[(lastSlash + 1)..];
        var parent = GetNode(parentName);
        if (parent is null)
        {
            return KeeperErrorCode.NoNode;
        }

        // Deletes don't touch the child counter; pzxid only moves forwards.
        parent.RemoveChild(childName);
        if (zxid > parent.Stat.Pzxid)
        {
            parent.Stat = parent.Stat with { Pzxid = zxid };
        }

        if (!_nodes.TryGetValue(path, out var node))
        {
            return KeeperErrorCode.NoNode;
        }

        ForgetNode(path, node);
        triggers.Add(new WatchTrigger(EventType.NodeDeleted, path, zxid, node.Acl));
        triggers.Add(new WatchTrigger(EventType.NodeChildrenChanged, parentName.Length == 0 ? PathUtils.Root : parentName, zxid, parent.Acl));
        return KeeperErrorCode.Ok;
    }

    private KeeperErrorCode SetData(string path, byte[]? data, int version, in TxnHeader header, List<WatchTrigger> triggers, out Stat? stat)
    {
        stat = null;
        var node = GetNode(path);
        if (node is null)
        {
            return KeeperErrorCode.NoNode;
        }

        ApproximateDataSize += (data?.Length ?? 0) - (node.Data?.Length ?? 0);
        node.Data = data;
        node.Stat = node.Stat with { Mtime = header.Time, Mzxid = header.Zxid, Version = version };
        stat = node.ToStat(_extendedTypesEnabled);
        triggers.Add(new WatchTrigger(EventType.NodeDataChanged, path, header.Zxid, node.Acl));
        return KeeperErrorCode.Ok;
    }

    /// <summary>The list shared by the znodes whose ACL equals <paramref name="acl"/>: <paramref name="acl"/> itself if it is the first.</summary>
    /// <param name="acl">A znode's new ACL.</param>
    /// <returns>The list to keep.</returns>
    private IReadOnlyList<ACL> Share(IReadOnlyList<ACL> acl)
    {
        // Most creates under a load repeat the last ACL: compared before the table is hashed.
        if (_lastSharedAcl is not null && AclListComparer.Instance.Equals(acl, _lastSharedAcl))
        {
            return _lastSharedAcl;
        }

        if (_sharedAcls.TryGetValue(acl, out var shared))
        {
            _lastSharedAcl = shared;
            return shared;
        }

        if (_sharedAcls.Count < MaxSharedAcls)
        {
            _sharedAcls.Add(acl, acl);
            _lastSharedAcl = acl;
        }

        return acl;
    }

    private KeeperErrorCode SetAcl(string path, IReadOnlyList<ACL> acl, int version, out Stat? stat)
    {
        stat = null;
        var node = GetNode(path);
        if (node is null)
        {
            return KeeperErrorCode.NoNode;
        }

        // setACL moves only aversion, and fires no watch (§11.4).
        node.Acl = Share(acl);
        node.Stat = node.Stat with { Aversion = version };
        stat = node.ToStat(_extendedTypesEnabled);
        return KeeperErrorCode.Ok;
    }

    // setCversionPzxid: the child counter and pzxid only move forwards. ZooKeeper compares with
    // '>', so once the counter reaches 2147483647 it never moves again and every later sequential
    // create under the parent collides (NodeExists). We compare as serial numbers (RFC 1982)
    // instead, so the counter wraps to −2147483648 as the programmer's guide and wire-protocol
    // doc §12 describe.
    private static void SetCversionPzxid(DataNode parent, int parentCVersion, long zxid)
    {
        if (unchecked(parentCVersion - parent.Stat.Cversion) > 0)
        {
            parent.Stat = parent.Stat with { Cversion = parentCVersion, Pzxid = zxid };
        }
    }

    // Removes a node from the map and from the ephemeral, container and TTL indexes.
    private void ForgetNode(string path, DataNode node)
    {
        _nodes.Remove(path);
        ApproximateDataSize -= path.Length + (node.Data?.Length ?? 0);
        var owner = node.Stat.EphemeralOwner;
        switch (EphemeralOwners.TypeOf(owner, _extendedTypesEnabled))
        {
            case EphemeralType.Container:
                _containers.Remove(path);
                break;
            case EphemeralType.Ttl:
                _ttls.Remove(path);
                break;
            case EphemeralType.Normal:
                if (_ephemerals.TryGetValue(owner, out var set))
                {
                    set.Remove(path);
                    if (set.Count == 0)
                    {
                        _ephemerals.Remove(owner);
                    }
                }

                break;
            default:
                break;
        }
    }

    // Adds a node to the ephemeral, container and TTL indexes.
    private void IndexNode(string path, long ephemeralOwner)
    {
        switch (EphemeralOwners.TypeOf(ephemeralOwner, _extendedTypesEnabled))
        {
            case EphemeralType.Container:
                _containers.Add(path);
                break;
            case EphemeralType.Ttl:
                _ttls.Add(path);
                break;
            case EphemeralType.Normal:
                if (!_ephemerals.TryGetValue(ephemeralOwner, out var set))
                {
                    set = new HashSet<string>(StringComparer.Ordinal);
                    _ephemerals.Add(ephemeralOwner, set);
                }

                set.Add(path);
                break;
            default:
                break;
        }
    }

    private void KillSession(long sessionId, long zxid, IReadOnlyList<string> paths, List<WatchTrigger> triggers)
    {
        // The txn names the ephemerals known at prep time; any the tree holds beyond those go too,
        // as ZooKeeper's killSession does. All deletions carry the closeSession zxid (§16).
        _ephemerals.Remove(sessionId, out var local);
        foreach (var path in paths)
        {
            local?.Remove(path);
            DeleteNode(path, zxid, triggers);
        }

        if (local is not null)
        {
            foreach (var path in local)
            {
                DeleteNode(path, zxid, triggers);
            }
        }
    }
}
