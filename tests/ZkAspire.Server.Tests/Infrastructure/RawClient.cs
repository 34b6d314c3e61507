// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ZkAspire.Protocol;

namespace ZkAspire.Server.Tests.Infrastructure;

/// <summary>A client that speaks raw frames over a real socket, to test the transport byte by byte.</summary>
internal sealed class RawClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private byte[] _buffer = new byte[4 * 1024];
    private int _start;
    private int _end;
    private int _nextXid = 1;

    private RawClient(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>Gets the notifications read while waiting for replies.</summary>
    public List<WatcherEvent> Notifications { get; } = [];

    public Socket Socket => _socket;

    public static async Task<RawClient> ConnectAsync(int port, int receiveBufferSize = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize > 0)
        {
            socket.ReceiveBufferSize = receiveBufferSize;
        }

        using var cts = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        return new RawClient(socket);
    }

    /// <summary>Connects and completes the handshake.</summary>
    public static async Task<(RawClient Client, ConnectResponse Response)> ConnectSessionAsync(int port, int timeoutMs = 30000)
    {
        var client = await ConnectAsync(port);
        var response = await client.HandshakeAsync(timeoutMs);
        return (client, response);
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(bytes, SocketFlags.None, cts.Token);
    }

    public Task SendHexAsync(string hex) => SendAsync(Hex(hex));

    public async Task SendRecordAsync<T>(T record)
        where T : IJuteRecord
    {
        using var writer = new JuteWriter();
        Framing.WriteFrame(writer, record);
        await SendAsync(writer.ToArray());
    }

    public async Task SendRequestAsync(int xid, OpCode type, IJuteRecord? body)
    {
        using var writer = new JuteWriter();
        Framing.WriteFrame(writer, new RequestHeader(xid, (int)type), body);
        await SendAsync(writer.ToArray());
    }

    public async Task<ConnectResponse> HandshakeAsync(int timeoutMs = 30000, bool readOnlyByte = true)
    {
        await SendRecordAsync(new ConnectRequest(0, 0, timeoutMs, 0, new byte[16], readOnlyByte ? false : null));
        var frame = await ReadFrameAsync() ?? throw new InvalidOperationException("The server closed the connection during the handshake.");
        var reader = new JuteReader(frame);
        return ConnectResponse.Read(ref reader);
    }

    /// <summary>Sends a request and reads frames until its reply, collecting notifications.</summary>
    public async Task<(ReplyHeader Header, byte[] Body)> RequestAsync(OpCode type, IJuteRecord? body, int? xid = null, TimeSpan? timeout = null)
    {
        var id = xid ?? (type == OpCode.Ping ? -2 : _nextXid++);
        await SendRequestAsync(id, type, body);
        return await ReadReplyAsync(id, timeout);
    }

    public async Task<(ReplyHeader Header, byte[] Body)> ReadReplyAsync(int xid, TimeSpan? timeout = null)
    {
        while (true)
        {
            var frame = await ReadFrameAsync(timeout) ?? throw new InvalidOperationException($"The server closed the connection before replying to xid {xid}.");
            var reader = new JuteReader(frame);
            var header = ReplyHeader.Read(ref reader);
            if (header.Xid == -1)
            {
                Notifications.Add(WatcherEvent.Read(ref reader));
                continue;
            }

            if (header.Xid != xid)
            {
                throw new InvalidOperationException($"Expected the reply to xid {xid}, got xid {header.Xid}.");
            }

            return (header, frame[ReplyHeader.EncodedSize..]);
        }
    }

    /// <summary>Reads until a notification arrives.</summary>
    public async Task<WatcherEvent> ReadNotificationAsync(TimeSpan? timeout = null)
    {
        var frame = await ReadFrameAsync(timeout) ?? throw new InvalidOperationException("The server closed the connection.");
        var reader = new JuteReader(frame);
        var header = ReplyHeader.Read(ref reader);
        if (header.Xid != -1)
        {
            throw new InvalidOperationException($"Expected a notification, got xid {header.Xid}.");
        }

        return WatcherEvent.Read(ref reader);
    }

    /// <summary>Reads one frame's payload; null when the server closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        if (!await FillAsync(4, cts.Token))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start, 4));
        if (length < 0 || length > 64 * 1024 * 1024)
        {
            throw new InvalidOperationException($"Bad frame length {length} from the server.");
        }

        if (!await FillAsync(4 + length, cts.Token))
        {
            return null;
        }

        var payload = _buffer.AsSpan(_start + 4, length).ToArray();
        _start += 4 + length;
        return payload;
    }

    /// <summary>Reads everything until the server closes; the text of it.</summary>
    public async Task<byte[]> ReadToEndAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        using var output = new MemoryStream();
        await output.WriteAsync(_buffer.AsMemory(_start, _end - _start));
        _start = _end = 0;
        while (true)
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cts.Token);
            }
            catch (SocketException)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            await output.WriteAsync(_buffer.AsMemory(0, read));
        }

        return output.ToArray();
    }

    /// <summary>Waits until the server closes the connection (discarding what it sends); false on timeout.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        try
        {
            await ReadToEndAsync(timeout);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(new string(hex.Where(Uri.IsHexDigit).ToArray()));

    private async Task<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (count > _buffer.Length)
            {
                var larger = new byte[Math.Max(count, _buffer.Length * 2)];
                Buffer.BlockCopy(_buffer, _start, larger, 0, _end - _start);
                _end -= _start;
                _start = 0;
                _buffer = larger;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            int read;
            try
            {
                read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
            }
            catch (SocketException)
            {
                return false;
            }

            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }
}
