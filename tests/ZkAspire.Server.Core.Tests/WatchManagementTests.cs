// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>addWatch, checkWatches, removeWatches, setWatches and setWatches2 (wire-protocol doc §15.1, §15.4, §15.6).</summary>
public sealed class WatchManagementTests
{
    private readonly TestServer _server = new();
    private readonly TestClient _client;
    private readonly TestClient _writer;

    public WatchManagementTests()
    {
        _client = _server.Connect();
        _writer = _server.Connect();
    }

    [Fact]
    public void AddWatchNeedsNoNodeNorAclAndRepliesWithAFourByteZero_Section23_14()
    {
        _writer.Create("/sealed", acl: [new ACL(Perms.Write, Id.AnyoneIdUnsafe)]);
        Assert.Equal(new ErrorResponse(0), _client.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/nowhere", 0)));
        Assert.Equal(new ErrorResponse(0), _client.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/sealed", 1)));
        Assert.Equal(
            [WatchKind.Persistent, WatchKind.PersistentRecursive],
            _server.Replica.GetWatches().Select(w => w.Kind).Order());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    public void AddWatchWithAnUnknownModeIsAMarshallingError_Section8(int mode) =>
        _client.Fails(KeeperErrorCode.MarshallingError, OpCode.AddWatch, new AddWatchRequest("/a", mode));

    [Fact]
    public void CheckWatchesReportsEachTypeIndependently_Section15_4()
    {
        _writer.Create("/a");
        _client.GetData("/a", watch: true);
        Assert.Equal(KeeperErrorCode.Ok, Check("/a", WatcherType.Data));
        Assert.Equal(KeeperErrorCode.Ok, Check("/a", WatcherType.Any));
        Assert.Equal(KeeperErrorCode.NoWatcher, Check("/a", WatcherType.Children));
        Assert.Equal(KeeperErrorCode.NoWatcher, Check("/a", WatcherType.Persistent));
        Assert.Equal(KeeperErrorCode.NoWatcher, Check("/a", WatcherType.PersistentRecursive));
        Assert.Equal(KeeperErrorCode.NoWatcher, Check("/b", WatcherType.Any));

        _client.Children("/a", watch: true);
        _client.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/a", 1));
        Assert.Equal(KeeperErrorCode.Ok, Check("/a", WatcherType.Children));
        Assert.Equal(KeeperErrorCode.Ok, Check("/a", WatcherType.PersistentRecursive));

        // Another connection's watches are not this one's.
        Assert.Equal(KeeperErrorCode.NoWatcher, _writer.Call(OpCode.CheckWatches, new CheckWatchesRequest("/a", (int)WatcherType.Any)).Header.Error);
    }

    [Fact]
    public void ExistWatchesCountAsDataWatches_Section8()
    {
        _client.Fails(KeeperErrorCode.NoNode, OpCode.Exists, new ExistsRequest("/missing", true));
        Assert.Equal(KeeperErrorCode.Ok, Check("/missing", WatcherType.Data));
        Assert.Equal(KeeperErrorCode.Ok, Remove("/missing", WatcherType.Data));
        _writer.Create("/missing");
        _client.NoMoreFrames();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void UnknownWatcherTypeIsAMarshallingError_Section8(int type)
    {
        _client.Fails(KeeperErrorCode.MarshallingError, OpCode.CheckWatches, new CheckWatchesRequest("/a", type));
        _client.Fails(KeeperErrorCode.MarshallingError, OpCode.RemoveWatches, new RemoveWatchesRequest("/a", type));
    }

    [Fact]
    public void RemoveWatchesRemovesOnlyTheRequestedType_Section15_4()
    {
        _writer.Create("/a");
        _client.GetData("/a", watch: true);
        _client.Children("/a", watch: true);

        Assert.Equal(KeeperErrorCode.Ok, Remove("/a", WatcherType.Children));
        Assert.Equal(KeeperErrorCode.NoWatcher, Remove("/a", WatcherType.Children));
        _writer.Create("/a/x");
        _client.NoMoreFrames();

        _writer.SetData("/a", [1]);
        Assert.Equal(new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/a"), _client.NextEvent());
    }

    [Fact]
    public void RemoveWatchesPersistentTakesItFromBothTablesAndLeavesOneShots_Section15_4()
    {
        _writer.Create("/a");
        _client.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/a", 0));
        _client.GetData("/a", watch: true);

        Assert.Equal(KeeperErrorCode.Ok, Remove("/a", WatcherType.Persistent));
        Assert.Equal(KeeperErrorCode.NoWatcher, Remove("/a", WatcherType.Persistent));
        _writer.Create("/a/x");
        _client.NoMoreFrames();
        Assert.Equal(KeeperErrorCode.Ok, Check("/a", WatcherType.Data));
    }

    [Fact]
    public void RemoveWatchesRecursiveAndAny_Section15_4()
    {
        _client.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/r", 1));
        Assert.Equal(KeeperErrorCode.NoWatcher, Remove("/r", WatcherType.Persistent));
        Assert.Equal(KeeperErrorCode.Ok, Remove("/r", WatcherType.PersistentRecursive));
        _writer.Create("/r");
        _client.NoMoreFrames();

        _client.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/r", 0));
        _client.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/r", 1));
        _client.Children("/r", watch: true);
        Assert.Equal(KeeperErrorCode.Ok, Remove("/r", WatcherType.Any));
        Assert.Empty(_server.Replica.GetWatches());
        Assert.Equal(KeeperErrorCode.NoWatcher, Remove("/r", WatcherType.Any));
        _writer.Create("/r/x");
        _client.NoMoreFrames();
    }

    [Fact]
    public void SetWatchesSendsCatchUpEventsWithZxidMinusOneBeforeItsReply_Section15_6()
    {
        _writer.Create("/data", [1]);
        _writer.Create("/children");
        _writer.Create("/exists");
        var relative = _server.Replica.LastProcessedZxid;
        _writer.Create("/fresh");
        _writer.SetData("/data", [2]);
        _writer.Create("/children/new");

        var xid = _client.Send(OpCode.SetWatches, new SetWatches(
            relative,
            ["/data", "/gone", "/fresh"],
            ["/exists", "/not-yet"],
            ["/children", "/gone2", "/fresh"]));

        var frames = _client.PendingFrames();
        Assert.Equal(xid, frames[^1].Header.Xid);
        Assert.Equal(new ReplyHeader(xid, _server.Replica.LastProcessedZxid, 0), frames[^1].Header);
        Assert.All(frames[..^1], f => Assert.Equal(new ReplyHeader(Xids.Notification, -1, 0), f.Header));
        Assert.Equal(
            [
                Event(EventType.NodeDataChanged, "/data"),
                Event(EventType.NodeDeleted, "/gone"),
                Event(EventType.NodeDataChanged, "/fresh"),
                Event(EventType.NodeCreated, "/exists"),
                Event(EventType.NodeChildrenChanged, "/children"),
                Event(EventType.NodeDeleted, "/gone2"),
                Event(EventType.NodeChildrenChanged, "/fresh"),
            ],
            frames[..^1].Select(f => f.AsEvent()));

        // Only /not-yet was re-registered (as an exist watch).
        Assert.Equal([new WatchSnapshot(_client.ConnectionId, _client.SessionId, "/not-yet", WatchKind.Data)], _server.Replica.GetWatches());
    }

    [Fact]
    public void SetWatchesReRegistersWhatDidNotChange_Section15_6()
    {
        _writer.Create("/a", [1]);
        _writer.Create("/a/b");
        var relative = _server.Replica.LastProcessedZxid;
        var reply = _client.Call(OpCode.SetWatches, new SetWatches(relative, ["/a"], [], ["/a"]));
        Assert.Equal(KeeperErrorCode.Ok, reply.Header.Error);
        Assert.Null(reply.Body);
        _client.NoMoreFrames();

        _writer.SetData("/a", [2]);
        Assert.Equal(Event(EventType.NodeDataChanged, "/a"), _client.NextEvent());
        _writer.Delete("/a/b");
        Assert.Equal(Event(EventType.NodeChildrenChanged, "/a"), _client.NextEvent());
    }

    [Fact]
    public void SetWatches2AlsoRegistersPersistentWatchesWithoutCatchUp_Section15_6()
    {
        _writer.Create("/p", [1]);
        _client.Call(OpCode.SetWatches2, new SetWatches2(0, [], [], [], ["/p"], ["/r"]));
        _client.NoMoreFrames();
        Assert.Equal([WatchKind.Persistent, WatchKind.PersistentRecursive], _server.Replica.GetWatches().Select(w => w.Kind).Order());

        _writer.SetData("/p", [2]);
        _writer.Create("/r");
        Assert.Equal(Event(EventType.NodeDataChanged, "/p"), _client.NextEvent());
        Assert.Equal(Event(EventType.NodeCreated, "/r"), _client.NextEvent());
    }

    [Fact]
    public void CatchUpEventsIgnoreAcls_Section15_6()
    {
        _writer.Create("/hidden", acl: [new ACL(Perms.Write, Id.AnyoneIdUnsafe)]);
        _client.Call(OpCode.SetWatches, new SetWatches(0, [], ["/hidden"], []));
        Assert.Equal(Event(EventType.NodeCreated, "/hidden"), _client.NextEvent());
    }

    [Fact]
    public void SetWatchesEchoesTheCClientsXidMinusEight_Section5()
    {
        _client.Send(OpCode.SetWatches, new SetWatches(0, [], [], []), Xids.SetWatches);
        Assert.Equal(Xids.SetWatches, _client.NextFrame().Header.Xid);
    }

    /// <remarks>Checked on Apache ZooKeeper 3.8: the lists before the null one are handled, then −5.</remarks>
    [Fact]
    public void NullListFailsSetWatchesAfterTheListsBeforeIt()
    {
        _writer.Create("/a", [1]);
        _client.Fails(KeeperErrorCode.MarshallingError, OpCode.SetWatches, new SetWatches(0, ["/a", "/gone"], null, []));
        Assert.Equal(Event(EventType.NodeDataChanged, "/a"), _client.Events.Dequeue().Event);
        Assert.Equal(Event(EventType.NodeDeleted, "/gone"), _client.Events.Dequeue().Event);
    }

    private static WatcherEvent Event(EventType type, string path) => new(type, KeeperState.SyncConnected, path);

    private KeeperErrorCode Check(string path, WatcherType type) =>
        _client.Call(OpCode.CheckWatches, new CheckWatchesRequest(path, (int)type)).Header.Error;

    private KeeperErrorCode Remove(string path, WatcherType type) =>
        _client.Call(OpCode.RemoveWatches, new RemoveWatchesRequest(path, (int)type)).Header.Error;
}
