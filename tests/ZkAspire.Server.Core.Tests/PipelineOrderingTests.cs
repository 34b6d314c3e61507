// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// The persistence seam and per-session ordering: txns apply in zxid order once the host reports
/// them durable, a session's reads wait behind its writes, other sessions do not (wire-protocol
/// doc §13; ZooKeeper's SyncRequestProcessor and CommitProcessor).
/// </summary>
public sealed class PipelineOrderingTests
{
    private readonly TestServer _server = new(hostPersistence: true);

    [Fact]
    public void ConnectResponseWaitsForTheCreateSessionTxn()
    {
        var client = _server.Open();
        client.SendConnect(new ConnectRequest(0, 0, 30_000, 0, new byte[16], false));
        client.NoMoreFrames();

        var entry = Assert.Single(_server.Persistence!.Appended);
        Assert.Equal(OpCode.CreateSession, entry.Header.OpCode);
        Assert.Equal(new CreateSessionTxn(30_000), entry.Txn);
        Assert.Equal(0, _server.Replica.LastProcessedZxid);

        _server.PersistAll();
        client.ExpectConnected();
        Assert.Equal(1, _server.Replica.LastProcessedZxid);
    }

    [Fact]
    public void RequestsSentBeforeTheConnectResponseRunAfterIt_Section4_2()
    {
        var client = _server.Open();
        client.SendConnect(new ConnectRequest(0, 0, 30_000, 0, new byte[16], false));
        client.Send(OpCode.Auth, new AuthPacket(0, "digest", "alice:secret"u8.ToArray()), Xids.Auth);
        var createXid = client.Send(OpCode.Create, new CreateRequest("/mine", null, [new ACL(Perms.All, Id.AuthIds)], 0));
        Assert.Single(_server.Persistence!.Appended);

        _server.PersistAll();
        client.ExpectConnected();

        // The auth was processed before the create was prepped, so 'auth' had an identity to expand to.
        Assert.Equal(new ReplyHeader(Xids.Auth, 0, 0), client.NextFrame().Header);
        _server.PersistAll();
        var reply = client.NextFrame();
        Assert.Equal(createXid, reply.Header.Xid);
        Assert.Equal(KeeperErrorCode.Ok, reply.Header.Error);
    }

    [Fact]
    public void FloodBeforeTheConnectResponseClosesTheConnection()
    {
        var client = _server.Open();
        client.SendConnect(new ConnectRequest(0, 0, 30_000, 0, new byte[16], false));
        for (var i = 0; i < 1001; i++)
        {
            client.Send(OpCode.Ping, null, Xids.Ping);
        }

        client.ExpectClosed();
        _server.PersistAll();
        client.NoMoreFrames();
    }

    [Fact]
    public void WritesApplyOnlyOncePersistedAndInZxidOrder()
    {
        var client = Established();
        var a = client.Send(OpCode.Create, new CreateRequest("/a", null, Acls.OpenAclUnsafe, 0));
        var b = client.Send(OpCode.Create, new CreateRequest("/b", null, Acls.OpenAclUnsafe, 0));
        client.NoMoreFrames();
        Assert.Null(_server.Replica.Tree.GetNode("/a"));

        var appended = _server.Persistence!.Appended;
        Assert.Equal([2L, 3L], appended.Skip(1).Select(e => e.Zxid));

        _server.Replica.Persisted(2, _server.NowMs);
        Assert.Equal(a, client.NextFrame().Header.Xid);
        Assert.NotNull(_server.Replica.Tree.GetNode("/a"));
        Assert.Null(_server.Replica.Tree.GetNode("/b"));
        client.NoMoreFrames();

        _server.Replica.Persisted(3, _server.NowMs);
        Assert.Equal(b, client.NextFrame().Header.Xid);
    }

    [Fact]
    public void ReadsWaitBehindTheirSessionsWritesButNotBehindOthers_Section13()
    {
        var writer = Established();
        var reader = Established();
        writer.Create("/a", [1]);

        var setXid = writer.Send(OpCode.SetData, new SetDataRequest("/a", [2], -1));
        var readXid = writer.Send(OpCode.GetData, new GetDataRequest("/a", false));
        writer.NoMoreFrames();
        Assert.Equal(2, _server.Replica.GetStats().OutstandingRequests);

        // Another session reads at once, and sees the state before the unapplied write.
        Assert.Equal([1], reader.GetData("/a").Data);

        _server.PersistAll();
        Assert.Equal(setXid, writer.NextFrame().Header.Xid);
        var read = writer.NextFrame();
        Assert.Equal(readXid, read.Header.Xid);
        Assert.Equal([2], Assert.IsType<GetDataResponse>(read.Body).Data);
        Assert.Equal(0, _server.Replica.GetStats().OutstandingRequests);
    }

    [Fact]
    public void PrepSeesTheChangesOfTxnsStillInFlight_Section11()
    {
        var client = Established();
        var xids = new[]
        {
            client.Send(OpCode.Create, new CreateRequest("/p", null, Acls.OpenAclUnsafe, 0)),
            client.Send(OpCode.Create, new CreateRequest("/p/c", null, Acls.OpenAclUnsafe, 0)),
            client.Send(OpCode.Create, new CreateRequest("/p/c", null, Acls.OpenAclUnsafe, 0)),
            client.Send(OpCode.Create, new CreateRequest("/p/s-", null, Acls.OpenAclUnsafe, 2)),
            client.Send(OpCode.Delete, new DeleteRequest("/p", -1)),
            client.Send(OpCode.SetData, new SetDataRequest("/p/c", [1], 0)),
            client.Send(OpCode.SetData, new SetDataRequest("/p/c", [2], 1)),
        };
        client.NoMoreFrames();
        _server.PersistAll();

        var replies = xids.Select(client.ReadReply).ToArray();
        Assert.Equal(
            [KeeperErrorCode.Ok, KeeperErrorCode.Ok, KeeperErrorCode.NodeExists, KeeperErrorCode.Ok, KeeperErrorCode.NotEmpty, KeeperErrorCode.Ok, KeeperErrorCode.Ok],
            replies.Select(r => r.Header.Error));
        Assert.Equal(new CreateResponse("/p/s-0000000001"), replies[3].Body);
        Assert.Equal(2, client.Stat("/p/c").Version);
    }

