// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>Session establishment, resume, expiry and close (wire-protocol doc §4.2, §16).</summary>
public sealed class SessionTests
{
    [Fact]
    public void NewSessionCommitsACreateSessionTxnThenAnswers_Section4_2()
    {
        var server = new TestServer();
        var client = server.Open();
        client.SendConnect(new ConnectRequest(0, 0, 30_000, 0, new byte[16], false));

        var response = client.NextFrame().ConnectResponse!;
        Assert.Equal(0, response.ProtocolVersion);
        Assert.Equal(30_000, response.TimeOut);
        Assert.Equal(0x0100_0000_0000_0001, response.SessionId);
        Assert.Equal(16, response.Passwd!.Length);
        Assert.False(response.ReadOnly);
        Assert.Equal(1, server.Replica.LastProcessedZxid);
        Assert.Equal(1, server.Replica.GetStats().SessionCount);
    }

    [Fact]
    public void OldClientWithoutReadOnlyByteGetsNoneBack_Section4_1()
    {
        var server = new TestServer();
        var client = server.Connect(readOnly: null);
        var response = server.Output.Frames.Single(f => f.ConnectionId == client.ConnectionId).ConnectResponse!;
        Assert.Null(response.ReadOnly);

        var modern = server.Connect(readOnly: true);
        var modernResponse = server.Output.Frames.Single(f => f.ConnectionId == modern.ConnectionId).ConnectResponse!;
        Assert.False(modernResponse.ReadOnly);
    }

    [Theory]
    [InlineData(100, 4000)]
    [InlineData(4000, 4000)]
    [InlineData(12_345, 12_345)]
    [InlineData(40_000, 40_000)]
    [InlineData(1_000_000, 40_000)]
    public void TimeoutIsClampedToTwoAndTwentyTicks_Section4_2(int requested, int negotiated)
    {
        var server = new TestServer();
        Assert.Equal(negotiated, server.Connect(requested).NegotiatedTimeout);
    }

    [Fact]
    public void ExplicitTimeoutBoundsOverrideTheTickDefaults()
    {
        var server = new TestServer(new ReplicaOptions { TickTimeMs = 2000, MinSessionTimeoutMs = 1000, MaxSessionTimeoutMs = 5000 });
        Assert.Equal(1000, server.Connect(10).NegotiatedTimeout);
        Assert.Equal(5000, server.Connect(60_000).NegotiatedTimeout);
    }

    [Fact]
    public void PasswordIsAKeyedHashOfTheSessionIdNotJavasRandom_Section4_5()
    {
        var a = new TestServer(new ReplicaOptions { TickTimeMs = 2000, SessionIdSeed = 0x0100000A3C5E0000, SessionSecret = [1, 2, 3] });
        var b = new TestServer(new ReplicaOptions { TickTimeMs = 2000, SessionIdSeed = 0x0100000A3C5E0000, SessionSecret = [4, 5, 6] });
        var sameSecret = new TestServer(new ReplicaOptions { TickTimeMs = 2000, SessionIdSeed = 0x0100000A3C5E0000, SessionSecret = [1, 2, 3] });

        var pa = a.Connect().Password;
        Assert.NotEqual(pa, b.Connect().Password);
        Assert.Equal(pa, sameSecret.Connect().Password);
        Assert.NotEqual(Convert.FromHexString("c040a2564d43d7a69ea11be9de0c42ab"), pa);
    }

    [Fact]
    public void ResumeWithTheRightPasswordKeepsTheSessionClosesTheOldConnectionAndRenegotiates_Section4_2()
    {
        var server = new TestServer();
        var first = server.Connect(10_000);
        first.Create("/e", mode: CreateMode.Ephemeral);
        var zxid = server.Replica.LastProcessedZxid;

        var second = server.Open();
        second.SendConnect(new ConnectRequest(0, zxid, 20_000, first.SessionId, first.Password, false));
        var response = second.NextFrame().ConnectResponse!;

        Assert.Equal(20_000, response.TimeOut);
        Assert.Equal(first.SessionId, response.SessionId);
        Assert.Equal(first.Password, response.Passwd);
        first.ExpectClosed();
        Assert.Equal(zxid, server.Replica.LastProcessedZxid);

        // The session, its ephemeral and the new connection all work.
        Assert.Equal(first.SessionId, second.Stat("/e").EphemeralOwner);
        first.NoMoreFrames();
    }

