// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using ZkAspire.Protocol;

namespace ZkAspire.Client.Tests.Infrastructure;

/// <summary>
/// A fake ZooKeeper server on a free loopback port whose every byte the test scripts: each
/// accepted connection is handed to the test, which reads the client's frames and answers as it
/// likes — including in ways a real server never would.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<ScriptedConnection> _connections = Channel.CreateUnbounded<ScriptedConnection>();
    private readonly List<ScriptedConnection> _all = [];
    private readonly Task _acceptLoop;

    /// <summary>Starts listening.</summary>
    public ScriptedServer()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptAsync();
    }

    /// <summary>Gets the port.</summary>
    public int Port { get; }

    /// <summary>Gets the connection string.</summary>
    public string ConnectionString => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Waits for the next connection.</summary>
    /// <returns>The connection.</returns>
    public async Task<ScriptedConnection> AcceptAsync(TimeSpan? timeout = null) =>
        await _connections.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(timeout ?? Recorder<int>.DefaultTimeout);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        foreach (var connection in _all)
        {
            connection.Dispose();
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            try
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                var connection = new ScriptedConnection(socket);
                _all.Add(connection);
                _connections.Writer.TryWrite(connection);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>One client connection to a <see cref="ScriptedServer"/>.</summary>
public sealed class ScriptedConnection : IDisposable
{
    private readonly Socket _socket;

    internal ScriptedConnection(Socket socket)
    {
        _socket = socket;
        _socket.NoDelay = true;
    }

    /// <summary>Reads one frame's payload.</summary>
    /// <returns>The payload, or <see langword="null"/> if the client closed the connection.</returns>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? Recorder<int>.DefaultTimeout);
        var prefix = new byte[4];
        if (!await ReadExactlyAsync(prefix, cts.Token))
        {
            return null;
        }

        var payload = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        return await ReadExactlyAsync(payload, cts.Token) ? payload : null;
    }

    /// <summary>Reads the ConnectRequest.</summary>
    /// <returns>The request.</returns>
    public async Task<ConnectRequest> ReadConnectRequestAsync()
    {
        var frame = await ReadFrameAsync() ?? throw new EndOfStreamException("The client closed before connecting.");
        var reader = new JuteReader(frame);
        return ConnectRequest.Read(ref reader);
    }

    /// <summary>Answers the ConnectRequest.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="timeOut">The negotiated timeout in ms (0 = expired).</param>
    /// <param name="readOnly">The readOnly byte, or <see langword="null"/> to omit it as pre-3.4 servers do.</param>
    /// <returns>A task that completes when written.</returns>
    public Task AcceptSessionAsync(long sessionId, int timeOut = 10_000, bool? readOnly = false) =>
        WriteRecordAsync(new ConnectResponse(0, timeOut, sessionId, Enumerable.Range(1, 16).Select(i => (byte)i).ToArray(), readOnly));

    /// <summary>Reads one request: its header and the rest of the frame.</summary>
    /// <returns>The header and body, or <see langword="null"/> if the client closed the connection.</returns>
    public async Task<(RequestHeader Header, byte[] Body)?> ReadRequestAsync(TimeSpan? timeout = null)
    {
        var frame = await ReadFrameAsync(timeout);
        if (frame is null)
        {
            return null;
        }

        var reader = new JuteReader(frame);
        var header = RequestHeader.Read(ref reader);
        return (header, frame[RequestHeader.EncodedSize..]);
    }

    /// <summary>Reads requests until one that is not a ping.</summary>
    /// <returns>The request.</returns>
    public async Task<(RequestHeader Header, byte[] Body)> ReadNonPingAsync()
    {
        while (true)
        {
            var request = await ReadRequestAsync() ?? throw new EndOfStreamException("The client closed the connection.");
            if (request.Header.Xid != Xids.Ping)
            {
                return request;
            }
        }
    }

    /// <summary>Writes a reply.</summary>
    /// <param name="xid">The xid.</param>
    /// <param name="zxid">The zxid.</param>
    /// <param name="error">The error code.</param>
    /// <param name="body">The body, if any.</param>
    /// <returns>A task that completes when written.</returns>
    public async Task ReplyAsync(int xid, long zxid, KeeperErrorCode error = KeeperErrorCode.Ok, IJuteRecord? body = null)
    {
        using var writer = new JuteWriter();
        Framing.WriteFrame(writer, new ReplyHeader(xid, zxid, (int)error), body);
        await WriteRawAsync(writer.ToArray());
    }

    /// <summary>Writes a record as one frame.</summary>
    /// <param name="record">The record.</param>
    /// <returns>A task that completes when written.</returns>
    public async Task WriteRecordAsync(IJuteRecord record)
    {
        using var writer = new JuteWriter();
        Framing.WriteFrame(writer, record);
        await WriteRawAsync(writer.ToArray());
    }

    /// <summary>Writes raw bytes.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>A task that completes when written.</returns>
    public async Task WriteRawAsync(byte[] bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            }
            catch (SocketException)
            {
                return false;
            }

            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
