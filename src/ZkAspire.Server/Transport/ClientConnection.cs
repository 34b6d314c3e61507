// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Transport;

/// <summary>
/// One client socket: a reader that turns frames into loop inputs, and a writer that sends what the
/// loop queued. Neither ever blocks the loop: the loop only appends bytes to a queue and signals.
/// </summary>
/// <remarks>
/// Backpressure, per connection and for the whole server: the reader stops reading while more than
/// <see cref="ZooKeeperServerOptions.OutputBufferSoftLimitBytes"/> wait to be sent to this client
/// (so a client that does not read cannot make the server produce more replies for it), and while
/// the server has <see cref="ZooKeeperServerOptions.GlobalOutstandingLimit"/> requests outstanding
/// (ZooKeeper's <c>globalOutstandingLimit</c> throttle). Output the client does not take beyond
/// <see cref="ZooKeeperServerOptions.OutputBufferHardLimitBytes"/> (notifications keep coming even
/// when the reader pauses) closes the connection.
/// </remarks>
internal sealed class ClientConnection
{
    private const int MinimumSegmentSize = 16 * 1024;

    private readonly ZooKeeperServer _server;
    private readonly ZooKeeperServerOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly object _outputLock = new();
    private List<OutputSegment> _queued = [];
    private List<OutputSegment> _spare = [];
    private long _enqueuedBytes;
    private long _sentBytes;
    private bool _outputCompleted;
    private bool _writerWaiting;
    private readonly WriterSignal _writerSignal = new();
    private TaskCompletionSource? _readerResume;
    private volatile bool _discardInput;
    private volatile bool _readerPaused;
    private int _aborted;
    private Task _readerTask = Task.CompletedTask;
    private ITimer? _flushTimer;

    /// <summary>Creates the connection for an accepted socket.</summary>
    /// <param name="server">The server.</param>
    /// <param name="id">The connection id, unique for the server's lifetime.</param>
    /// <param name="socket">The accepted socket.</param>
    /// <param name="openedAtMs">When it was accepted, on the loop's clock.</param>
    public ClientConnection(ZooKeeperServer server, long id, Socket socket, long openedAtMs)
    {
        _server = server;
        _options = server.Options;
        _logger = server.TransportLogger;
        Id = id;
        Socket = socket;
        Remote = socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        RemoteAddress = Remote.Address.IsIPv4MappedToIPv6 ? Remote.Address.MapToIPv4() : Remote.Address;
        OpenedAtMs = openedAtMs;
        LastHeardMs = openedAtMs;
    }

    /// <summary>Gets the connection id.</summary>
    public long Id { get; }

    /// <summary>Gets the socket.</summary>
    public Socket Socket { get; }

    /// <summary>Gets the peer.</summary>
    public IPEndPoint Remote { get; }

    /// <summary>Gets the peer's IP address (IPv4-mapped addresses unmapped).</summary>
    public IPAddress RemoteAddress { get; }

    /// <summary>Gets the peer as Java prints it, <c>/127.0.0.1:54321</c>.</summary>
    public string RemoteText => string.Create(CultureInfo.InvariantCulture, $"/{RemoteAddress}:{Remote.Port}");

    /// <summary>Gets when the connection was accepted, on the loop's clock.</summary>
    public long OpenedAtMs { get; }

    // ---- State owned by the event loop ----

    /// <summary>Gets the connection's counters (loop only).</summary>
    public ConnectionStatistics Statistics { get; } = new();

    /// <summary>Gets the requests handed to the core and not answered (loop only).</summary>
    public Queue<PendingRequest> Pending { get; } = new();

    /// <summary>Gets or sets whether the core knows the connection (loop only).</summary>
    public bool OpenInCore { get; set; }

    /// <summary>Gets or sets whether the core has been told it closed (loop only).</summary>
    public bool ClosedInCore { get; set; }

    /// <summary>Gets or sets whether it asked a four-letter word (loop only).</summary>
    public bool IsFourLetterWord { get; set; }

    /// <summary>Gets or sets the session, 0 before the handshake (loop only).</summary>
    public long SessionId { get; set; }

    /// <summary>Gets or sets the negotiated timeout, 0 before the handshake (loop only).</summary>
    public int SessionTimeoutMs { get; set; }

    /// <summary>Gets or sets when the session was established here (loop only).</summary>
    public long? EstablishedUnixMs { get; set; }

    /// <summary>Gets or sets when the connect request arrived (loop only).</summary>
    public long ConnectTimestamp { get; set; }

    /// <summary>
    /// Gets whether the client asked for the trace-context extension and the server granted it.
    /// Set by the reader before it posts the connect request, read by the loop after (the channel
    /// orders the two), never changed afterwards.
    /// </summary>
    public bool TraceContextAccepted { get; private set; }

