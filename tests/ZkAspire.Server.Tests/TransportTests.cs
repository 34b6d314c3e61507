// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Protocol;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>The transport over real sockets, with a scripted core: framing, limits, misbehaving clients.</summary>
public sealed class TransportTests
{
    // §22.1 of the protocol notes: ConnectRequest, new session, 30 s, readOnly=false.
    private const string ConnectRequestHex =
        "00 00 00 2d 00 00 00 00 00 00 00 00 00 00 00 00 00 00 75 30 00 00 00 00 00 00 00 00" +
        "00 00 00 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

    // The same from a client older than 3.4: no readOnly byte, length 0x2c.
    private const string OldConnectRequestHex =
        "00 00 00 2c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 75 30 00 00 00 00 00 00 00 00" +
        "00 00 00 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

    // §22.4: ping request.
    private const string PingHex = "00 00 00 08 ff ff ff fe 00 00 00 0b";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ConnectRequestFromTheReferenceGetsA37ByteResponseAndPingsWork()
    {
        var (server, core) = await TestServers.StartFakeAsync();
        await using var _ = server;
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.SendHexAsync(ConnectRequestHex);
        var response = await client.ReadFrameAsync();

        Assert.NotNull(response);
        Assert.Equal(37, response.Length);
        Assert.Equal(0, response[36]);
        var connect = Assert.Single(core.ConnectRequests);
        Assert.Equal((0, 0L, 30000, 0L, false), (connect.ProtocolVersion, connect.LastZxidSeen, connect.TimeOut, connect.SessionId, connect.ReadOnly));

        await client.SendHexAsync(PingHex);
        var ping = await client.ReadFrameAsync();
        Assert.Equal(RawClient.Hex("ff ff ff fe 00 00 00 00 00 00 00 00 00 00 00 00"), ping);
    }

    [Fact]
    public async Task OldClientWithoutReadOnlyByteGetsThe36ByteResponse()
    {
        var (server, core) = await TestServers.StartFakeAsync();
        await using var _ = server;
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.SendHexAsync(OldConnectRequestHex);
        var response = await client.ReadFrameAsync();

        Assert.NotNull(response);
        Assert.Equal(36, response.Length);
        Assert.Null(Assert.Single(core.ConnectRequests).ReadOnly);
    }

    [Fact]
    public async Task ConnectAndRequestsInOneWriteAreProcessedInOrder()
    {
        var (server, _) = await TestServers.StartFakeAsync();
        await using var _s = server;
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync(RawClient.Hex(ConnectRequestHex + PingHex + PingHex));

        Assert.Equal(37, (await client.ReadFrameAsync())!.Length);
        Assert.Equal(16, (await client.ReadFrameAsync())!.Length);
        Assert.Equal(16, (await client.ReadFrameAsync())!.Length);
    }

    [Fact]
    public async Task ARequestSplitIntoSingleBytesIsReassembled()
    {
        var (server, _) = await TestServers.StartFakeAsync();
        await using var _s = server;
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();

        foreach (var b in RawClient.Hex(PingHex))
        {
            await client.SendAsync(new[] { b });
        }

        Assert.Equal(-2, (await client.ReadReplyAsync(-2)).Header.Xid);
    }

