// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;

namespace ZkAspire.Hosting.Internal;

/// <summary>
/// Opens a ZooKeeper session on one server and closes it again, as a client's first exchange does
/// (wire protocol §4.1 ConnectRequest/ConnectResponse, then a closeSession request): the one probe
/// every ZooKeeper server answers, whatever its <c>4lw.commands.whitelist</c> says (Apache
/// ZooKeeper 3.5+ allows only <c>srvr</c> by default, so <c>ruok</c> may be refused).
/// </summary>
/// <remarks>
/// A server that has no quorum, or runs read-only, closes the socket without an answer (§4.2 step
/// 1; the probe asks for a read-write session), so a completed handshake means that this server
/// serves clients. The session is closed at once rather than left to expire.
/// </remarks>
internal static class ZooKeeperSessionProbe
{
    // The timeout the probe asks for; the server clamps it to its 2–20 ticks and the session is
    // closed right away anyway.
    private const int RequestedSessionTimeoutMs = 10_000;

    private const int CloseSessionOpCode = -11;

    /// <summary>Opens a session on <paramref name="host"/>:<paramref name="port"/> and closes it.</summary>
    /// <param name="host">The server's host name or address.</param>
    /// <param name="port">Its client port.</param>
    /// <param name="timeout">How long the whole exchange may take.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The session id the server gave, as ZooKeeper prints it (<c>0x…</c>).</returns>
    /// <exception cref="SocketException">The server cannot be reached.</exception>
    /// <exception cref="IOException">The server closed the connection or answered something that is not a ConnectResponse.</exception>
    /// <exception cref="OperationCanceledException">The timeout passed or <paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<string> OpenAndCloseSessionAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var token = timeoutSource.Token;

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port, token).ConfigureAwait(false);

        // ConnectRequest, 45 bytes after the frame length: protocolVersion 0, lastZxidSeen 0,
        // timeOut, sessionId 0 (a new session), a 16-byte zero passwd, readOnly false.
        var request = new byte[4 + 45];
        BinaryPrimitives.WriteInt32BigEndian(request, 45);
        BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(16), RequestedSessionTimeoutMs);
        BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(28), 16);
        await socket.SendAsync(request, SocketFlags.None, token).ConfigureAwait(false);

        // ConnectResponse: 36 or 37 bytes (the readOnly byte is optional), or more from a server
        // that appends an extension; timeOut <= 0 means the session was refused.
        var length = BinaryPrimitives.ReadInt32BigEndian(await ReceiveExactlyAsync(socket, 4, token).ConfigureAwait(false));
        if (length is < 36 or > 1024)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"{host}:{port} answered a frame of {length} bytes, not a ConnectResponse."));
        }

        var response = await ReceiveExactlyAsync(socket, length, token).ConfigureAwait(false);
        var negotiatedTimeout = BinaryPrimitives.ReadInt32BigEndian(response.AsSpan(4));
        var sessionId = BinaryPrimitives.ReadInt64BigEndian(response.AsSpan(8));
        if (negotiatedTimeout <= 0 || sessionId == 0)
        {
            throw new IOException($"{host}:{port} refused the session.");
        }

        // closeSession (§5): RequestHeader{xid 1, type -11}; the reply header comes back and the
        // server closes the connection. Waiting for it makes sure the session is gone.
        var close = new byte[4 + 8];
        BinaryPrimitives.WriteInt32BigEndian(close, 8);
        BinaryPrimitives.WriteInt32BigEndian(close.AsSpan(4), 1);
        BinaryPrimitives.WriteInt32BigEndian(close.AsSpan(8), CloseSessionOpCode);
        await socket.SendAsync(close, SocketFlags.None, token).ConfigureAwait(false);
        await ReceiveExactlyAsync(socket, 4 + 16, token).ConfigureAwait(false);

        return "0x" + sessionId.ToString("x", CultureInfo.InvariantCulture);
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("The server closed the connection.");
            }

            read += n;
        }

        return buffer;
    }
}