    [Fact]
    public void WrongPasswordLooksExactlyLikeAnExpiredSessionAndClosesOnlyTheNewConnection_Section4_2()
    {
        var server = new TestServer();
        var owner = server.Connect();
        var password = (byte[])owner.Password.Clone();
        password[0] ^= 1;

        var intruder = server.Open();
        intruder.SendConnect(new ConnectRequest(0, 0, 30_000, owner.SessionId, password, false));

        var response = intruder.NextFrame().ConnectResponse!;
        Assert.Equal((0, 0, 0L, false), (response.ProtocolVersion, response.TimeOut, response.SessionId, response.ReadOnly));
        Assert.Equal(new byte[16], response.Passwd);
        intruder.ExpectClosed();

        // Deliberate difference from ZooKeeper, which closes the owner's connection before it
        // checks the password: a session id alone must not let anyone cut a session off.
        owner.NoMoreFrames();
        Assert.Equal(KeeperErrorCode.Ok, owner.Call(OpCode.Ping).Header.Error);
    }

    [Fact]
    public void UnknownSessionGetsTheInvalidAnswerWithoutReadOnlyForOldClients_Section4_2()
    {
        var server = new TestServer();
        var client = server.Open();
        client.SendConnect(new ConnectRequest(0, 0, 30_000, 0x1234, new byte[16], null));
        var response = client.NextFrame().ConnectResponse!;
        Assert.Equal(0, response.TimeOut);
        Assert.Equal(0, response.SessionId);
        Assert.Null(response.ReadOnly);
        client.ExpectClosed();
    }

    [Fact]
    public void ClientThatHasSeenALaterZxidIsClosedWithoutAnAnswer_Section4_2()
    {
        var server = new TestServer();
        var client = server.Open();
        client.SendConnect(new ConnectRequest(0, 5, 30_000, 0, new byte[16], false));
        client.ExpectClosed();
        client.NoMoreFrames();
        Assert.Equal(0, server.Replica.GetStats().SessionCount);
        Assert.Equal(0, server.Replica.LastProcessedZxid);
    }

    [Fact]
    public void SecondConnectRequestOnAConnectionClosesIt()
    {
        var server = new TestServer();
        var client = server.Connect();
        client.SendConnect(new ConnectRequest(0, 0, 30_000, 0, new byte[16], false));
        client.ExpectClosed();
        Assert.Equal(1, server.Replica.GetStats().SessionCount);
    }

    [Fact]
    public void SessionExpiresAtTheTickAfterItsTimeoutRoundedUp_Section16()
    {
        // tickTime 2000, timeout 5000, last heard at t0 (a multiple of 2000): the deadline is the
        // first multiple of 2000 after t0 + 5000, i.e. t0 + 6000.
        var server = new TestServer();
        var client = server.Connect(5000);
        Assert.Equal(TestServer.StartMs + 6000, server.Replica.GetSessions().Single().ExpiresAtMs);

        server.Advance(5999);
        Assert.Equal(1, server.Replica.GetStats().SessionCount);
        client.NoMoreFrames();

        server.Advance(1);
        Assert.Equal(0, server.Replica.GetStats().SessionCount);
        client.ExpectClosed();
        Assert.Equal(2, server.Replica.LastProcessedZxid);
    }

    [Fact]
    public void EveryRequestIncludingPingsRefreshesTheSession_Section16()
    {
        var server = new TestServer();
        var client = server.Connect(4000);
        for (var i = 0; i < 10; i++)
        {
            server.Advance(3000);
            Assert.Equal(KeeperErrorCode.Ok, client.Call(OpCode.Ping).Header.Error);
        }

        Assert.Equal(1, server.Replica.GetStats().SessionCount);
        server.Advance(6000);
        Assert.Equal(0, server.Replica.GetStats().SessionCount);
    }

    [Fact]
    public void DisconnectKeepsTheSessionUntilItExpires_Section16()
    {
        var server = new TestServer();
        var client = server.Connect(4000);
        client.Create("/e", mode: CreateMode.Ephemeral);
        server.Replica.ConnectionClosed(client.ConnectionId, server.NowMs);
        Assert.Equal(1, server.Replica.GetStats().SessionCount);

        var resumed = server.Open();
        resumed.SendConnect(new ConnectRequest(0, server.Replica.LastProcessedZxid, 4000, client.SessionId, client.Password, false));
        resumed.ExpectConnected();
        Assert.Equal(client.SessionId, resumed.Stat("/e").EphemeralOwner);
    }