    public static TheoryData<string, string> BadFirstBytes => new()
    {
        { "garbage (an HTTP request)", Convert.ToHexString(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n")) },
        { "a negative length", "ff ff ff f0 00 00 00 00" },
        { "a length over jute.maxbuffer", "00 10 00 00 00 00 00 00" },
        { "a request before the connect request", PingHex },
        { "an unknown four-letter word", Convert.ToHexString(Encoding.ASCII.GetBytes("abcd")) },
    };

    [Theory]
    [MemberData(nameof(BadFirstBytes))]
    public async Task BadBytesOnAFreshConnectionCloseItAndNobodyElseNotices(string what, string hex)
    {
        var logs = new CapturingLoggerFactory();
        var (server, _) = await TestServers.StartFakeAsync(logs: logs);
        await using var _s = server;
        var (live, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _l = live;

        await using var bad = await RawClient.ConnectAsync(server.Port);
        await bad.SendHexAsync(hex);

        Assert.True(await bad.WaitForCloseAsync(Timeout), $"The server kept a connection that sent {what}.");
        Assert.Equal(0, (await live.RequestAsync(OpCode.Ping, null)).Header.Err);
        await logs.WaitForLineAsync("Closing connection from");
    }

    [Theory]
    [InlineData("ff ff ff ff")]
    [InlineData("7f ff ff ff")]
    [InlineData("00 10 00 00")]
    public async Task BadFrameLengthAfterTheHandshakeClosesTheConnection(string length)
    {
        var logs = new CapturingLoggerFactory();
        var (server, core) = await TestServers.StartFakeAsync(logs: logs);
        await using var _s = server;
        var (live, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _l = live;
        var (bad, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _b = bad;

        await bad.SendHexAsync(length);

        Assert.True(await bad.WaitForCloseAsync(Timeout));
        var line = await logs.WaitForLineAsync("Closing connection from");
        Assert.Contains("frame length", line, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, (await live.RequestAsync(OpCode.Ping, null)).Header.Err);

        // The core heard that the connection is gone.
        await Poll.UntilAsync(() => server.InvokeAsync(_ => core.Closed.Count == 1));
    }

    [Fact]
    public async Task AFrameOfExactlyJuteMaxBufferIsAccepted()
    {
        var (server, _) = await TestServers.StartFakeAsync(o => o.JuteMaxBuffer = 1000);
        await using var _s = server;
        var (client, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _c = client;

        // A create whose frame payload is exactly 1000 bytes: header 8 + path (4+2) + data (4+n) + acl 4 + flags 4.
        var data = new byte[1000 - 8 - 6 - 4 - 4 - 4];
        var (header, _) = await client.RequestAsync(OpCode.Create, new CreateRequest("/a", data, [], 0));
        Assert.Equal(0, header.Err);

        var (tooBig, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _t = tooBig;
        await tooBig.SendRequestAsync(1, OpCode.Create, new CreateRequest("/a", new byte[data.Length + 1], [], 0));
        Assert.True(await tooBig.WaitForCloseAsync(Timeout));
    }

    [Fact]
    public async Task AnUndecodableBodyIsAnsweredWithMarshallingErrorInOrder()
    {
        var (server, _) = await TestServers.StartFakeAsync();
        await using var _s = server;
        var (client, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _c = client;

        // getData whose path claims 100 bytes but carries 2, then a ping: both answered, in order.
        await client.SendHexAsync("00 00 00 12 00 00 00 07 00 00 00 04 00 00 00 64 2f 61 00 00 00 00");
        await client.SendHexAsync(PingHex);

        var (header, body) = await client.ReadReplyAsync(7);
        Assert.Equal((int)KeeperErrorCode.MarshallingError, header.Err);
        Assert.Empty(body);
        Assert.Equal(0, (await client.ReadReplyAsync(-2)).Header.Err);
    }

    [Fact]
    public async Task TheLastReplyIsFlushedBeforeTheCoreClosesTheConnection()
    {
        var (server, _) = await TestServers.StartFakeAsync();
        await using var _s = server;
        var (client, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _c = client;

        // An unknown opcode: ZooKeeper replies Unimplemented and closes.
        await client.SendRequestAsync(5, (OpCode)77, null);
        var (header, _) = await client.ReadReplyAsync(5);

        Assert.Equal((int)KeeperErrorCode.Unimplemented, header.Err);
        Assert.True(await client.WaitForCloseAsync(Timeout));
    }

    [Fact]
    public async Task TooManyConnectionsFromOneAddressAreClosedWithALogLine()
    {
        var logs = new CapturingLoggerFactory();
        var (server, _) = await TestServers.StartFakeAsync(o => o.MaxClientCnxns = 2, logs);
        await using var _s = server;
        var (first, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _f = first;
        var (second, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _c = second;

        await using var third = await RawClient.ConnectAsync(server.Port);

        Assert.True(await third.WaitForCloseAsync(Timeout));
        await logs.WaitForLineAsync("Too many connections from /127.0.0.1 - max is 2");
        Assert.Equal(0, (await first.RequestAsync(OpCode.Ping, null)).Header.Err);
        Assert.Equal(0, (await second.RequestAsync(OpCode.Ping, null)).Header.Err);

        // A slot frees when a connection goes.
        await first.DisposeAsync();
        RawClient? fourth = null;
        await Poll.UntilAsync(async () =>
        {
            try
            {
                fourth = await RawClient.ConnectAsync(server.Port);
                await fourth.HandshakeAsync();
                return true;
            }
            catch (Exception e) when (e is InvalidOperationException or System.Net.Sockets.SocketException)
            {
                if (fourth is not null)
                {
                    await fourth.DisposeAsync();
                }

                return false;
            }
        });
        await fourth!.DisposeAsync();
    }

    [Fact]
    public async Task AConnectionThatNeverSaysHelloIsClosed()
    {
        var logs = new CapturingLoggerFactory();
        var (server, _) = await TestServers.StartFakeAsync(o => { o.TickTimeMs = 20; o.SessionlessConnectionTimeoutMs = 200; }, logs);
        await using var _s = server;
        await using var silent = await RawClient.ConnectAsync(server.Port);

        Assert.True(await silent.WaitForCloseAsync(Timeout));
        await logs.WaitForLineAsync("no session after 200 ms");
    }

    [Fact]
    public async Task ANotificationGoesOutBeforeTheReplyThatFollowsIt()
    {
        var (server, _) = await TestServers.StartFakeAsync();
        await using var _s = server;
        var (watcher, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _w = watcher;
        var (writer, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _r = writer;
        Assert.Equal(0, (await writer.RequestAsync(OpCode.Create, new CreateRequest("/app", [1], [], 0))).Header.Err);
        Assert.Equal(0, (await watcher.RequestAsync(OpCode.GetData, new GetDataRequest("/app", true))).Header.Err);

        Assert.Equal(0, (await writer.RequestAsync(OpCode.SetData, new SetDataRequest("/app", [2], -1))).Header.Err);
        Assert.Equal(0, (await watcher.RequestAsync(OpCode.Ping, null)).Header.Err);

        var notification = Assert.Single(watcher.Notifications);
        Assert.Equal(new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/app"), notification);
    }

    [Fact]
    public async Task AClientThatStopsReadingIsPausedThenResumedWithoutLosingReplies()
    {
        var (server, _) = await TestServers.StartFakeAsync(o => { o.OutputBufferSoftLimitBytes = 64 * 1024; o.OutputBufferHardLimitBytes = 512 * 1024 * 1024; });
        await using var _s = server;
        var (writer, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _w = writer;
        Assert.Equal(0, (await writer.RequestAsync(OpCode.Create, new CreateRequest("/big", new byte[20_000], [], 0))).Header.Err);

        // Up to 3000 reads of 20 KB = 60 MB of replies, none read while they are sent: the server
        // must stop reading this client instead of queueing it all.
        const int Count = 3000;
        await using var greedy = await RawClient.ConnectAsync(server.Port, receiveBufferSize: 8 * 1024);
        await greedy.HandshakeAsync();
        var sending = Task.Run(async () =>
        {
            for (var chunk = 0; chunk < Count / 100; chunk++)
            {
                using var frames = new JuteWriter();
                for (var i = 1; i <= 100; i++)
                {
                    Framing.WriteFrame(frames, new RequestHeader((chunk * 100) + i, (int)OpCode.GetData), new GetDataRequest("/big", false));
                }

                await greedy.SendAsync(frames.ToArray());
            }
        }, TestContext.Current.CancellationToken);

        // The connection shows as not read from, with output waiting ("[4]" in cons), having
        // taken only part of the requests.
        string? paused = null;
        await Poll.UntilAsync(async () =>
        {
            var cons = await FourLetterWordClient.SendAsync(server.Port, "cons");
            paused = cons.Split('\n').FirstOrDefault(l => l.Contains("[4](", StringComparison.Ordinal));
            return paused is not null;
        });
        var received = int.Parse(System.Text.RegularExpressions.Regex.Match(paused!, "recved=([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(received, 1, Count);

        // Everyone else is served meanwhile.
        Assert.Equal(0, (await writer.RequestAsync(OpCode.Ping, null)).Header.Err);

        // Once the client reads, everything arrives, in order.
        for (var xid = 1; xid <= Count; xid++)
        {
            var (header, body) = await greedy.ReadReplyAsync(xid, Timeout);
            Assert.Equal(0, header.Err);
            Assert.Equal(20_000 + 4 + 68, body.Length);
        }

        await sending;
    }

    [Fact]
    public async Task AClientThatNeverReadsItsNotificationsIsCutOffPastTheHardLimit()
    {
        var logs = new CapturingLoggerFactory();
        var (server, _) = await TestServers.StartFakeAsync(o => { o.OutputBufferSoftLimitBytes = 64 * 1024; o.OutputBufferHardLimitBytes = 256 * 1024; }, logs);
        await using var _s = server;
        var path = "/" + new string('n', 4000);
        var (writer, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _w = writer;
        Assert.Equal(0, (await writer.RequestAsync(OpCode.Create, new CreateRequest(path, [], [], 0))).Header.Err);
        await using var deaf = await RawClient.ConnectAsync(server.Port, receiveBufferSize: 4 * 1024);
        await deaf.HandshakeAsync();
        Assert.Equal(0, (await deaf.RequestAsync(OpCode.AddWatch, new AddWatchRequest(path, 0))).Header.Err);

        // Up to 20 MB of notifications: far more than socket buffers and the hard limit hold.
        var cutOff = logs.WaitForLineAsync("does not read", TimeSpan.FromSeconds(60));
        for (var i = 0; i < 5000 && !cutOff.IsCompleted; i++)
        {
            Assert.Equal(0, (await writer.RequestAsync(OpCode.SetData, new SetDataRequest(path, [(byte)i], -1))).Header.Err);
        }

        await cutOff;
        Assert.Equal(0, (await writer.RequestAsync(OpCode.Ping, null)).Header.Err);
    }

    [Fact]
    public async Task StopClosesConnectionsAndRestartKeepsThePortAndTheData()
    {
        var (server, core) = await TestServers.StartFakeAsync();
        await using var _s = server;
        var port = server.Port;
        var (client, _) = await RawClient.ConnectSessionAsync(port);
        await using var _c = client;
        Assert.Equal(0, (await client.RequestAsync(OpCode.Create, new CreateRequest("/kept", [7], [], 0))).Header.Err);

        await server.StopAsync(TestContext.Current.CancellationToken);

        Assert.False(server.IsRunning);
        Assert.True(await client.WaitForCloseAsync(Timeout));
        Assert.Single(core.Closed);

        await server.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(port, server.Port);
        var (again, _) = await RawClient.ConnectSessionAsync(port);
        await using var _a = again;
        var (header, body) = await again.RequestAsync(OpCode.GetData, new GetDataRequest("/kept", false));
        Assert.Equal(0, header.Err);
        Assert.Equal(7, body[4]);
    }

    [Fact]
    public async Task APortInUseFailsTheStart()
    {
        var (first, _) = await TestServers.StartFakeAsync();
        await using var _f = first;
        var second = new ZooKeeperServer(TestServers.Options(o => o.ClientPort = first.Port));
        await using var _s = second;

        var e = await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => second.StartAsync(TestContext.Current.CancellationToken));
        Assert.Equal(System.Net.Sockets.SocketError.AddressAlreadyInUse, e.SocketErrorCode);
    }
}
