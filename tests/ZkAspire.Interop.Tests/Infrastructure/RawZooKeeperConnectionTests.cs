// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Net.Sockets;
using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests.Infrastructure;

/// <summary>
/// The raw test client against a scripted fake server on loopback: it must report exactly what
/// arrives, in order, and fail loudly (never hang) when the server misbehaves.
/// </summary>
public sealed class RawZooKeeperConnectionTests : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RawZooKeeperConnectionTests()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
    }

    private int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _listener.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [InlineData(null)]
    public async Task SendsTheConnectRequestWithOrWithoutTheReadOnlyByte(bool? readOnly)
    {
        var connecting = RawZooKeeperConnection.ConnectAsync(Port, timeOut: 5000, readOnly: readOnly, cancellationToken: Ct);
        using var server = await _listener.AcceptAsync(Ct);
        var request = await ReceiveFrameAsync(server);
        Assert.Equal(readOnly is null ? 44 : 45, request.Length);
        var reader = new JuteReader(request);
        var sent = ConnectRequest.Read(ref reader);
        Assert.Equal((0, 0L, 5000, 0L, readOnly), (sent.ProtocolVersion, sent.LastZxidSeen, sent.TimeOut, sent.SessionId, sent.ReadOnly));
        Assert.Equal(new byte[16], sent.Passwd);

        await SendFrameAsync(server, new ConnectResponse(0, 5000, 42, new byte[16], readOnly is null ? null : false));
        await using var zk = await connecting;
        Assert.Equal(42, zk.SessionId);
        Assert.Equal(readOnly is null ? 36 : 37, zk.ConnectResponsePayload!.Length);
    }

    [Fact]
    public async Task CallCollectsTheNotificationsBeforeItsReplyInWireOrder()
    {
        var connecting = RawZooKeeperConnection.ConnectAsync(Port, cancellationToken: Ct);
        using var server = await _listener.AcceptAsync(Ct);
        await ReceiveFrameAsync(server);
        await SendFrameAsync(server, new ConnectResponse(0, 30_000, 1, new byte[16], false));
        await using var zk = await connecting;

        var call = zk.CallAsync(OpCode.Exists, new ExistsRequest("/a", false), Ct);
        var request = await ReceiveFrameAsync(server);
        var reader = new JuteReader(request);
        Assert.Equal(new RequestHeader(1, (int)OpCode.Exists), reader.ReadRecord<RequestHeader>());

        await SendFrameAsync(server, new ReplyHeader(-1, -1, 0), new WatcherEvent(EventType.NodeCreated, KeeperState.SyncConnected, "/a"));
        await SendFrameAsync(server, new ReplyHeader(-1, -1, 0), new WatcherEvent(EventType.NodeDeleted, KeeperState.SyncConnected, "/b"));
        await SendFrameAsync(server, new ReplyHeader(1, 7, (int)KeeperErrorCode.NoNode));
        var result = await call;

        Assert.Equal(new ReplyHeader(1, 7, -101), result.Reply.Header);
        Assert.Equal([(EventType.NodeCreated, "/a"), (EventType.NodeDeleted, "/b")], result.Events.Select(e => (e.Type, e.Path)));
        Assert.Equal(3, zk.Received.Count);
        Assert.Same(result.Reply, zk.Received[2]);
    }

    [Fact]
    public async Task AReplyToAnotherXidIsAnError()
    {
        var (zk, server) = await ConnectedAsync();
        await using (zk)
        using (server)
        {
            var call = zk.CallAsync(OpCode.Sync, new SyncRequest("/"), Ct);
            await ReceiveFrameAsync(server);
            await SendFrameAsync(server, new ReplyHeader(5, 0, 0));
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => call);
            Assert.Contains("xid 5", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ASilentServerTimesOut()
    {
        var (zk, server) = await ConnectedAsync();
        await using (zk)
        using (server)
        {
            zk.ReceiveTimeout = TimeSpan.FromMilliseconds(200);
            await Assert.ThrowsAsync<TimeoutException>(() => zk.ReceiveAsync(Ct));
        }
    }

    [Fact]
    public async Task ACloseBetweenFramesIsNullAndACloseInsideAFrameIsAnError()
    {
        var (zk, server) = await ConnectedAsync();
        await using (zk)
        {
            server.Shutdown(SocketShutdown.Both);
            server.Dispose();
            Assert.Null(await zk.ReceiveAsync(Ct));
            Assert.True(zk.IsClosedByPeer);
            Assert.Empty(await zk.ReceiveUntilClosedAsync(Ct));
        }

        (zk, server) = await ConnectedAsync();
        await using (zk)
        {
            await server.SendAsync(new byte[] { 0, 0, 0, 20, 1, 2, 3 }, Ct);
            server.Shutdown(SocketShutdown.Both);
            server.Dispose();
            await Assert.ThrowsAsync<InvalidOperationException>(() => zk.ReceiveAsync(Ct));
        }
    }

    [Fact]
    public async Task AnOversizedFrameIsRejectedBeforeItIsRead()
    {
        var (zk, server) = await ConnectedAsync();
        await using (zk)
        using (server)
        {
            await server.SendAsync(new byte[] { 0x7f, 0xff, 0xff, 0xff }, Ct);
            await Assert.ThrowsAsync<ProtocolException>(() => zk.ReceiveAsync(Ct));
        }
    }

    [Fact]
    public async Task RawBytesGoOutAsGiven()
    {
        var (zk, server) = await ConnectedAsync();
        await using (zk)
        using (server)
        {
            await zk.SendRawAsync("ruok"u8.ToArray(), Ct);
            await zk.SendFrameAsync(new byte[] { 9, 8, 7 }, Ct);
            var buffer = new byte[11];
            var read = 0;
            while (read < buffer.Length)
            {
                read += await server.ReceiveAsync(buffer.AsMemory(read), Ct);
            }

            Assert.Equal("72 75 6f 6b 00 00 00 03 09 08 07", string.Join(' ', buffer.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))));
        }
    }

    private async Task<(RawZooKeeperConnection Client, Socket Server)> ConnectedAsync()
    {
        var connecting = RawZooKeeperConnection.ConnectAsync(Port, cancellationToken: Ct);
        var server = await _listener.AcceptAsync(Ct);
        await ReceiveFrameAsync(server);
        await SendFrameAsync(server, new ConnectResponse(0, 30_000, 1, new byte[16], false));
        return (await connecting, server);
    }

    private static async Task<byte[]> ReceiveFrameAsync(Socket socket)
    {
        var length = new byte[4];
        await ReceiveExactlyAsync(socket, length);
        var payload = new byte[System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(length)];
        await ReceiveExactlyAsync(socket, payload);
        return payload;
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), Ct);
            Assert.True(n > 0, "The client closed the connection.");
            read += n;
        }
    }

    private static async Task SendFrameAsync(Socket socket, IJuteRecord first, IJuteRecord? second = null)
    {
        using var writer = new JuteWriter();
        var mark = writer.BeginFrame();
        first.Write(writer);
        second?.Write(writer);
        writer.EndFrame(mark);
        await socket.SendAsync(writer.WrittenMemory, Ct);
    }
}
