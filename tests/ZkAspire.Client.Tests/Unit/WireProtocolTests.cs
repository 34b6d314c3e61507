// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using ZkAspire.Client.Internal;
using ZkAspire.Client.Tests.Infrastructure;
using ZkAspire.Protocol;
using static ZkAspire.Client.Tests.Infrastructure.TestHelpers;

namespace ZkAspire.Client.Tests.Unit;

/// <summary>
/// The client's side of the wire protocol, against a scripted server: handshake, xids, pings,
/// FIFO matching, frame limits, and what a reconnect sends and in which order (§4.3, §5, §13, §15.6).
/// </summary>
public sealed class WireProtocolTests
{
    private const long SessionId = 0x0100_0000_0000_1234;

    [Fact]
    public async Task TheHandshakeCarriesTheRequestedTimeoutAndTheReadOnlyByte()
    {
        await using var server = new ScriptedServer();
        var options = Options(server);
        options.SessionTimeout = TimeSpan.FromSeconds(12);
        options.CanBeReadOnly = true;
        var connecting = ZooKeeperClient.ConnectAsync(options, Ct);
        using var connection = await server.AcceptAsync();
        var request = await connection.ReadConnectRequestAsync();
        Assert.Equal(new ConnectRequest(0, 0, 12_000, 0, null, true), request with { Passwd = null });
        Assert.Equal(new byte[16], request.Passwd);

        // A server older than 3.4 sends no readOnly byte.
        await connection.AcceptSessionAsync(SessionId, timeOut: 8_000, readOnly: null);
        await using var client = await connecting;
        Assert.Equal(SessionId, client.SessionId);
        Assert.Equal(TimeSpan.FromSeconds(8), client.SessionTimeout);
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (byte)i), client.SessionPassword);
    }

    [Fact]
    public async Task XidsStartAtOneAndFollowTheSendOrder()
    {
        await using var server = new ScriptedServer();
        var (client, connection) = await ConnectAsync(server);
        await using var _ = client;
        var tasks = new[] { client.ExistsAsync("/a", Ct), client.ExistsAsync("/b", Ct), client.ExistsAsync("/c", Ct) };
        for (var xid = 1; xid <= 3; xid++)
        {
            var (header, body) = await connection.ReadNonPingAsync();
            Assert.Equal(new RequestHeader(xid, (int)OpCode.Exists), header);
            var reader = new JuteReader(body);
            Assert.Equal(new ExistsRequest(((char)('a' + xid - 1)).ToString() is var n ? "/" + n : null!, false), ExistsRequest.Read(ref reader));
        }

        for (var xid = 1; xid <= 3; xid++)
        {
            await connection.ReplyAsync(xid, 10 + xid, KeeperErrorCode.NoNode);
        }

        Assert.All(await Task.WhenAll(tasks), Assert.Null);
        Assert.Equal(13, client.LastZxid);
    }

    [Fact]
    public void XidsWrapToOneAndAreNeverZeroOrNegative()
    {
        var next = int.MaxValue - 2;
        Assert.Equal(int.MaxValue - 2, ClientConnection.TakeXid(ref next));
        Assert.Equal(int.MaxValue - 1, ClientConnection.TakeXid(ref next));
        Assert.Equal(1, ClientConnection.TakeXid(ref next));
        Assert.Equal(2, ClientConnection.TakeXid(ref next));
    }

    [Fact]
    public async Task AnIdleConnectionPingsAndPingsDoNotMoveLastZxid()
    {
        await using var server = new ScriptedServer();
        var (client, connection) = await ConnectAsync(server, timeOut: 3_000);
        await using var _ = client;

        // Ping after a third of the session timeout without sending: xid −2, opcode 11, no body.
        var ping = await connection.ReadRequestAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new RequestHeader(Xids.Ping, (int)OpCode.Ping), ping!.Value.Header);
        Assert.Empty(ping.Value.Body);
        await connection.ReplyAsync(Xids.Ping, 0x999);

        // Notifications carry zxids too (3.9); neither moves lastZxid.
        await connection.WriteRawAsync(Frame(new ReplyHeader(Xids.Notification, 0x777, 0), new WatcherEvent(EventType.NodeCreated, KeeperState.SyncConnected, "/x")));
        var exists = client.ExistsAsync("/", Ct);
        var request = await connection.ReadNonPingAsync();
        await connection.ReplyAsync(request.Header.Xid, 5, body: new ExistsResponse(default));
        await exists;
        Assert.Equal(5, client.LastZxid);
    }

    [Fact]
    public async Task ASilentServerIsLeftAfterTwoThirdsOfTheSessionTimeout()
    {
        await using var server = new ScriptedServer();
        var (client, connection) = await ConnectAsync(server, timeOut: 1_500);
        await using var _ = client;
        var states = client.RecordStates();
        var watch = System.Diagnostics.Stopwatch.StartNew();

        // The server reads the pings and never answers.
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));
        Assert.Equal(Xids.Ping, (await connection.ReadRequestAsync())!.Value.Header.Xid);
    }

    [Fact]
    public async Task AReplyOutOfOrderDropsTheConnection()
    {
        await using var server = new ScriptedServer();
        var (client, connection) = await ConnectAsync(server, retry: RetryNTimes.Never);
        await using var _ = client;
        var states = client.RecordStates();
        var exists = client.ExistsAsync("/a", Ct);
        var request = await connection.ReadNonPingAsync();
        await connection.ReplyAsync(request.Header.Xid + 5, 1);
        var error = await Assert.ThrowsAsync<ConnectionLossException>(() => exists);
        Assert.True(error.RequestSent);
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);

        // The next connection resumes the session and works.
        using var second = await server.AcceptAsync();
        Assert.Equal(SessionId, (await second.ReadConnectRequestAsync()).SessionId);
        await second.AcceptSessionAsync(SessionId);
        Assert.Equal(ConnectionState.Reconnected, (await states.NextAsync()).State);
        var retried = client.ExistsAsync("/a", Ct);
        var again = await second.ReadNonPingAsync();
        await second.ReplyAsync(again.Header.Xid, 2, KeeperErrorCode.NoNode);
        Assert.Null(await retried);
    }

    [Fact]
    public async Task AFrameLargerThanMaxBufferDropsTheConnectionWithoutReadingIt()
    {
        await using var server = new ScriptedServer();
        var (client, connection) = await ConnectAsync(server, retry: RetryNTimes.Never);
        await using var _ = client;
        var exists = client.ExistsAsync("/a", Ct);
        await connection.ReadNonPingAsync();
        var huge = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(huge, int.MaxValue);
        await connection.WriteRawAsync(huge);
        await Assert.ThrowsAsync<ConnectionLossException>(() => exists);
    }

    [Fact]
    public async Task AReconnectSendsCredentialsThenWatchesThenQueuedRequests()
    {
        await using var server = new ScriptedServer();
        var options = Options(server);
        options.AuthInfo.Add(AuthInfo.Digest("u", "p"));
        var connecting = ZooKeeperClient.ConnectAsync(options, Ct);
        var first = await server.AcceptAsync();
        await first.ReadConnectRequestAsync();
        await first.AcceptSessionAsync(SessionId);
        var auth = await first.ReadNonPingAsync();
        Assert.Equal(new RequestHeader(Xids.Auth, (int)OpCode.Auth), auth.Header);
        await first.ReplyAsync(Xids.Auth, 0);
        await using var client = await connecting;
        var states = client.RecordStates();

        // A data watch (zxid 0x100), an exists watch on a missing node (0x101), a persistent one.
        var data = client.GetDataAsync("/a", _ => { }, Ct);
        var request = await first.ReadNonPingAsync();
        await first.ReplyAsync(request.Header.Xid, 0x100, body: new GetDataResponse([], default));
        await data;
        var exists = client.ExistsAsync("/b", _ => { }, Ct);
        request = await first.ReadNonPingAsync();
        await first.ReplyAsync(request.Header.Xid, 0x101, KeeperErrorCode.NoNode);
        await exists;
        var persistent = client.AddWatchAsync("/c", AddWatchMode.PersistentRecursive, _ => { }, Ct);
        request = await first.ReadNonPingAsync();
        await first.ReplyAsync(request.Header.Xid, 0x101, body: new ErrorResponse(0));
        await persistent;

        first.Dispose();
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);
        var queued = client.GetDataAsync("/queued", Ct);

        using var second = await server.AcceptAsync();
        var reconnect = await second.ReadConnectRequestAsync();
        Assert.Equal((SessionId, 0x101L), (reconnect.SessionId, reconnect.LastZxidSeen));
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (byte)i), reconnect.Passwd);
        await second.AcceptSessionAsync(SessionId);

        // 1. credentials (xid −4)
        var reAuth = await second.ReadNonPingAsync();
        Assert.Equal(new RequestHeader(Xids.Auth, (int)OpCode.Auth), reAuth.Header);
        var authReader = new JuteReader(reAuth.Body);
        Assert.Equal("digest", AuthPacket.Read(ref authReader).Scheme);

        // 2. watches, relative to the last zxid, with a normal xid; setWatches2 as a persistent watch exists
        var setWatches = await second.ReadNonPingAsync();
        Assert.Equal((int)OpCode.SetWatches2, setWatches.Header.Type);
        Assert.True(setWatches.Header.Xid > 0);
        var watchReader = new JuteReader(setWatches.Body);
        var watches = SetWatches2.Read(ref watchReader);
        Assert.Equal(0x101, watches.RelativeZxid);
        Assert.Equal(["/a"], watches.DataWatches);
        Assert.Equal(["/b"], watches.ExistWatches);
        Assert.Empty(watches.ChildWatches!);
        Assert.Empty(watches.PersistentWatches!);
        Assert.Equal(["/c"], watches.PersistentRecursiveWatches);

        // 3. what was queued meanwhile (sent once the connection is announced, after the auth reply)
        await second.ReplyAsync(Xids.Auth, 0);
        var next = await second.ReadNonPingAsync();
        Assert.Equal((int)OpCode.GetData, next.Header.Type);
        Assert.Equal(setWatches.Header.Xid + 1, next.Header.Xid);
        await second.ReplyAsync(setWatches.Header.Xid, 0x101);
        await second.ReplyAsync(next.Header.Xid, 0x102, body: new GetDataResponse([7], default));
        Assert.Equal([7], (await queued).Data);
        Assert.Equal(ConnectionState.Reconnected, (await states.NextAsync()).State);
    }

    [Fact]
    public async Task WatchesAreReRegisteredInBatchesOfAbout128KiloBytes()
    {
        await using var server = new ScriptedServer();
        var (client, connection) = await ConnectAsync(server);
        await using var _ = client;
        var states = client.RecordStates();

        // 2,000 exists watches on 100-character paths: 200,000 characters, two batches.
        var paths = Enumerable.Range(0, 2000).Select(i => "/" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) + new string('x', 95)).ToList();
        var registered = paths.Select(p => client.ExistsAsync(p, _ => { }, Ct)).ToList();
        for (var i = 0; i < paths.Count; i++)
        {
            var request = await connection.ReadNonPingAsync();
            await connection.ReplyAsync(request.Header.Xid, 1, KeeperErrorCode.NoNode);
        }

        await Task.WhenAll(registered);
        connection.Dispose();
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);

        using var second = await server.AcceptAsync();
        await second.ReadConnectRequestAsync();
        await second.AcceptSessionAsync(SessionId);
        var batches = new List<SetWatches>();
        var total = 0;
        while (total < paths.Count)
        {
            var frame = await second.ReadNonPingAsync();
            Assert.Equal((int)OpCode.SetWatches, frame.Header.Type);
            var reader = new JuteReader(frame.Body, int.MaxValue);
            var batch = SetWatches.Read(ref reader);
            batches.Add(batch);
            total += batch.ExistWatches!.Count;
            Assert.InRange(batch.ExistWatches.Sum(p => p.Length), 1, (128 * 1024) + 100);
        }

        Assert.Equal(2, batches.Count);
        Assert.Equal(paths.Order(StringComparer.Ordinal), batches.SelectMany(b => b.ExistWatches!).Order(StringComparer.Ordinal));
    }

    // The scripted server never answers closeSession: closing waits for the connection timeout.
    private static ZooKeeperClientOptions Options(ScriptedServer server) => new()
    {
        ConnectionString = server.ConnectionString,
        SessionTimeout = TimeSpan.FromSeconds(10),
        ConnectionTimeout = TimeSpan.FromMilliseconds(500),
        RetryPolicy = RetryNTimes.Never,
    };

    private static async Task<(ZooKeeperClient Client, ScriptedConnection Connection)> ConnectAsync(
        ScriptedServer server,
        int timeOut = 10_000,
        IRetryPolicy? retry = null)
    {
        var options = Options(server);
        options.RetryPolicy = retry ?? options.RetryPolicy;
        var connecting = ZooKeeperClient.ConnectAsync(options, Ct);
        var connection = await server.AcceptAsync();
        await connection.ReadConnectRequestAsync();
        await connection.AcceptSessionAsync(SessionId, timeOut);
        return (await connecting, connection);
    }

    private static byte[] Frame(ReplyHeader header, IJuteRecord body)
    {
        using var writer = new JuteWriter();
        Framing.WriteFrame(writer, header, body);
        return writer.ToArray();
    }
}
