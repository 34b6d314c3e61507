// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests.Contract;

/// <summary>Sessions: the handshake, timeouts, resume, close, ping (§4, §16).</summary>
public abstract partial class ZooKeeperContractTests<TFixture>
{
    [Fact]
    public async Task NewSessionHandshakeAndItsZxid()
    {
        var observer = await ConnectAsync();
        var baseline = await LastZxidAsync(observer);

        var zk = await ConnectAsync(timeOut: 10_000);
        var response = zk.ConnectResponse!;
        Assert.Equal(37, zk.ConnectResponsePayload!.Length);
        Assert.Equal(0, response.ProtocolVersion);
        Assert.Equal(10_000, response.TimeOut);
        Assert.NotEqual(0, response.SessionId);
        Assert.Equal(16, response.Passwd!.Length);
        Assert.False(response.ReadOnly);

        // createSession is a transaction (§4.2 step 5).
        Assert.Equal(baseline + 1, await LastZxidAsync(zk));

        var other = await ConnectAsync();
        Assert.NotEqual(response.SessionId, other.SessionId);
    }

    [Theory]
    [InlineData(-1, 4_000)]
    [InlineData(0, 4_000)]
    [InlineData(1, 4_000)]
    [InlineData(3_999, 4_000)]
    [InlineData(4_000, 4_000)]
    [InlineData(4_001, 4_001)]
    [InlineData(39_999, 39_999)]
    [InlineData(40_000, 40_000)]
    [InlineData(40_001, 40_000)]
    [InlineData(int.MaxValue, 40_000)]
    public async Task TimeoutIsClampedToTwoAndTwentyTicks(int requested, int negotiated)
    {
        // tickTime 2000: [minSessionTimeout, maxSessionTimeout] = [4000, 40000] (§4.2 step 3).
        var zk = await ConnectAsync(timeOut: requested);
        Assert.Equal(negotiated, zk.ConnectResponse!.TimeOut);
    }

    [Fact]
    public async Task OldClientWithoutTheReadOnlyByteGetsThe36ByteResponse()
    {
        var zk = await ConnectAsync(readOnly: null);
        Assert.Equal(36, zk.ConnectResponsePayload!.Length);
        Assert.Null(zk.ConnectResponse!.ReadOnly);
        Assert.Equal(RawZooKeeperConnection.DefaultSessionTimeout, zk.ConnectResponse.TimeOut);

        // And the session works.
        (await zk.ExistsAsync("/zookeeper")).AssertOk();
    }

