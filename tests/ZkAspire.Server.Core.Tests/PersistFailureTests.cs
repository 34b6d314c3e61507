// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// A txn the host could not persist (disk full or unwritable): the write is answered with an
/// error and not applied, reads keep working, the failed zxids are reused so the log stays
/// gapless, and writes work again once the disk does.
/// </summary>
public sealed class PersistFailureTests
{
    private readonly TestServer _server = new(hostPersistence: true);
    private readonly TestClient _client;

    public PersistFailureTests()
    {
        _client = _server.Open();
        _client.SendConnect(new ConnectRequest(0, 0, 10_000, 0, new byte[16], false));
        _server.PersistAll();
        _client.ExpectConnected();
        _client.Create("/kept", [1]);
    }

    private List<TxnLogEntry> Appended => _server.Persistence!.Appended;

    [Fact]
    public void FailedWritesAreAnsweredNotReadOnlyAndNotAppliedAndTheReadsBehindThemAreServed()
    {
        var before = _server.Replica.DumpState();
        var lastZxid = _server.Replica.LastProcessedZxid;
        var create = _client.Send(OpCode.Create, new CreateRequest("/lost", [2], Acls.OpenAclUnsafe, 0));
        var child = _client.Send(OpCode.Create, new CreateRequest("/lost/child", null, Acls.OpenAclUnsafe, 0));
        var read = _client.Send(OpCode.GetData, new GetDataRequest("/kept", false));
        var set = _client.Send(OpCode.SetData, new SetDataRequest("/kept", [3], -1));
        _client.NoMoreFrames();

        _server.Replica.PersistFailed(lastZxid + 1, _server.NowMs);

        Assert.Equal(new ReplyHeader(create, lastZxid, (int)KeeperErrorCode.NotReadOnly), _client.NextFrame().Header);
        Assert.Equal(new ReplyHeader(child, lastZxid, (int)KeeperErrorCode.NotReadOnly), _client.NextFrame().Header);
        var reply = _client.NextFrame();
        Assert.Equal(new ReplyHeader(read, lastZxid, 0), reply.Header);
        Assert.Equal([1], Assert.IsType<GetDataResponse>(reply.Body).Data);
        Assert.Equal(new ReplyHeader(set, lastZxid, (int)KeeperErrorCode.NotReadOnly), _client.NextFrame().Header);
        _client.NoMoreFrames();
        Assert.Equal(before, _server.Replica.DumpState());
        Assert.Equal(0, _server.Replica.GetStats().OutstandingRequests);

        // The disk is back: the next write takes the first failed zxid, and Prep no longer sees
        // the failed create (its change record went with it).
        Appended.Clear();
        Assert.Equal(KeeperErrorCode.NoNode, _client.Call(OpCode.Create, new CreateRequest("/lost/child", null, Acls.OpenAclUnsafe, 0)).Header.Error);
        Assert.Equal(lastZxid + 1, Assert.Single(Appended).Zxid);
        _client.Create("/lost", [4]);
        Assert.Equal(lastZxid + 2, _server.Replica.LastProcessedZxid);
    }

    [Fact]
    public void TxnsBeforeTheFailureStillApply()
    {
        var lastZxid = _server.Replica.LastProcessedZxid;
        var ok = _client.Send(OpCode.Create, new CreateRequest("/ok", null, Acls.OpenAclUnsafe, 0));
        var lost = _client.Send(OpCode.Create, new CreateRequest("/lost", null, Acls.OpenAclUnsafe, 0));
        _server.Replica.Persisted(lastZxid + 1, _server.NowMs);
        _server.Replica.PersistFailed(lastZxid + 2, _server.NowMs);

        Assert.Equal(new ReplyHeader(ok, lastZxid + 1, 0), _client.NextFrame().Header);
        Assert.Equal(new ReplyHeader(lost, lastZxid + 1, (int)KeeperErrorCode.NotReadOnly), _client.NextFrame().Header);
        Assert.Equal(["kept", "ok", "zookeeper"], _client.Children("/"));
    }

    [Fact]
    public void ANewSessionThatCannotBePersistedIsClosed()
    {
        var other = _server.Open();
        other.SendConnect(new ConnectRequest(0, 0, 10_000, 0, new byte[16], false));
        _server.Replica.PersistFailed(Appended[^1].Zxid, _server.NowMs);
        other.ExpectClosed();
        Assert.Single(_server.Replica.GetSessions());
    }

    [Fact]
    public void AnExpiryThatCannotBePersistedIsRetriedAtTheNextTick()
    {
        _server.Advance(12_000);
        var expiry = Appended[^1];
        Assert.Equal(OpCode.CloseSession, expiry.Header.OpCode);
        _server.Replica.PersistFailed(expiry.Zxid, _server.NowMs);
        Assert.Single(_server.Replica.GetSessions());

        _server.Advance(2000);
        var retry = Appended[^1];
        Assert.Equal(OpCode.CloseSession, retry.Header.OpCode);
        Assert.Equal(expiry.Zxid, retry.Zxid);
        _server.PersistAll();
        Assert.Empty(_server.Replica.GetSessions());
        _client.ExpectClosed();
    }

    [Fact]
    public void AClientCloseThatCannotBePersistedLeavesTheSessionToExpireAndRetry()
    {
        var close = _client.Send(OpCode.CloseSession, null);
        _server.Replica.PersistFailed(Appended[^1].Zxid, _server.NowMs);
        Assert.Equal(new ReplyHeader(close, _server.Replica.LastProcessedZxid, (int)KeeperErrorCode.NotReadOnly), _client.NextFrame().Header);
        Assert.Single(_server.Replica.GetSessions());

        _server.Advance(2000);
        _server.PersistAll();
        Assert.Empty(_server.Replica.GetSessions());
    }
}
