// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Protocol;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.Testing;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>The real core behind the real transport, driven with the reference bytes of the protocol notes (§22).</summary>
public sealed class EndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ASessionConnectsCreatesWatchesIsNotifiedAndCloses()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var a = await RawClient.ConnectAsync(server.Port);

        // §22.1: new session, 30 s, readOnly=false → 37-byte ConnectResponse.
        await a.SendHexAsync("00 00 00 2d 00 00 00 00 00 00 00 00 00 00 00 00 00 00 75 30 00 00 00 00 00 00 00 00 00 00 00 10" + new string('0', 32) + "00");
        var connect = await a.ReadFrameAsync();
        Assert.NotNull(connect);
        Assert.Equal(37, connect.Length);
        var reader = new JuteReader(connect);
        var response = ConnectResponse.Read(ref reader);
        Assert.Equal(30000, response.TimeOut);
        Assert.NotEqual(0, response.SessionId);
        Assert.Equal(16, response.Passwd!.Length);
        Assert.False(response.ReadOnly);

        // §22.3: create /app "hi" → CreateResponse("/app").
        await a.SendHexAsync(
            "00 00 00 35 00 00 00 01 00 00 00 01 00 00 00 04 2f 61 70 70 00 00 00 02 68 69 00 00 00 01 00 00 00 1f" +
            "00 00 00 05 77 6f 72 6c 64 00 00 00 06 61 6e 79 6f 6e 65 00 00 00 00");
        var (created, createdBody) = await a.ReadReplyAsync(1);
        Assert.Equal(0, created.Err);
        Assert.Equal(RawClient.Hex("00 00 00 04 2f 61 70 70"), createdBody);

        // §22.4: getData /app with a watch.
        await a.SendHexAsync("00 00 00 11 00 00 00 02 00 00 00 04 00 00 00 04 2f 61 70 70 01");
        var (got, gotBody) = await a.ReadReplyAsync(2);
        Assert.Equal(0, got.Err);
        Assert.Equal("hi", Encoding.UTF8.GetString(gotBody, 4, 2));

        // Another session changes it: the watcher is notified with the change's zxid (3.9).
        var (b, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _b = b;
        var (set, _) = await b.RequestAsync(OpCode.SetData, new SetDataRequest("/app", Encoding.UTF8.GetBytes("bye"), 0));
        Assert.Equal(0, set.Err);
        var notification = await a.ReadFrameAsync();
        Assert.NotNull(notification);
        var notificationReader = new JuteReader(notification);
        var header = ReplyHeader.Read(ref notificationReader);
        Assert.Equal((-1, set.Zxid, 0), (header.Xid, header.Zxid, header.Err));
        Assert.Equal(new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/app"), WatcherEvent.Read(ref notificationReader));

        // closeSession: the reply, then the server closes the socket.
        await a.SendRequestAsync(3, OpCode.CloseSession, null);
        Assert.Equal(0, (await a.ReadReplyAsync(3)).Header.Err);
        Assert.True(await a.WaitForCloseAsync(Timeout));

        var (exists, _) = await b.RequestAsync(OpCode.Exists, new ExistsRequest("/app", false));
        Assert.Equal(0, exists.Err);
    }

    [Fact]
    public async Task AnOldClientGetsThe36ByteConnectResponse()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.SendHexAsync("00 00 00 2c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 75 30 00 00 00 00 00 00 00 00 00 00 00 10" + new string('0', 32));
        var response = await client.ReadFrameAsync();

        Assert.NotNull(response);
        Assert.Equal(36, response.Length);
        Assert.Equal(0, (await client.RequestAsync(OpCode.Ping, null)).Header.Err);
    }

    [Fact]
    public async Task ResumingASessionOnANewSocketClosesTheOldOne()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var (first, session) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _f = first;

        await using var second = await RawClient.ConnectAsync(server.Port);
        await second.SendRecordAsync(new ConnectRequest(0, 0, 30000, session.SessionId, session.Passwd, false));
        var frame = await second.ReadFrameAsync();
        var reader = new JuteReader(frame);
        var resumed = ConnectResponse.Read(ref reader);

        Assert.Equal(session.SessionId, resumed.SessionId);
        Assert.True(await first.WaitForCloseAsync(Timeout));
        Assert.Equal(0, (await second.RequestAsync(OpCode.Ping, null)).Header.Err);

        // A wrong password looks like an expired session: timeOut 0, then close.
        await using var third = await RawClient.ConnectAsync(server.Port);
        await third.SendRecordAsync(new ConnectRequest(0, 0, 30000, session.SessionId, new byte[16], false));
        var refused = await third.ReadFrameAsync();
        var refusedReader = new JuteReader(refused);
        Assert.Equal(0, ConnectResponse.Read(ref refusedReader).TimeOut);
        Assert.True(await third.WaitForCloseAsync(Timeout));
    }

    [Fact]
    public async Task AClientAheadOfTheServerIsClosedWithoutAResponse()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.SendRecordAsync(new ConnectRequest(0, 1000, 30000, 0, new byte[16], false));

        Assert.Null(await client.ReadFrameAsync());
    }

    [Fact]
    public async Task FourLetterWordsOutsideTheDefaultWhitelistAreRefusedInZooKeepersWords()
    {
        var options = TestServers.Options(o => o.FourLetterWordWhitelist = new HashSet<string>(ZooKeeperServerOptions.DefaultFourLetterWordWhitelist));
        await using var server = new ZooKeeperServer(options);
        await server.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal("ruok is not executed because it is not in the whitelist.\n", await FourLetterWordClient.SendAsync(server.Port, "ruok"));
        Assert.Equal("stat is not executed because it is not in the whitelist.\n", await FourLetterWordClient.SendAsync(server.Port, "stat"));
        Assert.StartsWith("Zookeeper version: ", await FourLetterWordClient.SendAsync(server.Port, "srvr"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTestServerRestartsOnTheSamePortWithItsData()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var port = server.Port;
        var (client, _) = await RawClient.ConnectSessionAsync(port);
        await using (client)
        {
            Assert.Equal(0, (await client.RequestAsync(OpCode.Create, new CreateRequest("/kept", [1], [new ACL(Perms.All, new Id("world", "anyone"))], 0))).Header.Err);
        }

        await server.RestartAsync(TestContext.Current.CancellationToken);

        Assert.Equal($"127.0.0.1:{port}", server.ConnectionString);
        var (again, _) = await RawClient.ConnectSessionAsync(port);
        await using var _a = again;
        Assert.Equal(0, (await again.RequestAsync(OpCode.Exists, new ExistsRequest("/kept", false))).Header.Err);
    }

    [Fact]
    public async Task MisbehavingClientsAreClosedWhileALiveSessionKeepsWorking()
    {
        var logs = new CapturingLoggerFactory();
        await using var server = await ZooKeeperTestServer.StartAsync(o => o.MaxClientCnxns = 3, logs, cancellationToken: TestContext.Current.CancellationToken);
        var (live, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _l = live;
        List<ACL> open = [new ACL(Perms.All, new Id("world", "anyone"))];
        Assert.Equal(0, (await live.RequestAsync(OpCode.Create, new CreateRequest("/live", [], open, 0))).Header.Err);

        string[] badFirstBytes =
        [
            Convert.ToHexString(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n")),
            "ff ff ff ff 00 00",
            "00 10 00 00 00 00",
            "00 00 00 08 ff ff ff fe 00 00 00 0b",
        ];
        foreach (var hex in badFirstBytes)
        {
            await using var bad = await RawClient.ConnectAsync(server.Port);
            await bad.SendHexAsync(hex);
            Assert.True(await bad.WaitForCloseAsync(Timeout), hex);
            Assert.Equal(0, (await live.RequestAsync(OpCode.Exists, new ExistsRequest("/live", false))).Header.Err);
        }

        // Bad frame lengths after a handshake.
        foreach (var hex in new[] { "ff ff ff f0", "00 10 00 00" })
        {
            var (bad, _) = await RawClient.ConnectSessionAsync(server.Port);
            await using var _b = bad;
            await bad.SendHexAsync(hex);
            Assert.True(await bad.WaitForCloseAsync(Timeout), hex);
            Assert.Equal(0, (await live.RequestAsync(OpCode.Exists, new ExistsRequest("/live", false))).Header.Err);
        }

        // Connections beyond maxClientCnxns (3 here: the live one and two more).
        var (second, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _2 = second;
        var (third, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _3 = third;
        await using var fourth = await RawClient.ConnectAsync(server.Port);
        Assert.True(await fourth.WaitForCloseAsync(Timeout));
        await logs.WaitForLineAsync("Too many connections from /127.0.0.1 - max is 3");
        Assert.Equal(0, (await live.RequestAsync(OpCode.Exists, new ExistsRequest("/live", false))).Header.Err);
        Assert.Equal(6, logs.Lines.Count(l => l.Contains("Closing connection from", StringComparison.Ordinal)));
    }
}