    [Fact]
    public async Task ResumeWithThePasswordKeepsTheSessionAndClosesTheOldConnection()
    {
        var first = await ConnectAsync();
        var root = await NewRootAsync(first);
        (await first.CreateAsync(root + "/e", mode: CreateMode.Ephemeral)).AssertOk();
        var baseline = await LastZxidAsync(first);

        var second = await OpenAsync();
        var response = await HandshakeAsync(second, new ConnectRequest(0, baseline, 12_000, first.SessionId, first.Password, false));
        Assert.NotNull(response);
        Assert.Equal(first.SessionId, response.SessionId);
        Assert.Equal(first.Password, response.Passwd);
        Assert.Equal(12_000, response.TimeOut);
        Assert.False(response.ReadOnly);

        // The old connection is closed by the server; the ephemeral node lives on; resuming is
        // not a transaction.
        Assert.Empty(await first.ReceiveUntilClosedAsync(Ct));
        Assert.Equal(first.SessionId, (await second.ExistsAsync(root + "/e")).ExistsStat().EphemeralOwner);
        Assert.Equal(baseline, await LastZxidAsync(second));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ResumeWithAWrongPasswordLooksExpired(bool sendReadOnlyByte)
    {
        var owner = await ConnectAsync();
        var wrong = owner.Password.ToArray();
        wrong[0] ^= 0xFF;

        var intruder = await OpenAsync();
        var response = await HandshakeAsync(intruder, new ConnectRequest(0, 0, 30_000, owner.SessionId, wrong, sendReadOnlyByte ? false : null));

        // timeOut 0, sessionId 0, sixteen zero bytes, the readOnly byte only if the client sent one, then close (§4.2 step 6).
        Assert.NotNull(response);
        Assert.Equal(new ConnectResponse(0, 0, 0, null, sendReadOnlyByte ? false : null) with { Passwd = response.Passwd }, response);
        Assert.Equal(new byte[16], response.Passwd);
        Assert.Equal(sendReadOnlyByte ? 37 : 36, intruder.ConnectResponsePayload!.Length);
        Assert.Empty(await intruder.ReceiveUntilClosedAsync(Ct));

        if (Traits.WrongPasswordResumeKeepsTheOwnersConnection)
        {
            // The owner never noticed: its connection answers, with nothing in between.
            var received = owner.Received.Count;
            var ping = await owner.PingAsync();
            Assert.Equal([ping.Reply], owner.Received.Skip(received));
            (await owner.ExistsAsync("/")).AssertOk();
            return;
        }

        // Surprise: the server closes the connection currently bound to the session *before* it
        // checks the password (§4.2 step 6), so the owner is disconnected too; the session itself
        // survives and the owner resumes it with the right password.
        Assert.Empty(await owner.ReceiveUntilClosedAsync(Ct));
        var resumed = await OpenAsync();
        var again = await HandshakeAsync(resumed, new ConnectRequest(0, 0, 30_000, owner.SessionId, owner.Password, false));
        Assert.Equal(owner.SessionId, again!.SessionId);
        (await resumed.ExistsAsync("/")).AssertOk();
    }

    [Fact]
    public async Task ResumeOfAnUnknownSessionLooksExpired()
    {
        var zk = await OpenAsync();
        var response = await HandshakeAsync(zk, new ConnectRequest(0, 0, 30_000, 0x0123_4567_89AB_CDEF, new byte[16], false));
        Assert.NotNull(response);
        Assert.Equal(0, response.TimeOut);
        Assert.Equal(0, response.SessionId);
        Assert.Equal(new byte[16], response.Passwd);
        Assert.Empty(await zk.ReceiveUntilClosedAsync(Ct));
    }

    [Fact]
    public async Task CloseSessionRepliesThenClosesAndTheSessionIsGone()
    {
        var observer = await ConnectAsync();
        var root = await NewRootAsync(observer);
        var zk = await ConnectAsync();
        (await zk.CreateAsync(root + "/e1", mode: CreateMode.Ephemeral)).AssertOk();
        (await zk.CreateAsync(root + "/e2", mode: CreateMode.Ephemeral)).AssertOk();
        (await observer.GetChildrenAsync(root, watch: true)).AssertOk();
        (await observer.ExistsAsync(root + "/e1", watch: true)).AssertOk();
        var baseline = await LastZxidAsync(zk);

        var close = await zk.CallAsync(OpCode.CloseSession, null, Ct);
        close.AssertOk();
        Assert.Empty(close.Reply.Body);
        Assert.Equal(baseline + 1, close.Zxid);
        Assert.Empty(await zk.ReceiveUntilClosedAsync(Ct));

        // Both ephemerals went in that one transaction (§16): the parent's pzxid is its zxid,
        // and the observer heard about it before its next reply.
        var children = await observer.GetChildren2Async(root);
        Assert.Empty(children.Read<GetChildren2Response>().Children!);
        Assert.Equal(close.Zxid, children.Read<GetChildren2Response>().Stat.Pzxid);
        Assert.Equal(4, children.Read<GetChildren2Response>().Stat.Cversion);
        Assert.Equal(
            [(EventType.NodeDeleted, root + "/e1"), (EventType.NodeChildrenChanged, root)],
            children.EventList().Order());
        Assert.Equal(close.Zxid, children.Zxid);

        // The closed session cannot be resumed.
        var again = await OpenAsync();
        var response = await HandshakeAsync(again, new ConnectRequest(0, 0, 30_000, zk.SessionId, zk.Password, false));
        Assert.Equal(0, response!.TimeOut);
    }

    [Fact]
    public async Task PingReplyCarriesTheLastZxid()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var created = (await zk.CreateAsync(root + "/a")).AssertOk();

        var ping = await zk.PingAsync();
        Assert.Equal(new ReplyHeader(Xids.Ping, created.Zxid, 0), ping.Reply.Header);
        Assert.Empty(ping.Reply.Body);

        // Pings are not transactions.
        Assert.Equal(created.Zxid, (await zk.PingAsync()).Zxid);
        Assert.Equal(created.Zxid, await LastZxidAsync(zk));
    }

    [Fact]
    public async Task AConnectFromTheFutureIsRefused()
    {
        // lastZxidSeen ahead of the server: "client has seen a newer state" → close, no response (§4.2 step 2).
        var zk = await ConnectAsync();
        var last = await LastZxidAsync(zk);

        var future = await OpenAsync();
        Assert.Null(await HandshakeAsync(future, new ConnectRequest(0, last + 1000, 30_000, 0, new byte[16], false)));
        Assert.True(future.IsClosedByPeer);

        // Its own last zxid is fine.
        var current = await OpenAsync();
        Assert.Equal(30_000, (await HandshakeAsync(current, new ConnectRequest(0, last, 30_000, 0, new byte[16], false)))!.TimeOut);
    }

