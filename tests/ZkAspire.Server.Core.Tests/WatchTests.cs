// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>One-shot, persistent and recursive watches: what fires, when, and for whom (wire-protocol doc §13, §15).</summary>
public sealed class WatchTests
{
    private readonly TestServer _server = new();
    private readonly TestClient _watcher;
    private readonly TestClient _writer;

    public WatchTests()
    {
        _watcher = _server.Connect();
        _writer = _server.Connect();
    }

    [Fact]
    public void DataWatchFiresOnceWithTheTxnZxid_Section15_5()
    {
        _writer.Create("/a", [1]);
        _watcher.GetData("/a", watch: true);

        _writer.SetData("/a", [2]);
        var zxid = _server.Replica.LastProcessedZxid;
        var frame = _watcher.NextFrame();
        Assert.Equal(new ReplyHeader(Xids.Notification, zxid, 0), frame.Header);
        Assert.Equal(new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/a"), frame.AsEvent());

        _writer.SetData("/a", [3]);
        _watcher.NoMoreFrames();
        Assert.Empty(_server.Replica.GetWatches());
    }

    [Fact]
    public void ExistsWatchOnAMissingNodeFiresNodeCreated_Section23_13()
    {
        _watcher.Fails(KeeperErrorCode.NoNode, OpCode.Exists, new ExistsRequest("/later", true));
        _writer.Create("/later");
        Assert.Equal(Event(EventType.NodeCreated, "/later"), _watcher.NextEvent());
    }

    [Fact]
    public void GetDataAndGetChildrenOnAMissingNodeLeaveNoWatch_Section23_13()
    {
        _watcher.Fails(KeeperErrorCode.NoNode, OpCode.GetData, new GetDataRequest("/later", true));
        _watcher.Fails(KeeperErrorCode.NoNode, OpCode.GetChildren, new GetChildrenRequest("/later", true));
        _writer.Create("/later");
        _writer.Create("/later/x");
        _watcher.NoMoreFrames();
    }

    [Fact]
    public void ExistsWatchOnAnExistingNodeFiresOnDataChangeAndDelete_Section15_2()
    {
        _writer.Create("/a");
        _watcher.Stat("/a");
        _watcher.Ok<ExistsResponse>(OpCode.Exists, new ExistsRequest("/a", true));
        _writer.Delete("/a");
        Assert.Equal(Event(EventType.NodeDeleted, "/a"), _watcher.NextEvent());
    }

    [Fact]
    public void ChildWatchFiresOnMembershipChangesButNotOnChildData_Section15_2()
    {
        _writer.Create("/p");
        _writer.Create("/p/x");
        _watcher.Children("/p", watch: true);
        _writer.SetData("/p/x", [1]);
        _writer.SetData("/p", [1]);
        _watcher.NoMoreFrames();

        _writer.Create("/p/y");
        Assert.Equal(Event(EventType.NodeChildrenChanged, "/p"), _watcher.NextEvent());

        _watcher.Ok<GetChildren2Response>(OpCode.GetChildren2, new GetChildren2Request("/p", true));
        _writer.Delete("/p/x");
        Assert.Equal(Event(EventType.NodeChildrenChanged, "/p"), _watcher.NextEvent());
    }

    [Fact]
    public void TopLevelChildChangesAreReportedOnTheRoot_Section15_2()
    {
        _watcher.Children("/", watch: true);
        _writer.Create("/top");
        Assert.Equal(Event(EventType.NodeChildrenChanged, "/"), _watcher.NextEvent());
    }

    [Fact]
    public void DeletingANodeWithDataAndChildWatchesSendsOneNodeDeleted_Section15_2()
    {
        _writer.Create("/a");
        _watcher.GetData("/a", watch: true);
        _watcher.Children("/a", watch: true);
        _writer.Delete("/a");
        Assert.Equal(Event(EventType.NodeDeleted, "/a"), _watcher.NextEvent());
        _watcher.NoMoreFrames();

        // Both one-shot watches were spent.
        Assert.Empty(_server.Replica.GetWatches());
    }

    [Fact]
    public void ChildWatchAloneHearsTheNodesDeletion_Section15_2()
    {
        _writer.Create("/a");
        _watcher.Children("/a", watch: true);
        _writer.Delete("/a");
        Assert.Equal(Event(EventType.NodeDeleted, "/a"), _watcher.NextEvent());
    }

    [Fact]
    public void NotificationPrecedesTheReplyOfTheWriteThatCausedIt_Section13()
    {
        _writer.Create("/a");
        _writer.GetData("/a", watch: true);

        var xid = _writer.Send(OpCode.SetData, new SetDataRequest("/a", [1], -1));
        var first = _writer.NextFrame();
        Assert.True(first.IsNotification);
        Assert.Equal(Event(EventType.NodeDataChanged, "/a"), first.AsEvent());
        Assert.Equal(xid, _writer.NextFrame().Header.Xid);
    }

    [Fact]
    public void NotificationsOfAMultiAllPrecedeItsReply_Section14_3()
    {
        _writer.Create("/a");
        _watcher.GetData("/a", watch: true);
        _writer.Children("/", watch: true);
        _writer.Ok<ExistsResponse>(OpCode.Exists, new ExistsRequest("/a", true));

        var xid = _writer.Send(OpCode.Multi, new MultiRequest(
        [
            new MultiOp(OpCode.SetData, new SetDataRequest("/a", [1], -1)),
            new MultiOp(OpCode.Create, new CreateRequest("/b", null, Acls.OpenAclUnsafe, 0)),
        ]));
        var frames = _writer.PendingFrames();
        Assert.Equal(3, frames.Count);
        Assert.True(frames[0].IsNotification && frames[1].IsNotification);
        Assert.Equal(xid, frames[2].Header.Xid);
        Assert.Equal(
            [Event(EventType.NodeDataChanged, "/a"), Event(EventType.NodeChildrenChanged, "/")],
            frames.Take(2).Select(f => f.AsEvent()));
        Assert.Equal(Event(EventType.NodeDataChanged, "/a"), _watcher.NextEvent());
    }

    [Fact]
    public void PersistentWatchSurvivesFiringAndDeletion_Section15_1()
    {
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/p", (int)AddWatchMode.Persistent));
        _writer.Create("/p");
        _writer.SetData("/p", [1]);
        _writer.Create("/p/c");
        _writer.SetData("/p/c", [1]);
        _writer.Delete("/p/c");
        _writer.Delete("/p");
        _writer.Create("/p");

        Assert.Equal(
            [
                Event(EventType.NodeCreated, "/p"),
                Event(EventType.NodeDataChanged, "/p"),
                Event(EventType.NodeChildrenChanged, "/p"),
                Event(EventType.NodeChildrenChanged, "/p"),
                Event(EventType.NodeDeleted, "/p"),
                Event(EventType.NodeCreated, "/p"),
            ],
            Drain(_watcher));
    }

    [Fact]
    public void RecursiveWatchCoversDescendantsButNeverChildrenChanged_Section15_2()
    {
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/r", (int)AddWatchMode.PersistentRecursive));
        _writer.Create("/r");
        _writer.Create("/r/a");
        _writer.Create("/r/a/b");
        _writer.SetData("/r/a/b", [1]);
        _writer.Delete("/r/a/b");
        _writer.Create("/rx");

        Assert.Equal(
            [
                Event(EventType.NodeCreated, "/r"),
                Event(EventType.NodeCreated, "/r/a"),
                Event(EventType.NodeCreated, "/r/a/b"),
                Event(EventType.NodeDataChanged, "/r/a/b"),
                Event(EventType.NodeDeleted, "/r/a/b"),
            ],
            Drain(_watcher));
    }

    [Fact]
    public void RecursiveWatchOnTheRootSeesEverything()
    {
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/", (int)AddWatchMode.PersistentRecursive));
        _writer.Create("/x");
        _writer.Create("/x/y");
        Assert.Equal([Event(EventType.NodeCreated, "/x"), Event(EventType.NodeCreated, "/x/y")], Drain(_watcher));
    }

    [Fact]
    public void OneEventPerConnectionWhateverTheNumberOfMatchingRegistrations_Section15_2()
    {
        _writer.Create("/a");
        _writer.Create("/a/b");
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/", (int)AddWatchMode.PersistentRecursive));
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/a", (int)AddWatchMode.PersistentRecursive));
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/a/b", (int)AddWatchMode.Persistent));
        _watcher.GetData("/a/b", watch: true);
        _watcher.Ok<ExistsResponse>(OpCode.Exists, new ExistsRequest("/a/b", true));

        _writer.SetData("/a/b", [1]);
        Assert.Equal([Event(EventType.NodeDataChanged, "/a/b")], Drain(_watcher));
    }

    [Fact]
    public void PersistentWatchHearsEveryOpOfAMultiThatTouchesItsPath()
    {
        // ZooKeeper fires watches per sub-op as it applies a multi: two writes, two events.
        _writer.Create("/a");
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/a", (int)AddWatchMode.Persistent));
        _writer.Ok<MultiResponse>(OpCode.Multi, new MultiRequest(
        [
            new MultiOp(OpCode.SetData, new SetDataRequest("/a", [1], -1)),
            new MultiOp(OpCode.SetData, new SetDataRequest("/a", [2], -1)),
        ]));

        Assert.Equal([Event(EventType.NodeDataChanged, "/a"), Event(EventType.NodeDataChanged, "/a")], Drain(_watcher));
    }

    [Fact]
    public void OneShotAndPersistentModesOnOnePathAreTrackedIndependently_Section24()
    {
        _writer.Create("/a");
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/a", (int)AddWatchMode.Persistent));
        _watcher.GetData("/a", watch: true);

        _writer.SetData("/a", [1]);
        Assert.Equal([Event(EventType.NodeDataChanged, "/a")], Drain(_watcher));
        Assert.Equal(KeeperErrorCode.NoWatcher, _watcher.Call(OpCode.CheckWatches, new CheckWatchesRequest("/a", (int)WatcherType.Data)).Header.Error);
        Assert.Equal(KeeperErrorCode.Ok, _watcher.Call(OpCode.CheckWatches, new CheckWatchesRequest("/a", (int)WatcherType.Persistent)).Header.Error);

        _writer.SetData("/a", [2]);
        Assert.Equal([Event(EventType.NodeDataChanged, "/a")], Drain(_watcher));
    }

    [Fact]
    public void AncestorRecursiveMatchDoesNotSpendTheAncestorsOneShotWatch_Section15_2()
    {
        _writer.Create("/a");
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/a", (int)AddWatchMode.PersistentRecursive));
        _watcher.GetData("/a", watch: true);

        _writer.Create("/a/b");
        Assert.Equal([Event(EventType.NodeCreated, "/a/b")], Drain(_watcher));
        Assert.Equal(KeeperErrorCode.Ok, _watcher.Call(OpCode.CheckWatches, new CheckWatchesRequest("/a", (int)WatcherType.Data)).Header.Error);
    }

    [Fact]
    public void WatchesGoWithTheirConnection_Section16()
    {
        _writer.Create("/a");
        _watcher.GetData("/a", watch: true);
        _watcher.Children("/a", watch: true);
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/", (int)AddWatchMode.PersistentRecursive));
        Assert.Equal(3, _server.Replica.GetWatches().Count);

        _server.Replica.ConnectionClosed(_watcher.ConnectionId, _server.NowMs);
        Assert.Empty(_server.Replica.GetWatches());
        _writer.SetData("/a", [1]);
        _watcher.NoMoreFrames();
    }

    [Fact]
    public void EventsGoOnlyToConnectionsThatMayReadTheNode_Section15_2()
    {
        _writer.AddAuth("digest", "alice:secret");
        _writer.Create("/private", acl: [new ACL(Perms.All, Id.AuthIds)]);
        _writer.Create("/private/child", acl: Acls.OpenAclUnsafe);
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/private", (int)AddWatchMode.PersistentRecursive));
        _watcher.GetData("/private/child", watch: true);
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/private", (int)AddWatchMode.Persistent));

        // The child is readable: its own events arrive.
        _writer.SetData("/private/child", [1]);
        Assert.Equal([Event(EventType.NodeDataChanged, "/private/child")], Drain(_watcher));

        // The parent is not: its data change is filtered, and so is its NodeChildrenChanged.
        _writer.SetData("/private", [1]);
        _writer.Create("/private/other", acl: Acls.OpenAclUnsafe);
        Assert.Equal([Event(EventType.NodeCreated, "/private/other")], Drain(_watcher));
    }

    [Fact]
    public void FilteredOneShotWatchIsSpentAnyway_Section15_2()
    {
        _writer.AddAuth("digest", "alice:secret");
        _writer.Create("/a", acl: Acls.OpenAclUnsafe);
        _watcher.GetData("/a", watch: true);
        _writer.Ok<SetACLResponse>(OpCode.SetACL, new SetACLRequest("/a", [new ACL(Perms.All, Id.AuthIds)], -1));

        _writer.SetData("/a", [1]);
        _writer.Ok<SetACLResponse>(OpCode.SetACL, new SetACLRequest("/a", Acls.OpenAclUnsafe, -1));
        _writer.SetData("/a", [2]);
        _watcher.NoMoreFrames();
        Assert.Empty(_server.Replica.GetWatches());
    }

    [Fact]
    public void SetAclAndReadsFireNothing_Section15_2()
    {
        _writer.Create("/a");
        _watcher.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/a", (int)AddWatchMode.Persistent));
        _writer.Ok<SetACLResponse>(OpCode.SetACL, new SetACLRequest("/a", Acls.OpenAclUnsafe, -1));
        _writer.GetData("/a");
        _writer.Ok<SyncResponse>(OpCode.Sync, new SyncRequest("/a"));
        _watcher.NoMoreFrames();
    }

    private static WatcherEvent Event(EventType type, string path) => new(type, KeeperState.SyncConnected, path);

    private static List<WatcherEvent> Drain(TestClient client)
    {
        var events = new List<WatcherEvent>();
        while (client.Events.TryDequeue(out var queued))
        {
            events.Add(queued.Event);
        }

        foreach (var frame in client.PendingFrames())
        {
            Assert.True(frame.IsNotification, $"unexpected frame {frame}");
            events.Add(frame.AsEvent());
            client.NextFrame();
        }

        return events;
    }
}