    /// <summary>Gets or sets when the last frame arrived, on the loop's clock (loop only).</summary>
    public long LastHeardMs { get; set; }

    /// <summary>Gets whether the server is closing or has closed it.</summary>
    public bool IsClosing => _closing.IsCancellationRequested;

    /// <summary>Gets the bytes queued and not yet sent.</summary>
    public long Backlog
    {
        get
        {
            lock (_outputLock)
            {
                return _enqueuedBytes - _sentBytes;
            }
        }
    }

    /// <summary>Gets ZooKeeper's interest ops for cons: 1 while reading, plus 4 while output waits.</summary>
    public int InterestOps => (_readerPaused || _discardInput || IsFourLetterWord || IsClosing ? 0 : 1) | (Backlog > 0 ? 4 : 0);

    /// <summary>Runs the reader and the writer until both end, then releases the socket.</summary>
    /// <returns>A task that completes when the connection is gone.</returns>
    public async Task RunAsync()
    {
        _readerTask = ReadAsync();
        var writer = WriteAsync();
        await Task.WhenAll(_readerTask, writer).ConfigureAwait(false);
        Socket.Dispose();
        _flushTimer?.Dispose();
    }

    /// <summary>Queues one encoded frame (loop only). Sent when the loop calls <see cref="Flush"/>.</summary>
    /// <param name="frame">The bytes.</param>
    /// <returns>The bytes now waiting for this client.</returns>
    public long Enqueue(ReadOnlySpan<byte> frame)
    {
        lock (_outputLock)
        {
            if (_outputCompleted)
            {
                return 0;
            }

            var tail = _queued.Count > 0 ? _queued[^1] : null;
            if (tail is null || tail.Array.Length - tail.Count < frame.Length)
            {
                tail = new OutputSegment(ArrayPool<byte>.Shared.Rent(Math.Max(MinimumSegmentSize, frame.Length)));
                _queued.Add(tail);
            }

            frame.CopyTo(tail.Array.AsSpan(tail.Count));
            tail.Count += frame.Length;
            _enqueuedBytes += frame.Length;
            return _enqueuedBytes - _sentBytes;
        }
    }

    /// <summary>
    /// Wakes the writer if output is queued (loop, at the end of a batch). With
    /// <paramref name="sendNow"/> an idle writer runs on the calling thread until its send pends,
    /// so the output usually leaves before this returns; otherwise it runs on the thread pool.
    /// </summary>
    /// <param name="sendNow">Whether to send from the calling thread rather than hand the send off.</param>
    public void Flush(bool sendNow = false)
    {
        var wake = false;
        lock (_outputLock)
        {
            if (_writerWaiting && (_queued.Count > 0 || _outputCompleted))
            {
                _writerWaiting = false;
                wake = true;
            }
        }

        if (wake)
        {
            _writerSignal.Release(inline: sendNow);
        }
    }

    /// <summary>
    /// Stops taking requests and closes the connection once what was queued has been sent
    /// (ZooKeeper's "close after the response is flushed"); a client that does not take it within
    /// <see cref="ZooKeeperServerOptions.CloseFlushTimeout"/> is cut off.
    /// </summary>
    /// <param name="reason">Why, for the log.</param>
    public void CloseAfterFlush(string reason)
    {
        if (_closing.IsCancellationRequested)
        {
            return;
        }

        _logger.LogDebug("Closing connection {Remote} (session 0x{SessionId:x}) after flushing: {Reason}", RemoteText, SessionId, reason);
        _discardInput = true;
        lock (_outputLock)
        {
            _outputCompleted = true;
        }

        _flushTimer = _server.TimeProvider.CreateTimer(_ => Abort("the client did not read the last replies in time"), null, _options.CloseFlushTimeout, Timeout.InfiniteTimeSpan);
        CancelClosing();
        Flush();
    }

    /// <summary>Closes the socket now, dropping queued output. Safe from any thread, idempotent.</summary>
    /// <param name="reason">Why, for the log.</param>
    public void Abort(string reason)
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        _logger.LogDebug("Closing connection {Remote} (session 0x{SessionId:x}): {Reason}", RemoteText, SessionId, reason);
        _discardInput = true;
        bool wake;
        lock (_outputLock)
        {
            _outputCompleted = true;
            wake = _writerWaiting;
            _writerWaiting = false;
        }

        CancelClosing();
        if (wake)
        {
            _writerSignal.Release(inline: true);
        }

        try
        {
            // Linger 0: an abortive close (RST), so the port is not held in TIME_WAIT by a client we cut off.
            Socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        Socket.Dispose();
    }

