// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;
using static ZkAspire.Interop.Tests.Contract.ContractOps;

namespace ZkAspire.Interop.Tests.Contract;

/// <summary>Watches: what fires for which op, one-shot and persistent, and where notifications sit in the stream (§13, §15).</summary>
public abstract partial class ZooKeeperContractTests<TFixture>
{
    [Fact]
    public async Task DataWatchFiresOnceBeforeTheReplyOfTheWriteThatTriggersIt()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.GetDataAsync(root, watch: true)).AssertOk();

        var set = (await zk.SetDataAsync(root, [1])).AssertOk();
        var notification = Assert.Single(set.NotificationsBefore);

        // 3.8 notifications carry zxid −1, 3.9 ones the txn's zxid (§5, §24).
        Assert.Equal(new ReplyHeader(Xids.Notification, Traits.NotificationsCarryTheTxnZxid ? set.Zxid : -1, 0), notification.Header);
        Assert.Equal(new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, root), notification.ReadEvent());

        // One-shot: the next change is silent.
        Assert.Empty((await zk.SetDataAsync(root, [2])).NotificationsBefore);
    }

    [Fact]
    public async Task NotificationsReachOtherConnectionsBeforeTheReplyOfTheirNextRead()
    {
        var writer = await ConnectAsync();
        var watcher = await ConnectAsync();
        var root = await NewRootAsync(writer);
        (await watcher.GetDataAsync(root, watch: true)).AssertOk();
        (await watcher.GetChildrenAsync(root, watch: true)).AssertOk();

        var set = (await writer.SetDataAsync(root, [1])).AssertOk();
        (await writer.CreateAsync(root + "/c")).AssertOk();
        Assert.Empty(set.NotificationsBefore);

        // §13: the watcher's next read sees the notifications first.
        var read = (await watcher.GetDataAsync(root)).AssertOk();
        Assert.Equal([(EventType.NodeDataChanged, root), (EventType.NodeChildrenChanged, root)], read.EventList());
        Assert.Equal([1], read.Read<GetDataResponse>().Data);
    }

    [Fact]
    public async Task ExistsWatchesEvenMissingNodesAndGetDataDoesNot()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);

        // exists on a missing node: NoNode, and a watch (gotcha 13).
        (await zk.ExistsAsync(root + "/a", watch: true)).AssertError(KeeperErrorCode.NoNode);

        // getData and getChildren on a missing node: NoNode, and nothing registered.
        (await zk.GetDataAsync(root + "/b", watch: true)).AssertError(KeeperErrorCode.NoNode);
        (await zk.GetChildrenAsync(root + "/b", watch: true)).AssertError(KeeperErrorCode.NoNode);
        (await zk.CheckWatchesAsync(root + "/b", WatcherType.Any)).AssertError(KeeperErrorCode.NoWatcher);

        var createA = (await zk.CreateAsync(root + "/a")).AssertOk();
        Assert.Equal([(EventType.NodeCreated, root + "/a")], createA.EventList());
        Assert.Empty((await zk.CreateAsync(root + "/b")).NotificationsBefore);
    }

    [Fact]
    public async Task WhichEventsFireForWhichOps()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var node = root + "/n";
        (await zk.CreateAsync(node)).AssertOk();
        (await zk.CreateAsync(node + "/kid")).AssertOk();

        async Task WatchAllAsync()
        {
            (await zk.GetDataAsync(node, watch: true)).AssertOk();
            (await zk.GetChildrenAsync(node, watch: true)).AssertOk();
            (await zk.GetChildrenAsync(root, watch: true)).AssertOk();
        }

        await WatchAllAsync();

        // setACL, sync, check-in-multi and reads fire nothing (§15.2); a child's data change is
        // not a child change.
        Assert.Empty((await zk.SetAclAsync(node, Acls.OpenAclUnsafe)).NotificationsBefore);
        Assert.Empty((await zk.SyncAsync(node)).NotificationsBefore);
        Assert.Empty((await zk.MultiAsync(Check(node, 0))).NotificationsBefore);
        Assert.Empty((await zk.SetDataAsync(node + "/kid", [1])).NotificationsBefore);

        // A child's create and delete: NodeChildrenChanged on the parent only.
        Assert.Equal([(EventType.NodeChildrenChanged, node)], (await zk.CreateAsync(node + "/kid2")).EventList());
        Assert.Empty((await zk.DeleteAsync(node + "/kid2")).NotificationsBefore);
        (await zk.GetChildrenAsync(node, watch: true)).AssertOk();
        Assert.Empty((await zk.DeleteAsync(node + "/missing")).AssertError(KeeperErrorCode.NoNode).NotificationsBefore);
        Assert.Equal([(EventType.NodeChildrenChanged, node)], (await zk.DeleteAsync(node + "/kid")).EventList());

        // setData: NodeDataChanged to the data watch.
        Assert.Equal([(EventType.NodeDataChanged, node)], (await zk.SetDataAsync(node, [1])).EventList());

        // delete: NodeDeleted once (data and child watch on the node, one connection) and
        // NodeChildrenChanged on the parent.
        await WatchAllAsync();
        Assert.Equal(
            [(EventType.NodeDeleted, node), (EventType.NodeChildrenChanged, root)],
            (await zk.DeleteAsync(node)).EventList());
    }

    [Fact]
    public async Task OneEventPerConnectionPerChangeWhateverTheRegistrations()
    {
        var zk = await ConnectAsync();
        var other = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.ExistsAsync(root, watch: true)).AssertOk();
        (await zk.GetDataAsync(root, watch: true)).AssertOk();
        (await zk.AddWatchAsync(root, AddWatchMode.Persistent)).AssertOk();
        (await other.GetDataAsync(root, watch: true)).AssertOk();

        Assert.Equal([(EventType.NodeDataChanged, root)], (await zk.SetDataAsync(root, [1])).EventList());
        Assert.Equal([(EventType.NodeDataChanged, root)], (await other.SyncAsync(root)).EventList());
    }

    [Fact]
    public async Task MultiFiresTheWatchesOfEveryOpBeforeItsReply()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.CreateAsync(root + "/a")).AssertOk();
        (await zk.GetDataAsync(root + "/a", watch: true)).AssertOk();
        (await zk.ExistsAsync(root + "/b", watch: true)).AssertError(KeeperErrorCode.NoNode);
        (await zk.GetChildrenAsync(root, watch: true)).AssertOk();

        var multi = (await zk.MultiAsync(SetData(root + "/a", [1]), Create(root + "/b"))).AssertOk();
        Assert.Equal(
            [(EventType.NodeDataChanged, root + "/a"), (EventType.NodeCreated, root + "/b"), (EventType.NodeChildrenChanged, root)],
            multi.EventList());

        // A failed multi fires nothing.
        (await zk.GetDataAsync(root + "/a", watch: true)).AssertOk();
        var failed = (await zk.MultiAsync(SetData(root + "/a", [2]), Check(root + "/a", 0))).AssertOk();
        Assert.Empty(failed.NotificationsBefore);
    }

    [Fact]
    public async Task PersistentWatchFiresForEverythingOnItsPathAndSurvives()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var node = root + "/p";

        // addWatch needs no node and answers with a 4-byte 0 (gotcha 14).
        var add = (await zk.AddWatchAsync(node, AddWatchMode.Persistent)).AssertOk();
        Assert.Equal(new byte[4], add.Reply.Body);

        Assert.Equal([(EventType.NodeCreated, node)], (await zk.CreateAsync(node)).EventList());
        Assert.Equal([(EventType.NodeDataChanged, node)], (await zk.SetDataAsync(node, [1])).EventList());
        Assert.Equal([(EventType.NodeDataChanged, node)], (await zk.SetDataAsync(node, [2])).EventList());
        Assert.Equal([(EventType.NodeChildrenChanged, node)], (await zk.CreateAsync(node + "/c")).EventList());
        Assert.Empty((await zk.SetDataAsync(node + "/c", [1])).NotificationsBefore);
        Assert.Equal([(EventType.NodeChildrenChanged, node)], (await zk.DeleteAsync(node + "/c")).EventList());
        Assert.Equal([(EventType.NodeDeleted, node)], (await zk.DeleteAsync(node)).EventList());
        Assert.Equal([(EventType.NodeCreated, node)], (await zk.CreateAsync(node)).EventList());
    }

    [Fact]
    public async Task PersistentRecursiveWatchSeesTheSubtreeButNeverChildChanges()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.AddWatchAsync(root, AddWatchMode.PersistentRecursive)).AssertOk();

        Assert.Equal([(EventType.NodeCreated, root + "/a")], (await zk.CreateAsync(root + "/a")).EventList());
        Assert.Equal([(EventType.NodeCreated, root + "/a/b")], (await zk.CreateAsync(root + "/a/b")).EventList());
        Assert.Equal([(EventType.NodeDataChanged, root + "/a/b")], (await zk.SetDataAsync(root + "/a/b", [1])).EventList());
        Assert.Equal([(EventType.NodeDataChanged, root)], (await zk.SetDataAsync(root, [1])).EventList());
        Assert.Equal([(EventType.NodeDeleted, root + "/a/b")], (await zk.DeleteAsync(root + "/a/b")).EventList());

        // A one-shot child watch on an ancestor is not consumed by the recursive match.
        (await zk.GetChildrenAsync(root + "/a", watch: true)).AssertOk();
        Assert.Equal(
            [(EventType.NodeCreated, root + "/a/c"), (EventType.NodeChildrenChanged, root + "/a")],
            (await zk.CreateAsync(root + "/a/c")).EventList().Order());
    }

    [Fact]
    public async Task AddWatchRejectsUnknownModes()
    {
        var zk = await ConnectAsync();
        var baseline = await LastZxidAsync(zk);
        foreach (var mode in new[] { 2, -1, int.MaxValue })
        {
            var reply = await zk.CallAsync(OpCode.AddWatch, new AddWatchRequest("/x", mode), Ct);
            reply.AssertError(KeeperErrorCode.MarshallingError);
            Assert.Equal(baseline, reply.Zxid);
        }
    }

    [Fact]
    public async Task CheckAndRemoveWatches()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var baseline = await LastZxidAsync(zk);

        (await zk.CheckWatchesAsync(root, WatcherType.Data)).AssertError(KeeperErrorCode.NoWatcher);
        (await zk.RemoveWatchesAsync(root, WatcherType.Any)).AssertError(KeeperErrorCode.NoWatcher);

        (await zk.GetDataAsync(root, watch: true)).AssertOk();
        (await zk.CheckWatchesAsync(root, WatcherType.Data)).AssertOk();
        (await zk.CheckWatchesAsync(root, WatcherType.Any)).AssertOk();
        (await zk.CheckWatchesAsync(root, WatcherType.Children)).AssertError(KeeperErrorCode.NoWatcher);

        // Removing the data watch: nothing fires any more.
        Assert.Equal(baseline, (await zk.RemoveWatchesAsync(root, WatcherType.Data)).AssertOk().Zxid);
        (await zk.CheckWatchesAsync(root, WatcherType.Data)).AssertError(KeeperErrorCode.NoWatcher);
        Assert.Empty((await zk.SetDataAsync(root, [1])).NotificationsBefore);

        // Any removes both kinds.
        (await zk.ExistsAsync(root, watch: true)).AssertOk();
        (await zk.GetChildrenAsync(root, watch: true)).AssertOk();
        (await zk.RemoveWatchesAsync(root, WatcherType.Any)).AssertOk();
        (await zk.CheckWatchesAsync(root, WatcherType.Any)).AssertError(KeeperErrorCode.NoWatcher);
        Assert.Empty((await zk.CreateAsync(root + "/c")).NotificationsBefore);

        // Unknown types are marshalling errors.
        (await zk.CallAsync(OpCode.CheckWatches, new CheckWatchesRequest(root, 9), Ct)).AssertError(KeeperErrorCode.MarshallingError);
        (await zk.CallAsync(OpCode.RemoveWatches, new RemoveWatchesRequest(root, 0), Ct)).AssertError(KeeperErrorCode.MarshallingError);
    }

    [Fact]
    public async Task CheckAndRemoveWatchesOfPersistentWatches()
    {
        // 3.8 keeps a persistent watch as an entry in both tables and knows only the types
        // Children, Data and Any for them; 3.9 adds Persistent (4) and PersistentRecursive (5),
        // which 3.8 answers with −5 (§8, §24).
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.AddWatchAsync(root, AddWatchMode.Persistent)).AssertOk();
        if (Traits.WatchModesAreIndependent)
        {
            await CheckAndRemoveWatchesByModeAsync(zk, root);
            return;
        }

        (await zk.CheckWatchesAsync(root, WatcherType.Data)).AssertOk();
        (await zk.CheckWatchesAsync(root, WatcherType.Children)).AssertOk();
        (await zk.CheckWatchesAsync(root, WatcherType.Persistent)).AssertError(KeeperErrorCode.MarshallingError);
        (await zk.CheckWatchesAsync(root, WatcherType.PersistentRecursive)).AssertError(KeeperErrorCode.MarshallingError);
        (await zk.RemoveWatchesAsync(root, WatcherType.Persistent)).AssertError(KeeperErrorCode.MarshallingError);

        // Removing the Data side leaves the child side firing.
        (await zk.RemoveWatchesAsync(root, WatcherType.Data)).AssertOk();
        Assert.Empty((await zk.SetDataAsync(root, [1])).NotificationsBefore);
        Assert.Equal([(EventType.NodeChildrenChanged, root)], (await zk.CreateAsync(root + "/a")).EventList());
        (await zk.RemoveWatchesAsync(root, WatcherType.Any)).AssertOk();
        Assert.Empty((await zk.CreateAsync(root + "/b")).NotificationsBefore);
        (await zk.CheckWatchesAsync(root, WatcherType.Any)).AssertError(KeeperErrorCode.NoWatcher);
    }

    /// <summary>3.9 (ZOOKEEPER-4466, ZOOKEEPER-4472): each mode on its own, Any for all (§15.4).</summary>
    private static async Task CheckAndRemoveWatchesByModeAsync(RawZooKeeperConnection zk, string root)
    {
        // Data and Children are the one-shot watches only.
        (await zk.CheckWatchesAsync(root, WatcherType.Data)).AssertError(KeeperErrorCode.NoWatcher);
        (await zk.CheckWatchesAsync(root, WatcherType.Children)).AssertError(KeeperErrorCode.NoWatcher);
        (await zk.RemoveWatchesAsync(root, WatcherType.Data)).AssertError(KeeperErrorCode.NoWatcher);
        (await zk.CheckWatchesAsync(root, WatcherType.Persistent)).AssertOk();
        (await zk.CheckWatchesAsync(root, WatcherType.PersistentRecursive)).AssertError(KeeperErrorCode.NoWatcher);
        (await zk.CheckWatchesAsync(root, WatcherType.Any)).AssertOk();

        // A one-shot data watch beside it: removing Data takes the one-shot one and leaves the
        // persistent watch firing on both kinds of change.
        (await zk.GetDataAsync(root, watch: true)).AssertOk();
        (await zk.RemoveWatchesAsync(root, WatcherType.Data)).AssertOk();
        Assert.Equal([(EventType.NodeDataChanged, root)], (await zk.SetDataAsync(root, [1])).EventList());
        Assert.Equal([(EventType.NodeChildrenChanged, root)], (await zk.CreateAsync(root + "/a")).EventList());

        // Removing Persistent ends it.
        (await zk.RemoveWatchesAsync(root, WatcherType.Persistent)).AssertOk();
        Assert.Empty((await zk.CreateAsync(root + "/b")).NotificationsBefore);
        (await zk.CheckWatchesAsync(root, WatcherType.Any)).AssertError(KeeperErrorCode.NoWatcher);

        // A recursive watch answers to PersistentRecursive and Any, and Any removes it.
        (await zk.AddWatchAsync(root, AddWatchMode.PersistentRecursive)).AssertOk();
        (await zk.CheckWatchesAsync(root, WatcherType.Persistent)).AssertError(KeeperErrorCode.NoWatcher);
        (await zk.CheckWatchesAsync(root, WatcherType.PersistentRecursive)).AssertOk();
        (await zk.RemoveWatchesAsync(root, WatcherType.Any)).AssertOk();
        Assert.Empty((await zk.CreateAsync(root + "/a/c")).NotificationsBefore);
        (await zk.CheckWatchesAsync(root, WatcherType.Any)).AssertError(KeeperErrorCode.NoWatcher);
    }

    [Fact]
    public async Task SetWatchesFiresWhatWasMissedAndRegistersTheRest()
    {
        var writer = await ConnectAsync();
        var root = await NewRootAsync(writer);
        foreach (var name in new[] { "changed", "deleted", "same", "parent", "gone", "quiet" })
        {
            (await writer.CreateAsync(root + "/" + name)).AssertOk();
        }

        var relativeZxid = await LastZxidAsync(writer);
        (await writer.SetDataAsync(root + "/changed", [1])).AssertOk();
        (await writer.DeleteAsync(root + "/deleted")).AssertOk();
        (await writer.CreateAsync(root + "/appeared")).AssertOk();
        (await writer.CreateAsync(root + "/parent/kid")).AssertOk();
        (await writer.DeleteAsync(root + "/gone")).AssertOk();

        // A session (re)declares its watches as of relativeZxid (§15.6).
        var zk = await ConnectAsync();
        var setWatches = await zk.CallAsync(OpCode.SetWatches, new SetWatches(
            relativeZxid,
            DataWatches: [root + "/changed", root + "/deleted", root + "/same"],
            ExistWatches: [root + "/appeared", root + "/absent"],
            ChildWatches: [root + "/parent", root + "/gone", root + "/quiet"]), Ct);
        setWatches.AssertOk();
        Assert.Empty(setWatches.Reply.Body);

        // Catch-up events precede the reply, carry zxid −1, in list order.
        Assert.All(setWatches.NotificationsBefore, n => Assert.Equal(-1, n.Zxid));
        Assert.Equal(
            [
                (EventType.NodeDataChanged, root + "/changed"),
                (EventType.NodeDeleted, root + "/deleted"),
                (EventType.NodeCreated, root + "/appeared"),
                (EventType.NodeChildrenChanged, root + "/parent"),
                (EventType.NodeDeleted, root + "/gone"),
            ],
            setWatches.EventList());

        // The rest were registered: they fire on the next change.
        Assert.Equal([(EventType.NodeDataChanged, root + "/same")], (await zk.SetDataAsync(root + "/same", [1])).EventList());
        Assert.Equal([(EventType.NodeCreated, root + "/absent")], (await zk.CreateAsync(root + "/absent")).EventList());
        Assert.Equal([(EventType.NodeChildrenChanged, root + "/quiet")], (await zk.CreateAsync(root + "/quiet/kid")).EventList());

        // The fired ones were not.
        Assert.Empty((await zk.SetDataAsync(root + "/changed", [2])).NotificationsBefore);
    }

    [Fact]
    public async Task SetWatchesWithTheCClientsXidIsEchoed()
    {
        // §5: the C client sends setWatches with xid −8; the server echoes whatever arrives.
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var relativeZxid = await LastZxidAsync(zk);
        await zk.SendAsync(new RequestHeader(Xids.SetWatches, (int)OpCode.SetWatches), new SetWatches(relativeZxid, [root], [], []), Ct);
        var reply = await zk.ReceiveReplyAsync(Xids.SetWatches, Ct);
        reply.AssertOk();
        Assert.Equal([(EventType.NodeDataChanged, root)], (await zk.SetDataAsync(root, [1])).EventList());
    }

    [Fact]
    public async Task SetWatches2RegistersPersistentWatchesWithoutCatchUp()
    {
        var writer = await ConnectAsync();
        var root = await NewRootAsync(writer);
        (await writer.CreateAsync(root + "/p")).AssertOk();
        var relativeZxid = await LastZxidAsync(writer);
        (await writer.SetDataAsync(root + "/p", [1])).AssertOk();
        (await writer.CreateAsync(root + "/r")).AssertOk();

        var zk = await ConnectAsync();
        var setWatches = (await zk.CallAsync(OpCode.SetWatches2, new SetWatches2(relativeZxid, [], [], [], [root + "/p"], [root + "/r"]), Ct)).AssertOk();
        Assert.Empty(setWatches.NotificationsBefore);

        Assert.Equal([(EventType.NodeDataChanged, root + "/p")], (await zk.SetDataAsync(root + "/p", [2])).EventList());
        Assert.Equal([(EventType.NodeDataChanged, root + "/p")], (await zk.SetDataAsync(root + "/p", [3])).EventList());
        Assert.Equal([(EventType.NodeCreated, root + "/r/x")], (await zk.CreateAsync(root + "/r/x")).EventList());
    }

    [Fact]
    public async Task NotificationsAreFilteredByReadPermission()
    {
        // The Debian 3.8.0 package carries the 3.8.4 fix: no event for a connection that lacks
        // READ on the node (for NodeChildrenChanged, the parent) (§15.2).
        var owner = await ConnectAsync();
        var stranger = await ConnectAsync();
        (await owner.DigestAsync("alice", "secret")).AssertOk();
        var root = await NewRootAsync(owner);
        var aliceOnly = new[] { new ACL(Perms.All, new Id("digest", ContractServerOptions.Digest("alice", "secret"))) };
        (await owner.CreateAsync(root + "/secret", acl: aliceOnly)).AssertOk();

        // The stranger's watches: an exists watch on the protected node (where exists checks
        // READ it is refused, and leaves no watch), one on a node yet to be created, and a
        // recursive watch over everything.
        var existsSecret = await stranger.ExistsAsync(root + "/secret", watch: true);
        existsSecret.AssertError(Traits.ExistsChecksRead ? KeeperErrorCode.NoAuth : KeeperErrorCode.Ok);
        (await stranger.ExistsAsync(root + "/new", watch: true)).AssertError(KeeperErrorCode.NoNode);
        (await stranger.AddWatchAsync(root, AddWatchMode.PersistentRecursive)).AssertOk();

        (await owner.SetDataAsync(root + "/secret", [1])).AssertOk();
        (await owner.CreateAsync(root + "/new", acl: aliceOnly)).AssertOk();
        (await owner.CreateAsync(root + "/open")).AssertOk();

        Assert.Equal([(EventType.NodeCreated, root + "/open")], (await stranger.SyncAsync(root)).EventList());
    }
}