    [Fact]
    public void ExpiryDeletesEphemeralsInOneTxnAndFiresTheirWatches_Section16()
    {
        var server = new TestServer();
        var watcher = server.Connect();
        var doomed = server.Connect(4000);
        watcher.Create("/p");
        doomed.Create("/p/e1", mode: CreateMode.Ephemeral);
        doomed.Create("/e2", mode: CreateMode.EphemeralSequential);
        watcher.Children("/p", watch: true);
        watcher.Ok<ExistsResponse>(OpCode.Exists, new ExistsRequest("/p/e1", true));
        var before = server.Replica.LastProcessedZxid;

        server.Advance(6000);

        var closeZxid = before + 1;
        Assert.Equal(closeZxid, server.Replica.LastProcessedZxid);
        var events = new[] { watcher.NextEvent(), watcher.NextEvent() };
        Assert.Contains(new WatcherEvent(EventType.NodeDeleted, KeeperState.SyncConnected, "/p/e1"), events);
        Assert.Contains(new WatcherEvent(EventType.NodeChildrenChanged, KeeperState.SyncConnected, "/p"), events);
        Assert.Equal(closeZxid, watcher.Stat("/p").Pzxid);
        Assert.Equal(KeeperErrorCode.NoNode, watcher.Call(OpCode.Exists, new ExistsRequest("/e2", false)).Header.Error);
        doomed.ExpectClosed();
        Assert.Equal(0, server.Replica.GetStats().EphemeralCount);
    }

    [Fact]
    public void ExpiredSessionCannotBeResumed_Section4_2()
    {
        var server = new TestServer();
        var client = server.Connect(4000);
        server.Advance(6000);
        client.ExpectClosed();

        var again = server.Open();
        again.SendConnect(new ConnectRequest(0, 0, 4000, client.SessionId, client.Password, false));
        Assert.Equal(0, again.NextFrame().ConnectResponse!.TimeOut);
        again.ExpectClosed();
    }

    [Fact]
    public void CloseSessionRepliesThenClosesAndDeletesEphemerals_Section6()
    {
        var server = new TestServer();
        var watcher = server.Connect();
        var client = server.Connect();
        client.Create("/e", mode: CreateMode.Ephemeral);
        watcher.Ok<ExistsResponse>(OpCode.Exists, new ExistsRequest("/e", true));

        var xid = client.Send(OpCode.CloseSession, null);
        var reply = client.NextFrame();
        Assert.Equal(new ReplyHeader(xid, server.Replica.LastProcessedZxid, 0), reply.Header);
        Assert.Null(reply.Body);
        client.ExpectClosed();

        Assert.Equal(new WatcherEvent(EventType.NodeDeleted, KeeperState.SyncConnected, "/e"), watcher.NextEvent());
        Assert.Equal(watcher.SessionId, server.Replica.GetSessions().Single().SessionId);
    }

    [Fact]
    public void RequestsOfAClosedSessionAreDroppedWithoutAnAnswer_Section6()
    {
        var server = new TestServer();
        var client = server.Connect();
        client.Send(OpCode.CloseSession, null);
        client.NextFrame();
        client.ExpectClosed();

        // The host may still deliver frames that were in flight: nothing comes back.
        client.Send(OpCode.GetData, new GetDataRequest("/", false));
        client.NoMoreFrames();
    }

    [Fact]
    public void RequestsBehindACloseSessionOnTheSameConnectionAreDropped_Section6()
    {
        var server = new TestServer(hostPersistence: true);
        var client = server.Open();
        client.SendConnect(new ConnectRequest(0, 0, 30_000, 0, new byte[16], false));
        server.PersistAll();
        client.ExpectConnected();

        var closeXid = client.Send(OpCode.CloseSession, null);
        client.Send(OpCode.Ping, null, Xids.Ping);
        client.NoMoreFrames();
        server.PersistAll();
        Assert.Equal(closeXid, client.NextFrame().Header.Xid);
        client.ExpectClosed();
        client.NoMoreFrames();
    }

    [Fact]
    public void SessionIdsSkipTheContainerAndTtlMarkers_Section4_2()
    {
        var server = new TestServer(new ReplicaOptions { TickTimeMs = 2000, SessionIdSeed = -1, ExtendedTypesEnabled = true });
        var first = server.Connect();
        var second = server.Connect();

        // −1 (0xFF…FF) has the extended-type top byte, 0 is "no owner": the first usable id is 1.
        Assert.Equal(1, first.SessionId);
        Assert.Equal(2, second.SessionId);

        var containerSeed = new TestServer(new ReplicaOptions { TickTimeMs = 2000, SessionIdSeed = long.MinValue });
        Assert.Equal(long.MinValue + 1, containerSeed.Connect().SessionId);
    }

    [Fact]
    public void InvalidTimeoutBoundsAreRejected()
    {
        var output = new RecordingOutput();
        Assert.Throws<ArgumentException>(() => new Replica(new ReplicaOptions { MinSessionTimeoutMs = 9000, MaxSessionTimeoutMs = 8000 }, output));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Replica(new ReplicaOptions { TickTimeMs = 0 }, output));
    }
}
