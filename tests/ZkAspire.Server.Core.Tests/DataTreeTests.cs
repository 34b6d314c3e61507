// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>The data tree on its own: reserved nodes, txns and the triggers they produce (wire-protocol doc §12, §15.2, §19).</summary>
public sealed class DataTreeTests
{
    private const long Time = 1_700_000_000_123;

    private readonly DataTree _tree = new(extendedTypesEnabled: true);
    private readonly List<WatchTrigger> _triggers = [];

    [Fact]
    public void FreshTreeHoldsTheReservedNodesWithZooKeepersStats_Section19()
    {
        Assert.Equal(5, _tree.NodeCount);
        Assert.Equal(0, _tree.LastProcessedZxid);

        // "" and "/" both count, as in ZooKeeper's node map: 0 + 1 + 10 + 16 + 17.
        Assert.Equal(44, _tree.ApproximateDataSize);

        var root = _tree.StatOf(_tree.GetNode("/")!);
        Assert.Equal(new Stat(0, 0, 0, 0, 0, -1, 0, 0, 0, 1, 0), root);
        Assert.Same(_tree.GetNode("/"), _tree.GetNode(string.Empty));

        var zookeeper = _tree.StatOf(_tree.GetNode("/zookeeper")!);
        Assert.Equal(new Stat(0, 0, 0, 0, 0, -2, 0, 0, 0, 2, 0), zookeeper);

        var quota = _tree.GetNode("/zookeeper/quota")!;
        Assert.Equal(new Stat(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), _tree.StatOf(quota));
        Assert.Equal(Acls.OpenAclUnsafe, quota.Acl);

        var config = _tree.GetNode("/zookeeper/config")!;
        Assert.Equal(-1, _tree.StatOf(config).Aversion);
        Assert.Equal(Acls.ReadAclUnsafe, config.Acl);
        Assert.NotNull(config.Data);
        Assert.Empty(config.Data);
    }

    [Fact]
    public void CreateSetsEveryStatFieldFromTheTxnAndMovesTheParentCounterAndPzxid_Section12()
    {
        var result = Apply(7, OpCode.Create2, new CreateTxn("/a", [1, 2, 3], Acls.OpenAclUnsafe, false, 1));

        Assert.Equal(KeeperErrorCode.Ok, result.Err);
        Assert.Equal("/a", result.Path);
        Assert.Equal(new Stat(7, 7, Time, Time, 0, 0, 0, 0, 3, 0, 7), result.Stat);
        Assert.Equal(7, _tree.LastProcessedZxid);

        // The root: counter 1 with 2 children reports 2·1 − 2 = 0; pzxid is the create's zxid.
        var root = _tree.StatOf(_tree.GetNode("/")!);
        Assert.Equal(0, root.Cversion);
        Assert.Equal(2, root.NumChildren);
        Assert.Equal(7, root.Pzxid);
        Assert.Equal(0, root.Mzxid);

        Assert.Equal(
            [
                new WatchTrigger(EventType.NodeCreated, "/a", 7, Acls.OpenAclUnsafe),
                new WatchTrigger(EventType.NodeChildrenChanged, "/", 7, Acls.OpenAclUnsafe),
            ],
            _triggers);
        Assert.Equal(44 + 2 + 3, _tree.ApproximateDataSize);
        Assert.Equal(6, _tree.NodeCount);
    }

    [Fact]
    public void DeleteLeavesTheCounterSoCversionCountsCreatesAndDeletes_Section12()
    {
        Apply(2, OpCode.Create, new CreateTxn("/p", null, Acls.OpenAclUnsafe, false, 1));
        Apply(3, OpCode.Create, new CreateTxn("/p/a", null, Acls.OpenAclUnsafe, false, 1));
        Apply(4, OpCode.Create, new CreateTxn("/p/b", null, Acls.OpenAclUnsafe, false, 2));
        Apply(5, OpCode.Delete, new DeleteTxn("/p/a"));

        var parent = _tree.GetNode("/p")!;
        Assert.Equal(2, parent.Stat.Cversion);
        var stat = _tree.StatOf(parent);
        Assert.Equal(3, stat.Cversion);
        Assert.Equal(1, stat.NumChildren);
        Assert.Equal(5, stat.Pzxid);
        Assert.Equal(2, stat.Mzxid);
        Assert.Null(_tree.GetNode("/p/a"));
        Assert.Equal(
            [
                new WatchTrigger(EventType.NodeDeleted, "/p/a", 5, Acls.OpenAclUnsafe),
                new WatchTrigger(EventType.NodeChildrenChanged, "/p", 5, Acls.OpenAclUnsafe),
            ],
            _triggers);
    }