    [Fact]
    public void FailedMultiInFlightLeavesNoChangesBehind_Section14_3()
    {
        var client = Established();
        client.Send(OpCode.Multi, new MultiRequest(
        [
            new MultiOp(OpCode.Create, new CreateRequest("/m", null, Acls.OpenAclUnsafe, 0)),
            new MultiOp(OpCode.Delete, new DeleteRequest("/missing", -1)),
        ]));
        var create = client.Send(OpCode.Create, new CreateRequest("/m", null, Acls.OpenAclUnsafe, 0));
        _server.PersistAll();
        client.NextFrame();
        Assert.Equal(KeeperErrorCode.Ok, client.ReadReply(create).Header.Error);
    }

    [Fact]
    public void NotificationsOfAnEarlierTxnPrecedeLaterReplies_Section13()
    {
        var writer = Established();
        var watcher = Established();
        writer.Create("/a");
        watcher.GetData("/a", watch: true);

        writer.Send(OpCode.SetData, new SetDataRequest("/a", [1], -1));
        var ownWrite = watcher.Send(OpCode.Create, new CreateRequest("/b", null, Acls.OpenAclUnsafe, 0));
        var read = watcher.Send(OpCode.GetData, new GetDataRequest("/a", false));
        _server.PersistAll();

        var frames = watcher.PendingFrames();
        Assert.Equal(3, frames.Count);
        Assert.True(frames[0].IsNotification);
        Assert.Equal(ownWrite, frames[1].Header.Xid);
        Assert.Equal(read, frames[2].Header.Xid);
        Assert.Equal([1], Assert.IsType<GetDataResponse>(frames[2].Body).Data);
    }

    [Fact]
    public void ExpiryTakesEffectWhenItsCloseSessionTxnIsPersisted_Section16()
    {
        var doomed = Established(4000);
        doomed.Create("/e", mode: CreateMode.Ephemeral);
        var watcher = Established();
        watcher.Ok<ExistsResponse>(OpCode.Exists, new ExistsRequest("/e", true));

        _server.NowMs += 6000;
        _server.Replica.Tick(_server.NowMs);
        var close = _server.Persistence!.Appended[^1];
        Assert.Equal(OpCode.CloseSession, close.Header.OpCode);
        Assert.Equal(new CloseSessionTxn(["/e"]).Paths2Delete, ((CloseSessionTxn)close.Txn).Paths2Delete);
        Assert.NotNull(_server.Replica.Tree.GetNode("/e"));

        // Closing: its requests are dropped from now on.
        doomed.Send(OpCode.Ping, null, Xids.Ping);
        doomed.NoMoreFrames();

        _server.PersistAll();
        Assert.Null(_server.Replica.Tree.GetNode("/e"));
        Assert.Equal(new WatcherEvent(EventType.NodeDeleted, KeeperState.SyncConnected, "/e"), watcher.NextEvent());
        doomed.ExpectClosed();
    }

    [Fact]
    public void RepliesOfAClosedConnectionAreDroppedButItsWritesApply()
    {
        var client = Established();
        client.Send(OpCode.Create, new CreateRequest("/a", null, Acls.OpenAclUnsafe, 0));
        _server.Replica.ConnectionClosed(client.ConnectionId, _server.NowMs);
        _server.PersistAll();
        client.NoMoreFrames();
        Assert.NotNull(_server.Replica.Tree.GetNode("/a"));
    }

    [Fact]
    public void ResumedSessionsReadsWaitBehindWritesOfItsPreviousConnection()
    {
        var first = Established();
        first.Send(OpCode.Create, new CreateRequest("/a", [1], Acls.OpenAclUnsafe, 0));

        var second = _server.Open();
        second.SendConnect(new ConnectRequest(0, 0, 30_000, first.SessionId, first.Password, false));
        second.ExpectConnected();
        first.ExpectClosed();

        var read = second.Send(OpCode.GetData, new GetDataRequest("/a", false));
        second.NoMoreFrames();
        _server.PersistAll();
        Assert.Equal([1], Assert.IsType<GetDataResponse>(second.ReadReply(read).Body).Data);
        first.NoMoreFrames();
    }

    [Fact]
    public void NothingAfterAnUnknownOpcodeIsProcessed_Section6()
    {
        var client = Established();
        var write = client.Send(OpCode.Create, new CreateRequest("/a", null, Acls.OpenAclUnsafe, 0));
        var unknown = client.SendRaw(99, null);
        client.Send(OpCode.Create, new CreateRequest("/b", null, Acls.OpenAclUnsafe, 0));
        _server.PersistAll();

        Assert.Equal(write, client.NextFrame().Header.Xid);
        Assert.Equal(new ReplyHeader(unknown, -1, (int)KeeperErrorCode.Unimplemented), client.NextFrame().Header);
        client.ExpectClosed();
        client.NoMoreFrames();
        Assert.Null(_server.Replica.Tree.GetNode("/b"));
    }

    private TestClient Established(int timeoutMs = 30_000)
    {
        var client = _server.Open();
        client.SendConnect(new ConnectRequest(0, _server.Replica.LastProcessedZxid, timeoutMs, 0, new byte[16], false));
        _server.PersistAll();
        client.ExpectConnected();
        return client;
    }
}
