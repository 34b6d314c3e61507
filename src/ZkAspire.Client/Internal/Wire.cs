// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using ZkAspire.Protocol;

namespace ZkAspire.Client.Internal;

/// <summary>One TCP connection to a server: the socket, a stream to write and a pipe to read.</summary>
internal sealed class Wire : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private int _aborted;
    private int _disposed;

    private Wire(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
    }

    /// <summary>Gets the reader of incoming bytes.</summary>
    public PipeReader Reader { get; }

    /// <summary>Gets or sets whether the server said it is read-only.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>Gets or sets whether the connection was announced to listeners as usable.</summary>
    public bool Announced { get; set; }

    /// <summary>Gets or sets whether the server granted the trace-context extension on this connection.</summary>
    public bool TraceContext { get; set; }

    /// <summary>Gets or sets whether the handshake gave a session other than the one asked for.</summary>
    public bool IsNewSession { get; set; }

    /// <summary>Opens a connection.</summary>
    /// <param name="server">The server; its name is resolved now.</param>
    /// <param name="cancellationToken">Stops the attempt.</param>
    /// <returns>The connection.</returns>
    public static async Task<Wire> ConnectAsync(DnsEndPoint server, CancellationToken cancellationToken)
    {
        // A dual-mode socket reaches IPv4 and IPv6 addresses alike.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new Wire(socket);
    }

    /// <summary>Writes bytes.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>A task that completes when the bytes are written.</returns>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => _stream.WriteAsync(bytes, cancellationToken);

    /// <summary>Writes the ConnectRequest frame, with the extension block after the readOnly byte when one is given.</summary>
    /// <param name="request">The request.</param>
    /// <param name="extension">The features asked for, if any.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>A task that completes when the frame is written.</returns>
    public async Task WriteConnectRequestAsync(ConnectRequest request, ConnectExtension? extension, CancellationToken cancellationToken)
    {
        using var writer = new JuteWriter(64);
        var mark = writer.BeginFrame();
        request.Write(writer);
        extension?.Write(writer);
        writer.EndFrame(mark);
        await _stream.WriteAsync(writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the ConnectResponse frame.</summary>
    /// <param name="maxBufferBytes">The largest frame accepted.</param>
    /// <param name="maxFieldLength">The largest field accepted.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The response.</returns>
    /// <exception cref="EndOfStreamException">The server closed the connection first, as it does when it refuses the client (§4.2).</exception>
    public async Task<(ConnectResponse Response, ConnectExtension? Extension)> ReadConnectResponseAsync(int maxBufferBytes, int maxFieldLength, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (Framing.TryReadFrame(ref buffer, maxBufferBytes, out var payload))
            {
                var response = Decode(payload, maxFieldLength);
                Reader.AdvanceTo(buffer.Start);
                return response;
            }

            if (result.IsCompleted)
            {
                throw new EndOfStreamException("The server closed the connection during the handshake (it may have seen a newer zxid than this server has, or be read-only).");
            }

            Reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Closes the socket, which ends any read or write in progress with an error.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        _stream.Dispose();
    }

    /// <summary>Closes the socket and completes the reader; call when no read is in progress.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Abort();
        await Reader.CompleteAsync().ConfigureAwait(false);
    }

    private static (ConnectResponse Response, ConnectExtension? Extension) Decode(ReadOnlySequence<byte> payload, int maxFieldLength)
    {
        var bytes = payload.ToArray();
        var reader = new JuteReader(bytes, maxFieldLength);
        var response = ConnectResponse.Read(ref reader);

        // A ZkAspire server's grant follows the readOnly byte; anything else there is ignored, as
        // the Java client ignores trailing bytes.
        return (response, response.ReadOnly is null ? null : ConnectExtension.TryRead(ref reader));
    }
}