    [Fact]
    public async Task RequestsPipelinedBehindTheConnectRequestAreAnsweredAfterIt()
    {
        // §4.2 step 4: nothing after the ConnectRequest is processed before the session exists.
        var zk = await OpenAsync();
        using var writer = new JuteWriter();
        Framing.WriteFrame(writer, new ConnectRequest(0, 0, 30_000, 0, new byte[16], false));
        Framing.WriteFrame(writer, new RequestHeader(1, (int)OpCode.Exists), new ExistsRequest("/zookeeper", false));
        Framing.WriteFrame(writer, new RequestHeader(2, (int)OpCode.GetChildren), new GetChildrenRequest("/zookeeper", false));
        await zk.SendRawAsync(writer.ToArray(), Ct);

        var response = await zk.ReceiveConnectResponseAsync(Ct);
        Track(zk);
        Assert.Equal(30_000, response!.TimeOut);
        (await zk.ReceiveReplyAsync(1, Ct)).AssertOk();
        Assert.Equal(["config", "quota"], (await zk.ReceiveReplyAsync(2, Ct)).SortedChildren());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(JuteLimits.DefaultMaxBuffer + 1)]
    [InlineData(int.MaxValue)]
    public async Task ABadFrameLengthClosesTheConnectionWithoutHurtingOthers(int length)
    {
        var bystander = await ConnectAsync();
        var zk = await ConnectAsync();
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes, length);
        await zk.SendRawAsync(bytes, Ct);
        Assert.Empty(await zk.ReceiveUntilClosedAsync(Ct));
        (await bystander.ExistsAsync("/")).AssertOk();
    }

    [Fact]
    public async Task AnExpiredSessionLosesItsEphemeralsAndCannotBeResumed()
    {
        // tickTime 100 ms: a 200 ms session expires between 200 and 300 ms after its last
        // packet (§16). The watcher's 2 s session outlives the scenario without pings.
        var watcher = await ConnectAsync(ContractServerOptions.FastTicks, timeOut: 2_000);
        var victim = await ConnectAsync(ContractServerOptions.FastTicks, timeOut: 200);
        Assert.Equal((2_000, 200), (watcher.ConnectResponse!.TimeOut, victim.ConnectResponse!.TimeOut));
        var root = await NewRootAsync(watcher);
        (await victim.CreateAsync(root + "/e", mode: CreateMode.Ephemeral)).AssertOk();

        // The session's clock runs from its last packet, this create, which the server sees
        // after this moment (not from the disconnect below: that sends nothing).
        var lastPacket = Now();
        (await victim.CreateAsync(root + "/f", mode: CreateMode.Ephemeral)).AssertOk();
        (await watcher.ExistsAsync(root + "/e", watch: true)).AssertOk();
        (await watcher.GetChildrenAsync(root, watch: true)).AssertOk();

        // Disconnecting is not closing: no event is sent to anyone until the session expires.
        await victim.DisposeAsync();
        var first = await watcher.ReceiveNotificationAsync();
        var second = await watcher.ReceiveNotificationAsync();
        Assert.InRange(Now() - lastPacket, 190, long.MaxValue);
        // Sorted: the ephemerals go in no particular order, and the one-shot child watch
        // fires with whichever goes first.
        Assert.Equal(
            [(EventType.NodeDeleted, root + "/e"), (EventType.NodeChildrenChanged, root)],
            new[] { first.Event, second.Event }.Select(e => (e.Type, e.Path)).Order());

        // Both ephemerals went in the one closeSession transaction.
        var children = (await watcher.GetChildren2Async(root)).AssertOk().Read<GetChildren2Response>();
        Assert.Empty(children.Children!);
        Assert.Equal(children.Stat.Pzxid, await LastZxidAsync(watcher));

        var again = await OpenAsync(ContractServerOptions.FastTicks);
        var response = await HandshakeAsync(again, new ConnectRequest(0, 0, 2_000, victim.SessionId, victim.Password, false));
        Assert.Equal((0, 0L), (response!.TimeOut, response.SessionId));
    }

    [Fact]
    public async Task FourLetterWordsShareTheClientPort()
    {
        // §21: four ASCII bytes instead of a frame length; text, then close.
        var server = await ServerAsync();
        Assert.Equal("imok", await FourLetterWordClient.SendAsync(server.Port, "ruok"));
        var srvr = await FourLetterWordClient.SendAsync(server.Port, "srvr");
        Assert.StartsWith("Zookeeper version: ", srvr, StringComparison.Ordinal);
        Assert.Contains("\nMode: standalone\n", srvr, StringComparison.Ordinal);
        Assert.Matches(@"\nZxid: 0x[0-9a-f]+\n", srvr);
        Assert.Equal("rw", await FourLetterWordClient.SendAsync(server.Port, "isro"));
    }
}