    [Fact]
    public void SetDataMovesMzxidMtimeVersionAndSetAclOnlyAversion_Section12()
    {
        Apply(2, OpCode.Create, new CreateTxn("/a", [1], Acls.OpenAclUnsafe, false, 1));
        var set = Apply(3, OpCode.SetData, new SetDataTxn("/a", [1, 2], 1), time: Time + 10);
        Assert.Equal(new Stat(2, 3, Time, Time + 10, 1, 0, 0, 0, 2, 0, 2), set.Stat);
        Assert.Equal([new WatchTrigger(EventType.NodeDataChanged, "/a", 3, Acls.OpenAclUnsafe)], _triggers);

        var setAcl = Apply(4, OpCode.SetACL, new SetACLTxn("/a", Acls.ReadAclUnsafe, 1), time: Time + 20);
        Assert.Equal(new Stat(2, 3, Time, Time + 10, 1, 0, 1, 0, 2, 0, 2), setAcl.Stat);
        Assert.Empty(_triggers);
        Assert.Equal(Acls.ReadAclUnsafe, _tree.GetNode("/a")!.Acl);
    }

    [Fact]
    public void ContainersAndTtlNodesShowEphemeralOwnerZeroButAreTracked_Section9()
    {
        var container = Apply(2, OpCode.CreateContainer, new CreateContainerTxn("/c", null, Acls.OpenAclUnsafe, 1));
        var ttl = Apply(3, OpCode.CreateTTL, new CreateTTLTxn("/t", null, Acls.OpenAclUnsafe, 2, 5000));

        Assert.Equal(0, container.Stat!.Value.EphemeralOwner);
        Assert.Equal(0, ttl.Stat!.Value.EphemeralOwner);
        Assert.Equal(long.MinValue, _tree.GetNode("/c")!.Stat.EphemeralOwner);
        Assert.Equal(5000, EphemeralOwners.TtlOf(_tree.GetNode("/t")!.Stat.EphemeralOwner));
        Assert.Equal(["/c"], _tree.Containers);
        Assert.Equal(["/t"], _tree.Ttls);
        Assert.Equal(0, _tree.EphemeralCount);

        Apply(4, OpCode.DeleteContainer, new DeleteTxn("/c"));
        Apply(5, OpCode.Delete, new DeleteTxn("/t"));
        Assert.Empty(_tree.Containers);
        Assert.Empty(_tree.Ttls);
    }

    [Fact]
    public void CloseSessionDeletesEveryEphemeralUnderItsZxid_Section16()
    {
        const long session = 0x42;
        Apply(2, OpCode.Create, new CreateTxn("/p", null, Acls.OpenAclUnsafe, false, 1));
        Apply(3, OpCode.Create, new CreateTxn("/p/e1", null, Acls.OpenAclUnsafe, true, 1), session);
        Apply(4, OpCode.Create, new CreateTxn("/e2", null, Acls.OpenAclUnsafe, true, 2), session);
        Assert.Equal(2, _tree.EphemeralCount);
        Assert.Equal(session, _tree.StatOf(_tree.GetNode("/e2")!).EphemeralOwner);

        Apply(9, OpCode.CloseSession, new CloseSessionTxn(["/p/e1", "/e2"]), session);

        Assert.Null(_tree.GetNode("/p/e1"));
        Assert.Null(_tree.GetNode("/e2"));
        Assert.Equal(0, _tree.EphemeralCount);
        Assert.Empty(_tree.GetEphemerals(session));
        Assert.Equal(9, _tree.StatOf(_tree.GetNode("/p")!).Pzxid);
        Assert.Equal(9, _tree.StatOf(_tree.GetNode("/")!).Pzxid);
        Assert.All(_triggers, t => Assert.Equal(9, t.Zxid));
        Assert.Equal(4, _triggers.Count);
    }

