// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// A frame-aware TCP proxy in front of a server that answers chosen opcodes as a server that does
/// not know them does (the wire reference, §6): a reply header with the request's xid, zxid −1 and
/// err −6 (Unimplemented), no body, and then the connection is closed. Every other frame passes
/// through unchanged. Given opcode 106 (addWatch) it plays a ZooKeeper server before 3.6, which
/// answers addWatch like any unknown opcode.
/// </summary>
/// <remarks>
/// The server answers a connection's requests in order, so the proxy holds the −6 back until every
/// request forwarded before it has been answered, and forwards nothing the client sent after it
/// (a real server closes the connection without processing those).
/// </remarks>
public sealed class UnknownOpcodeProxy : IAsyncDisposable
{
    /// <summary>addWatch, the opcode servers before ZooKeeper 3.6 do not know.</summary>
    public const int AddWatch = 106;

    private const int MaxFrameLength = 64 * 1024 * 1024;

    private readonly Socket _listener;
    private readonly int _target;
    private readonly HashSet<int> _unknown;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private int _rejected;

    /// <summary>Starts a proxy to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    /// <param name="targetPort">The server's port.</param>
    /// <param name="unknownOpcodes">The opcodes to answer with −6; <see cref="AddWatch"/> when none is given.</param>
    public UnknownOpcodeProxy(int targetPort, params int[] unknownOpcodes)
    {
        _target = targetPort;
        _unknown = unknownOpcodes.Length == 0 ? [AddWatch] : [.. unknownOpcodes];
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(32);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>Gets the proxy's port.</summary>
    public int Port { get; }

    /// <summary>Gets the proxy's connection string.</summary>
    public string ConnectionString => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Gets how many requests the proxy has answered with −6.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }

            _sockets.Clear();
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private static async Task<byte[]?> ReadFrameAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var prefix = new byte[4];
        if (await stream.ReadAtLeastAsync(prefix, 4, throwOnEndOfStream: false, cancellationToken) < 4)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length is < 0 or > MaxFrameLength)
        {
            return null;
        }

        var frame = new byte[4 + length];
        prefix.CopyTo(frame, 0);
        return await stream.ReadAtLeastAsync(frame.AsMemory(4), length, throwOnEndOfStream: false, cancellationToken) < length ? null : frame;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptAsync(_stop.Token);
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), _stop.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_gate)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            var connection = new Connection(this, new NetworkStream(client, ownsSocket: true), new NetworkStream(server, ownsSocket: true));
            _ = connection.RunAsync();
        }
    }

    /// <summary>One client connection and its server connection.</summary>
    private sealed class Connection(UnknownOpcodeProxy proxy, NetworkStream client, NetworkStream server)
    {
        private readonly SemaphoreSlim _toClient = new(1, 1);
        private int _outstanding;
        private int? _rejectedXid;
        private bool _closed;

        public async Task RunAsync()
        {
            var token = proxy._stop.Token;
            try
            {
                await Task.WhenAll(FromClientAsync(token), FromServerAsync(token));
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
            finally
            {
                Close();
            }
        }

        private async Task FromClientAsync(CancellationToken cancellationToken)
        {
            try
            {
                // The ConnectRequest has no request header.
                if (await ReadFrameAsync(client, cancellationToken) is not { } connect)
                {
                    return;
                }

                await server.WriteAsync(connect, cancellationToken);
                while (await ReadFrameAsync(client, cancellationToken) is { Length: >= 12 } frame)
                {
                    var xid = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4));
                    var type = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(8));
                    if (proxy._unknown.Contains(type))
                    {
                        await RejectAsync(xid, cancellationToken);
                        return;
                    }

                    // Counted before it is sent, so its reply cannot be seen first.
                    Interlocked.Increment(ref _outstanding);
                    await server.WriteAsync(frame, cancellationToken);
                }
            }
            finally
            {
                if (_rejectedXid is null)
                {
                    Close();
                }
            }
        }

        private async Task FromServerAsync(CancellationToken cancellationToken)
        {
            try
            {
                // The ConnectResponse has no reply header.
                if (await ReadFrameAsync(server, cancellationToken) is not { } connected)
                {
                    return;
                }

                await SendToClientAsync(connected, cancellationToken);
                while (await ReadFrameAsync(server, cancellationToken) is { Length: >= 20 } frame)
                {
                    // Every request gets one reply (pings −2, auth −4 and setWatches included);
                    // notifications (−1) answer nothing.
                    // The reply is written before it stops counting as outstanding, under the
                    // same gate as the rejection, so the rejection can never overtake it.
                    var xid = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4));
                    await _toClient.WaitAsync(cancellationToken);
                    try
                    {
                        await client.WriteAsync(frame, cancellationToken);
                        if (xid != -1)
                        {
                            Interlocked.Decrement(ref _outstanding);
                        }

                        if (await TryRejectAsync(cancellationToken))
                        {
                            return;
                        }
                    }
                    finally
                    {
                        _toClient.Release();
                    }
                }
            }
            finally
            {
                Close();
            }
        }

        private async Task RejectAsync(int xid, CancellationToken cancellationToken)
        {
            await _toClient.WaitAsync(cancellationToken);
            try
            {
                _rejectedXid = xid;
                await TryRejectAsync(cancellationToken);
            }
            finally
            {
                _toClient.Release();
            }
        }

        /// <summary>Sends the −6 reply and closes, once every earlier request is answered. Holds <see cref="_toClient"/>.</summary>
        private async Task<bool> TryRejectAsync(CancellationToken cancellationToken)
        {
            if (_rejectedXid is not { } xid || Volatile.Read(ref _outstanding) > 0 || _closed)
            {
                return false;
            }

            // ReplyHeader{xid, zxid −1, err −6 Unimplemented}, no body (§5, §6).
            var reply = new byte[4 + 16];
            BinaryPrimitives.WriteInt32BigEndian(reply, 16);
            BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(4), xid);
            BinaryPrimitives.WriteInt64BigEndian(reply.AsSpan(8), -1);
            BinaryPrimitives.WriteInt32BigEndian(reply.AsSpan(16), -6);
            await client.WriteAsync(reply, cancellationToken);
            Interlocked.Increment(ref proxy._rejected);
            Close();
            return true;
        }

        private async Task SendToClientAsync(byte[] frame, CancellationToken cancellationToken)
        {
            await _toClient.WaitAsync(cancellationToken);
            try
            {
                await client.WriteAsync(frame, cancellationToken);
            }
            finally
            {
                _toClient.Release();
            }
        }

        private void Close()
        {
            _closed = true;
            client.Dispose();
            server.Dispose();
        }
    }
}