    private void CancelClosing()
    {
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        Interlocked.Exchange(ref _readerResume, null)?.TrySetResult();
    }

    private async Task ReadAsync()
    {
        string reason = "the client closed the connection";
        var reader = PipeReader.Create(
            new NetworkStream(Socket, ownsSocket: false),
            new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        var state = ReaderState.AwaitingConnect;
        try
        {
            while (true)
            {
                if (!_discardInput)
                {
                    await WaitUntilReadableAsync().ConfigureAwait(false);
                }

                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (_discardInput || state == ReaderState.Done)
                {
                    // Closing: drain what the client still sends, so that closing the socket does not
                    // reset the connection before the client has read our last bytes.
                    reader.AdvanceTo(buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }

                    continue;
                }

                var paused = false;
                try
                {
                    state = ReadFrames(ref buffer, state, out paused);
                }
                catch (ProtocolException e)
                {
                    reason = e.Message;
                    _server.OnBadInput(this, e.Message);
                    break;
                }

                reader.AdvanceTo(buffer.Start, paused ? buffer.Start : buffer.End);
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty && state != ReaderState.Done)
                    {
                        reason = "the client closed the connection in the middle of a frame";
                    }

                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            reason = "the connection failed: " + e.Message;
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            _server.Post(new LoopInput(LoopInputKind.ReaderDone, this, default, reason, 0));
        }
    }

    private ReaderState ReadFrames(ref ReadOnlySequence<byte> buffer, ReaderState state, out bool paused)
    {
        paused = false;
        var maxFrame = _options.JuteMaxBuffer;
        while (state != ReaderState.Done)
        {
            if (state == ReaderState.AwaitingConnect)
            {
                // A four-letter word replaces the first frame length of a fresh connection (§1, §21).
                if (!Framing.TryPeekLength(buffer, out var first))
                {
                    return state;
                }

                if (FourLetterWords.TryGetCommand(first, out var command))
                {
                    long argument = 0;
                    if (command == "stmk")
                    {
                        // stmk carries an 8-byte trace mask after the word.
                        if (buffer.Length < 12)
                        {
                            return state;
                        }

                        Span<byte> mask = stackalloc byte[8];
                        buffer.Slice(4, 8).CopyTo(mask);
                        argument = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(mask);
                        buffer = buffer.Slice(12);
                    }
                    else
                    {
                        buffer = buffer.Slice(4);
                    }

                    _server.Post(new LoopInput(LoopInputKind.FourLetterWord, this, default, command, _server.TimeProvider.GetTimestamp(), argument));
                    return ReaderState.Done;
                }
            }

            if (!Framing.TryReadFrame(ref buffer, maxFrame, out var payload))
            {
                return state;
            }

            var timestamp = _server.TimeProvider.GetTimestamp();
            if (state == ReaderState.AwaitingConnect)
            {
                var (connect, extension) = Decode(payload, DecodeConnect);

                // The extension follows the readOnly byte; stock clients never send it (docs/telemetry.md).
                TraceContextAccepted = _options.AcceptTraceContext && connect.ReadOnly is not null && extension is { TraceContext: true };
                _server.Post(new LoopInput(LoopInputKind.Connect, this, default, connect, timestamp, payload.Length + Framing.HeaderSize));
                state = ReaderState.Requests;
            }
            else
            {
                var (request, trace) = TraceContextAccepted ? Decode(payload, DecodeTracedRequest) : (Decode(payload, DecodeRequest), null);
                _server.AddOutstanding();
                _server.Post(new LoopInput(LoopInputKind.Request, this, request, trace, timestamp, payload.Length + Framing.HeaderSize));
                if (MustPause())
                {
                    paused = true;
                    return state;
                }
            }
        }

        return state;
    }

    private static (ConnectRequest Request, ConnectExtension? Extension) DecodeConnect(ref JuteReader reader)
    {
        var request = ConnectRequest.Read(ref reader);
        return (request, request.ReadOnly is null ? null : ConnectExtension.TryRead(ref reader));
    }

    private static ClientRequest DecodeRequest(ref JuteReader reader) => DecodeBody(ReadHeader(ref reader), ref reader);

    /// <summary>
    /// Decodes a request on a connection that negotiated the trace-context extension: a
    /// <see cref="TraceContextExtension.TracedRequestType"/> frame is unwrapped into the real
    /// request and its trace context; any other frame is an ordinary request.
    /// </summary>
    private static (ClientRequest Request, TraceContextHeader? Trace) DecodeTracedRequest(ref JuteReader reader)
    {
        var header = ReadHeader(ref reader);
        if (header.Type != TraceContextExtension.TracedRequestType)
        {
            return (DecodeBody(header, ref reader), null);
        }

        // A wrapper that does not decode leaves the real opcode unknown, so no reply can be made
        // in order: the ProtocolException closes the connection, as a broken frame does.
        var trace = TraceContextHeader.Read(ref reader);
        return (DecodeBody(new RequestHeader(header.Xid, trace.Type), ref reader), trace);
    }

    private static RequestHeader ReadHeader(ref JuteReader reader)
    {
        if (reader.Remaining < RequestHeader.EncodedSize)
        {
            throw new ProtocolException($"A request frame of {reader.Remaining} bytes is shorter than a request header.");
        }

        return RequestHeader.Read(ref reader);
    }

    // ZooKeeper answers an undecodable body with MarshallingError, in order with the session's
    // other replies, and keeps the connection. The hottest reads keep their path inline, without
    // a request record (ClientRequest.Read).
    private static ClientRequest DecodeBody(RequestHeader header, ref JuteReader reader) => ClientRequest.Read(header, ref reader);

    private delegate T FrameDecoder<T>(ref JuteReader reader);

    private T Decode<T>(ReadOnlySequence<byte> payload, FrameDecoder<T> decode)
    {
        var maxField = JuteLimits.MaxFieldLength(_options.JuteMaxBuffer);
        if (payload.IsSingleSegment)
        {
            var reader = new JuteReader(payload.FirstSpan, maxField);
            return decode(ref reader);
        }

        var length = (int)payload.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(rented);
            var reader = new JuteReader(rented.AsSpan(0, length), maxField);
            return decode(ref reader);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private bool MustPause() => Backlog > _options.OutputBufferSoftLimitBytes || _server.OutstandingOverLimit;

    private async Task WaitUntilReadableAsync()
    {
        while (!_discardInput)
        {
            Task? wait = null;
            lock (_outputLock)
            {
                if (_enqueuedBytes - _sentBytes > _options.OutputBufferSoftLimitBytes)
                {
                    _readerResume ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _readerResume.Task;
                }
            }

            wait ??= _server.WaitForCapacityAsync();
            if (wait.IsCompleted)
            {
                return;
            }

            _readerPaused = true;
            try
            {
                await wait.WaitAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                _readerPaused = false;
            }
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            while (true)
            {
                List<OutputSegment>? batch = null;
                ValueTask? wait = null;
                lock (_outputLock)
                {
                    if (Volatile.Read(ref _aborted) != 0)
                    {
                        return;
                    }

                    if (_queued.Count > 0)
                    {
                        batch = _queued;
                        _queued = _spare;
                        _spare = [];
                    }
                    else if (_outputCompleted)
                    {
                        break;
                    }
                    else
                    {
                        // Continuations run synchronously, on the thread that sets the signal:
                        // Flush(sendNow: true) runs this writer on the loop (see Flush), and a
                        // send the socket cannot take at once pends and resumes on the pool, so
                        // the loop never blocks on a slow reader.
                        _writerWaiting = true;
                        wait = _writerSignal.ArmAsync();
                    }
                }

                if (wait is not null)
                {
                    await wait.Value.ConfigureAwait(false);
                    continue;
                }

                foreach (var segment in batch!)
                {
                    await Socket.SendAsync(segment.Array.AsMemory(0, segment.Count), SocketFlags.None).ConfigureAwait(false);
                    lock (_outputLock)
                    {
                        _sentBytes += segment.Count;
                        if (_readerResume is not null && _enqueuedBytes - _sentBytes <= _options.OutputBufferSoftLimitBytes / 2)
                        {
                            _readerResume.TrySetResult();
                            _readerResume = null;
                        }
                    }

                    ArrayPool<byte>.Shared.Return(segment.Array);
                }

                batch.Clear();
                lock (_outputLock)
                {
                    _spare = batch;
                }
            }

            // Everything queued before the close went out: end our side, let the reader drain the
            // client's side for a moment, then close.
            Socket.Shutdown(SocketShutdown.Send);
            await _readerTask.WaitAsync(TimeSpan.FromSeconds(2), _server.TimeProvider).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or TimeoutException)
        {
        }
        finally
        {
            Release();
        }
    }

    private void Release()
    {
        // The writer is done: close normally (no reset), unless Abort already cut the connection.
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        _discardInput = true;
        lock (_outputLock)
        {
            _outputCompleted = true;
        }

        CancelClosing();
        Socket.Dispose();
    }

    private enum ReaderState
    {
        AwaitingConnect,
        Requests,
        Done,
    }

    private sealed class OutputSegment(byte[] array)
    {
        public byte[] Array { get; } = array;

        public int Count { get; set; }
    }
}