    [Fact]
    public void CloseSessionAlsoDeletesEphemeralsTheTxnDidNotName()
    {
        Apply(2, OpCode.Create, new CreateTxn("/e", null, Acls.OpenAclUnsafe, true, 1), 7);
        Apply(3, OpCode.CloseSession, new CloseSessionTxn([]), 7);
        Assert.Null(_tree.GetNode("/e"));
    }

    [Fact]
    public void FailedMultiAppliesNothingAndReportsZeroThenTheCodeThenMinusTwo_Section14_3()
    {
        var multi = new MultiTxn(
        [
            new Txn((int)OpCode.Create, new CreateTxn("/a", null, Acls.OpenAclUnsafe, false, 1)),
            new Txn((int)OpCode.Error, new ErrorTxn((int)KeeperErrorCode.BadVersion)),
            new Txn((int)OpCode.Error, new ErrorTxn((int)KeeperErrorCode.RuntimeInconsistency)),
        ]);

        var result = Apply(2, OpCode.Multi, multi);

        Assert.Null(_tree.GetNode("/a"));
        Assert.Empty(_triggers);
        Assert.Equal(KeeperErrorCode.BadVersion, result.Err);
        Assert.Equal(
            [KeeperErrorCode.Ok, KeeperErrorCode.BadVersion, KeeperErrorCode.RuntimeInconsistency],
            result.MultiResult!.Select(r => r.Err));
        Assert.All(result.MultiResult!, r => Assert.Equal((int)OpCode.Error, r.Type));
        Assert.Equal(2, _tree.LastProcessedZxid);
    }

    [Fact]
    public void MultiAppliesEveryOpUnderOneZxidAndTime_Section14_3()
    {
        var multi = new MultiTxn(
        [
            new Txn((int)OpCode.Create, new CreateTxn("/a", null, Acls.OpenAclUnsafe, false, 1)),
            new Txn((int)OpCode.Create2, new CreateTxn("/a/b", [9], Acls.OpenAclUnsafe, false, 1)),
            new Txn((int)OpCode.SetData, new SetDataTxn("/a", [1], 1)),
            new Txn((int)OpCode.Check, new CheckVersionTxn("/a", 2)),
        ]);

        var result = Apply(5, OpCode.Multi, multi);

        Assert.Equal(KeeperErrorCode.Ok, result.Err);
        Assert.Equal(new Stat(5, 5, Time, Time, 0, 0, 0, 0, 1, 0, 5), result.MultiResult![1].Stat);
        Assert.Equal(new Stat(5, 5, Time, Time, 1, 1, 0, 0, 1, 1, 5), result.MultiResult[2].Stat);
        Assert.Equal("/a", result.MultiResult[3].Path);
        Assert.Equal(
            [EventType.NodeCreated, EventType.NodeChildrenChanged, EventType.NodeCreated, EventType.NodeChildrenChanged, EventType.NodeDataChanged],
            _triggers.Select(t => t.Type));
    }

    [Fact]
    public void AllChildrenNumberCountsDescendantsAndTheRootAliasCountsItself()
    {
        Apply(2, OpCode.Create, new CreateTxn("/a", null, Acls.OpenAclUnsafe, false, 1));
        Apply(3, OpCode.Create, new CreateTxn("/a/b", null, Acls.OpenAclUnsafe, false, 1));
        Apply(4, OpCode.Create, new CreateTxn("/a/b/c", null, Acls.OpenAclUnsafe, false, 1));

        Assert.Equal(6, _tree.GetAllChildrenNumber("/"));
        Assert.Equal(7, _tree.GetAllChildrenNumber(string.Empty));
        Assert.Equal(2, _tree.GetAllChildrenNumber("/a"));
        Assert.Equal(2, _tree.GetAllChildrenNumber("/zookeeper"));
        Assert.Equal(0, _tree.GetAllChildrenNumber("/a/b/c"));
    }

