// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ZkAspire.Protocol;

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// A deliberately dumb ZooKeeper client connection for protocol tests: it writes exactly the
/// frames a test asks for and hands back every server frame in wire order, notifications
/// included. No retries, no pings, no watch bookkeeping, no xid matching beyond
/// <see cref="CallAsync"/>.
/// </summary>
/// <remarks>
/// Receives time out after <see cref="ReceiveTimeout"/> (a test must never hang on a server that
/// stays silent); a timeout throws <see cref="TimeoutException"/>. A server that closes the
/// socket shows up as a <see langword="null"/> frame, so tests can assert "replied, then closed".
/// </remarks>
public sealed class RawZooKeeperConnection : IAsyncDisposable
{
    /// <summary>The timeout a test asks for in its ConnectRequest unless it says otherwise.</summary>
    public const int DefaultSessionTimeout = 30_000;

    private readonly Socket _socket;
    private readonly List<RawFrame> _received = [];
    private readonly byte[] _lengthBuffer = new byte[4];
    private int _lastXid;
    private bool _closedByPeer;

    private RawZooKeeperConnection(Socket socket, int port)
    {
        _socket = socket;
        Port = port;
    }

    /// <summary>Gets the server port.</summary>
    public int Port { get; }

    /// <summary>Gets or sets how long a receive waits for the server.</summary>
    public TimeSpan ReceiveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the largest frame accepted from the server (the client's jute.maxbuffer).</summary>
    public int MaxFrameLength { get; set; } = JuteLimits.DefaultMaxBuffer;

    /// <summary>Gets the server's answer to the handshake, once received.</summary>
    public ConnectResponse? ConnectResponse { get; private set; }

    /// <summary>Gets the session id from the handshake (0 before it, or if the server refused).</summary>
    public long SessionId => ConnectResponse?.SessionId ?? 0;

    /// <summary>Gets the session password from the handshake.</summary>
    public byte[] Password => ConnectResponse?.Passwd ?? new byte[16];

    /// <summary>Gets every frame received after the handshake, in wire order.</summary>
    public IReadOnlyList<RawFrame> Received => _received;

    /// <summary>Gets whether the server has closed (or reset) the connection.</summary>
    public bool IsClosedByPeer => _closedByPeer;

    /// <summary>Opens a TCP connection to 127.0.0.1 and sends nothing.</summary>
    /// <param name="port">The server's client port.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connection.</returns>
    public static async Task<RawZooKeeperConnection> OpenAsync(int port, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new RawZooKeeperConnection(socket, port);
    }

    /// <summary>
    /// Opens a connection and performs the handshake for a new session (or the given one), failing
    /// if the server refuses.
    /// </summary>
    /// <param name="port">The server's client port.</param>
    /// <param name="timeOut">The session timeout to ask for, in milliseconds.</param>
    /// <param name="readOnly">
    /// The readOnly byte to send, or <see langword="null"/> to send none, as clients before 3.4 did.
    /// </param>
    /// <param name="sessionId">The session to resume, or 0 for a new one.</param>
    /// <param name="password">The password of the session to resume.</param>
    /// <param name="lastZxidSeen">The lastZxidSeen to send.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The connected connection; <see cref="ConnectResponse"/> holds the answer.</returns>
    public static async Task<RawZooKeeperConnection> ConnectAsync(
        int port,
        int timeOut = DefaultSessionTimeout,
        bool? readOnly = false,
        long sessionId = 0,
        byte[]? password = null,
        long lastZxidSeen = 0,
        CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(port, cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.SendConnectAsync(new ConnectRequest(0, lastZxidSeen, timeOut, sessionId, password ?? new byte[16], readOnly), cancellationToken).ConfigureAwait(false);
            var response = await connection.ReceiveConnectResponseAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The server on port {port} closed the connection instead of answering the ConnectRequest.");
            if (response.TimeOut <= 0)
            {
                throw new InvalidOperationException($"The server on port {port} refused the session (timeOut {response.TimeOut}).");
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends a ConnectRequest frame.</summary>
    /// <param name="request">The request (its <see cref="ConnectRequest.ReadOnly"/> decides whether the byte is sent).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the bytes are written.</returns>
    public Task SendConnectAsync(ConnectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var writer = new JuteWriter();
        Framing.WriteFrame(writer, request);
        return SendRawAsync(writer.ToArray(), cancellationToken);
    }

    /// <summary>Receives the ConnectResponse frame (no reply header).</summary>
    /// <param name="cancellationToken">Cancels the receive.</param>
    /// <returns>The response, or <see langword="null"/> if the server closed the connection instead.</returns>
    public async Task<ConnectResponse?> ReceiveConnectResponseAsync(CancellationToken cancellationToken = default)
    {
        var payload = await ReceivePayloadAsync(cancellationToken).ConfigureAwait(false);
        if (payload is null)
        {
            return null;
        }

        ConnectResponsePayload = payload;
        ConnectResponse = Decode<ConnectResponse>(payload);
        return ConnectResponse;
    }

    /// <summary>Gets the raw payload of the ConnectResponse, to check its length (36 or 37 bytes).</summary>
    public byte[]? ConnectResponsePayload { get; private set; }

    /// <summary>Returns the next xid: 1, 2, 3, … like the Java client.</summary>
    /// <returns>The xid.</returns>
    public int NextXid() => Interlocked.Increment(ref _lastXid);

    /// <summary>Sends a request with the next xid (or the reserved xid of ping and auth).</summary>
    /// <param name="type">The opcode.</param>
    /// <param name="body">The body, if any.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>The xid sent.</returns>
    public async Task<int> SendAsync(OpCode type, IJuteRecord? body = null, CancellationToken cancellationToken = default)
    {
        var xid = type switch
        {
            OpCode.Ping => Xids.Ping,
            OpCode.Auth => Xids.Auth,
            _ => NextXid(),
        };
        await SendAsync(new RequestHeader(xid, (int)type), body, cancellationToken).ConfigureAwait(false);
        return xid;
    }

    /// <summary>Sends a request header and an optional body as one frame.</summary>
    /// <param name="header">The header, with whatever xid and type the test wants.</param>
    /// <param name="body">The body, if any.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the bytes are written.</returns>
    public Task SendAsync(RequestHeader header, IJuteRecord? body, CancellationToken cancellationToken = default)
    {
        using var writer = new JuteWriter();
        Framing.WriteFrame(writer, header, body);
        return SendRawAsync(writer.ToArray(), cancellationToken);
    }

    /// <summary>Sends a payload with a correct length prefix.</summary>
    /// <param name="payload">The frame's payload.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the bytes are written.</returns>
    public Task SendFrameAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame.AsMemory(4));
        return SendRawAsync(frame, cancellationToken);
    }

    /// <summary>Sends bytes exactly as given: no length prefix is added.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the bytes are written.</returns>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Receives the next frame after the handshake: a reply, or a notification (xid −1).</summary>
    /// <param name="cancellationToken">Cancels the receive.</param>
    /// <returns>The frame, or <see langword="null"/> if the server closed the connection.</returns>
    public async Task<RawFrame?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        var payload = await ReceivePayloadAsync(cancellationToken).ConfigureAwait(false);
        if (payload is null)
        {
            return null;
        }

        if (payload.Length < ReplyHeader.EncodedSize)
        {
            throw new InvalidOperationException($"A {payload.Length}-byte frame is too short for a reply header.");
        }

        var frame = new RawFrame(Decode<ReplyHeader>(payload.AsSpan(0, ReplyHeader.EncodedSize)), payload[ReplyHeader.EncodedSize..]);
        _received.Add(frame);
        return frame;
    }

    /// <summary>
    /// Sends a request and receives frames until the frame with its xid, keeping the
    /// notifications that came first.
    /// </summary>
    /// <param name="type">The opcode.</param>
    /// <param name="body">The body, if any.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The reply and the notifications before it.</returns>
    /// <exception cref="InvalidOperationException">The server closed the connection, or answered another xid.</exception>
    public async Task<RawCall> CallAsync(OpCode type, IJuteRecord? body = null, CancellationToken cancellationToken = default)
    {
        var xid = await SendAsync(type, body, cancellationToken).ConfigureAwait(false);
        return await ReceiveReplyAsync(xid, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Receives frames until the reply with <paramref name="xid"/>, keeping the notifications before it.</summary>
    /// <param name="xid">The xid of the reply to wait for.</param>
    /// <param name="cancellationToken">Cancels the receive.</param>
    /// <returns>The reply and the notifications before it.</returns>
    /// <exception cref="InvalidOperationException">The server closed the connection, or answered another xid.</exception>
    public async Task<RawCall> ReceiveReplyAsync(int xid, CancellationToken cancellationToken = default)
    {
        var notifications = new List<RawFrame>();
        while (true)
        {
            var frame = await ReceiveAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The server closed the connection before replying to xid {xid}.");
            if (frame.Header.Xid == xid)
            {
                return new RawCall(frame, notifications);
            }

            if (!frame.IsNotification)
            {
                throw new InvalidOperationException($"Expected the reply to xid {xid}, received xid {frame.Header.Xid} (err {frame.Header.Err}).");
            }

            notifications.Add(frame);
        }
    }

    /// <summary>Receives frames until the server closes the connection.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The frames that arrived before the close.</returns>
    /// <exception cref="TimeoutException">The server kept the connection open for <see cref="ReceiveTimeout"/>.</exception>
    public async Task<IReadOnlyList<RawFrame>> ReceiveUntilClosedAsync(CancellationToken cancellationToken = default)
    {
        var frames = new List<RawFrame>();
        while (await ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } frame)
        {
            frames.Add(frame);
        }

        return frames;
    }

    /// <summary>
    /// Ends the session politely: closeSession, then waits for the reply and the close. Does
    /// nothing if the server already closed the connection.
    /// </summary>
    /// <param name="cancellationToken">Cancels the close.</param>
    /// <returns>The closeSession reply, or <see langword="null"/> if the connection was already closed.</returns>
    public async Task<RawFrame?> CloseSessionAsync(CancellationToken cancellationToken = default)
    {
        if (_closedByPeer || ConnectResponse is not { TimeOut: > 0 })
        {
            return null;
        }

        var call = await CallAsync(OpCode.CloseSession, null, cancellationToken).ConfigureAwait(false);
        await ReceiveUntilClosedAsync(cancellationToken).ConfigureAwait(false);
        return call.Reply;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private static T Decode<T>(ReadOnlySpan<byte> bytes)
        where T : IJuteRecord<T>
    {
        var reader = new JuteReader(bytes);
        return T.Read(ref reader);
    }

    private async Task<byte[]?> ReceivePayloadAsync(CancellationToken cancellationToken)
    {
        if (_closedByPeer)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReceiveTimeout);
        try
        {
            if (!await ReceiveExactlyAsync(_lengthBuffer, atFrameStart: true, timeout.Token).ConfigureAwait(false))
            {
                return null;
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(_lengthBuffer);
            Framing.CheckLength(length, MaxFrameLength);
            var payload = new byte[length];
            if (!await ReceiveExactlyAsync(payload, atFrameStart: false, timeout.Token).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"The server closed the connection in the middle of a {length}-byte frame.");
            }

            return payload;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The server on port {Port} sent nothing for {ReceiveTimeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>Fills <paramref name="buffer"/>; false if the peer closed before the first byte of a frame.</summary>
    private async Task<bool> ReceiveExactlyAsync(Memory<byte> buffer, bool atFrameStart, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(buffer[filled..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                // ZooKeeper may reset rather than close; either way the connection is over.
                read = 0;
            }

            if (read == 0)
            {
                _closedByPeer = true;
                if (filled == 0 && atFrameStart)
                {
                    return false;
                }

                throw new InvalidOperationException($"The server closed the connection after {filled} of {buffer.Length} bytes.");
            }

            filled += read;
        }

        return true;
    }
}

/// <summary>One server frame after the handshake: the reply header and the undecoded body.</summary>
/// <param name="Header">The reply header.</param>
/// <param name="Body">The bytes after the header (empty for header-only replies).</param>
public sealed record RawFrame(ReplyHeader Header, byte[] Body)
{
    /// <summary>Gets whether this is a watch notification (xid −1).</summary>
    public bool IsNotification => Header.Xid == Xids.Notification;

    /// <summary>Gets the error code.</summary>
    public KeeperErrorCode Error => Header.Error;

    /// <summary>Gets the reply's zxid.</summary>
    public long Zxid => Header.Zxid;

    /// <summary>Decodes the body, which must be exactly one <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The response record.</typeparam>
    /// <returns>The record.</returns>
    public T Read<T>()
        where T : IJuteRecord<T>
    {
        var reader = new JuteReader(Body);
        var record = T.Read(ref reader);
        if (!reader.IsAtEnd)
        {
            throw new InvalidOperationException($"{typeof(T).Name} left {reader.Remaining} of {Body.Length} body bytes unread.");
        }

        return record;
    }

    /// <summary>Decodes a notification's WatcherEvent.</summary>
    /// <returns>The event.</returns>
    public WatcherEvent ReadEvent() => IsNotification
        ? Read<WatcherEvent>()
        : throw new InvalidOperationException($"xid {Header.Xid} is not a notification.");

    /// <inheritdoc/>
    public override string ToString() => IsNotification
        ? $"notification {ReadEvent()} zxid {Header.Zxid}"
        : $"reply xid {Header.Xid} zxid {Header.Zxid} err {Header.Err} ({Body.Length} body bytes)";
}

/// <summary>A request's reply and the notifications that arrived before it, in wire order.</summary>
/// <param name="Reply">The reply.</param>
/// <param name="NotificationsBefore">The notifications read while waiting for the reply: on the wire, they came before it.</param>
public sealed record RawCall(RawFrame Reply, IReadOnlyList<RawFrame> NotificationsBefore)
{
    /// <summary>Gets the reply's error code.</summary>
    public KeeperErrorCode Error => Reply.Error;

    /// <summary>Gets the reply's zxid.</summary>
    public long Zxid => Reply.Zxid;

    /// <summary>Gets the events of the notifications before the reply.</summary>
    public IReadOnlyList<WatcherEvent> Events => [.. NotificationsBefore.Select(n => n.ReadEvent())];

    /// <summary>Decodes the reply body.</summary>
    /// <typeparam name="T">The response record.</typeparam>
    /// <returns>The record.</returns>
    public T Read<T>()
        where T : IJuteRecord<T> => Reply.Read<T>();
}