    [Fact]
    public void ReplayedCreateDoesNotMoveTheCounterBackwards()
    {
        Apply(2, OpCode.Create, new CreateTxn("/a", null, Acls.OpenAclUnsafe, false, 5));
        Apply(3, OpCode.Create, new CreateTxn("/b", null, Acls.OpenAclUnsafe, false, 3));
        var root = _tree.GetNode("/")!;
        Assert.Equal(5, root.Stat.Cversion);
        Assert.Equal(2, root.Stat.Pzxid);
    }

    [Fact]
    public void ZnodesWithEqualAclsShareOneListAndADifferentAclKeepsItsOwn()
    {
        // Each txn decodes a list of its own: equal content, different objects.
        static IReadOnlyList<ACL> Digest(string who) => [new ACL(Perms.All, new Id("digest", who + ":hash")), new ACL(Perms.Read, new Id("world", "anyone"))];
        var first = Digest("alice");
        Apply(1, OpCode.Create2, new CreateTxn("/a", [], first, false, 1));
        Apply(2, OpCode.Create2, new CreateTxn("/b", [], Digest("alice"), false, 2));
        Apply(3, OpCode.Create2, new CreateTxn("/c", [], Digest("bob"), false, 3));
        Apply(4, OpCode.Create2, new CreateTxn("/d", [], Digest("alice"), false, 4));
        Apply(5, OpCode.SetACL, new SetACLTxn("/c", Digest("alice"), 1));

        Assert.Same(first, _tree.GetNode("/a")!.Acl);
        Assert.Same(first, _tree.GetNode("/b")!.Acl);
        Assert.Same(first, _tree.GetNode("/d")!.Acl);
        Assert.Same(first, _tree.GetNode("/c")!.Acl);
        Assert.Equal(Digest("alice"), _tree.GetNode("/b")!.Acl);

        // A node read from a snapshot takes part too: creates after a restore share its list.
        var restored = Digest("carol");
        Assert.True(_tree.LoadNode("/r", [], restored, default));
        Apply(6, OpCode.Create2, new CreateTxn("/e", [], Digest("carol"), false, 6));
        Assert.Same(restored, _tree.GetNode("/r")!.Acl);
        Assert.Same(restored, _tree.GetNode("/e")!.Acl);
    }

    [Fact]
    public void PastItsBoundTheAclTableLeavesNewListsToTheirZnodes()
    {
        static IReadOnlyList<ACL> Digest(int i) => [new ACL(Perms.All, new Id("digest", "user" + i + ":hash"))];
        for (var i = 0; i < 1100; i++)
        {
            Apply(i + 1, OpCode.Create2, new CreateTxn("/n" + i, [], Digest(i), false, i + 1));
        }

        // The first 1,024 distinct lists are shared; later ones are not kept in the table, so an
        // equal list decoded again is a znode's own.
        Apply(2001, OpCode.Create2, new CreateTxn("/early", [], Digest(5), false, 2001));
        Apply(2002, OpCode.Create2, new CreateTxn("/late", [], Digest(1099), false, 2002));
        Assert.Same(_tree.GetNode("/n5")!.Acl, _tree.GetNode("/early")!.Acl);
        Assert.NotSame(_tree.GetNode("/n1099")!.Acl, _tree.GetNode("/late")!.Acl);
        Assert.Equal(_tree.GetNode("/n1099")!.Acl, _tree.GetNode("/late")!.Acl);
    }

    private ProcessTxnResult Apply(long zxid, OpCode type, IJuteRecord txn, long clientId = 1, long time = Time)
    {
        _triggers.Clear();
        return _tree.ProcessTxn(new TxnHeader(clientId, 1, zxid, time, (int)type), txn, _triggers);
    }
}
