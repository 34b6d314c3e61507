// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ZkAspire.Protocol;
using ZkAspire.Server.Consensus;
using ZkAspire.Server.Transport;

namespace ZkAspire.Server.Quorum;

/// <summary>
/// One authenticated connection to another server of the ensemble: a reader that decodes frames
/// and a writer that drains a bounded queue when <see cref="Flush"/> wakes it. Closing it (for any
/// reason) reports it once.
/// </summary>
internal sealed class PeerLink
{
    private const int ReadBufferBytes = 64 * 1024;

    // An output buffer that grew past this (a snapshot) is given back after its send, not kept.
    private const int MaxKeptOutputBytes = 256 * 1024;

    private readonly Socket _socket;
    private readonly int _maxFrameBytes;
    private readonly ILogger _logger;
    private readonly object _outputLock = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Frames are encoded straight into _pending (under _outputLock); the writer swaps it with
    // _spare and sends it whole, so a message costs no array of its own and a batch one send.
    // Both buffers are rented and go back to the pool when the link ends (_outputReleased).
    private JuteWriter _pending = new(4096);
    private JuteWriter? _spare = new(4096);
    private bool _outputReleased;
    private bool _writerWaiting;
    private readonly WriterSignal _writerSignal = new();
    private long _queuedBytes;
    private int _closing;
    private int _closeReported;
    private string _reason = string.Empty;

    /// <summary>Creates a link over a connected socket whose handshake is done.</summary>
    /// <param name="socket">The socket.</param>
    /// <param name="peerId">The peer's authenticated server id.</param>
    /// <param name="initiator">The server id that dialed.</param>
    /// <param name="maxFrameBytes">The largest frame accepted.</param>
    /// <param name="logger">Where to log.</param>
    public PeerLink(Socket socket, long peerId, long initiator, int maxFrameBytes, ILogger logger)
    {
        _socket = socket;
        PeerId = peerId;
        Initiator = initiator;
        _maxFrameBytes = maxFrameBytes;
        _logger = logger;
    }

    /// <summary>Gets the peer's server id.</summary>
    public long PeerId { get; }

    /// <summary>Gets the server id that dialed this link.</summary>
    public long Initiator { get; }

    /// <summary>Gets whether the link is closed or closing.</summary>
    public bool IsClosed => Volatile.Read(ref _closing) != 0;

    /// <summary>Gets a task that completes when the reader and the writer have ended.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Starts the reader and the writer.</summary>
    /// <param name="onMessage">Gets each decoded message.</param>
    /// <param name="onClosed">Gets the link once, when it has closed.</param>
    public void Start(Action<PeerLink, PeerMessage> onMessage, Action<PeerLink> onClosed)
    {
        var reader = Task.Run(() => ReadAsync(onMessage));
        var writer = Task.Run(WriteAsync);
        _ = Task.WhenAll(reader, writer).ContinueWith(
            _ =>
            {
                _socket.Dispose();
                _closed.Dispose();
                ReleaseOutput();
                onClosed(this);
                _completion.TrySetResult();
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    /// <summary>Closes a link that was never started and releases its socket at once.</summary>
    /// <param name="reason">Why, for the log.</param>
    public void Discard(string reason)
    {
        Close(reason);
        _socket.Dispose();
        _closed.Dispose();
        ReleaseOutput();
        _completion.TrySetResult();
    }

    /// <summary>Marks the link's close as reported to the replica: <see langword="true"/> the first time only.</summary>
    /// <returns>Whether the caller is the one to report it.</returns>
    public bool TryMarkCloseReported() => Interlocked.Exchange(ref _closeReported, 1) == 0;

    /// <summary>
    /// Encodes a message into the output, sent when <see cref="Flush"/> is next called;
    /// <see langword="false"/> if the queue would exceed its limit (a frame is always taken into
    /// an empty queue), and then nothing was queued.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="limit">The queue's limit in bytes.</param>
    /// <returns>Whether it was queued.</returns>
    public bool Enqueue(PeerMessage message, long limit)
    {
        lock (_outputLock)
        {
            if (IsClosed || _outputReleased)
            {
                return true;
            }

            var mark = _pending.BeginFrame();
            PeerMessageCodec.Write(message, _pending);
            _pending.EndFrame(mark);
            if (!TakeIntoQueue(_pending.Length - mark, limit))
            {
                _pending.Truncate(mark);
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Queues an encoded frame (length prefix included), sent when <see cref="Flush"/> is next
    /// called; <see langword="false"/> if the queue would exceed its limit (a frame is always taken
    /// into an empty queue), and then nothing was queued.
    /// </summary>
    /// <param name="frame">The frame, length prefix included.</param>
    /// <param name="limit">The queue's limit in bytes.</param>
    /// <returns>Whether it was queued.</returns>
    public bool Enqueue(ReadOnlySpan<byte> frame, long limit)
    {
        lock (_outputLock)
        {
            if (IsClosed || _outputReleased)
            {
                return true;
            }

            if (!TakeIntoQueue(frame.Length, limit))
            {
                return false;
            }

            _pending.WriteRaw(frame);
        }

        return true;
    }

    /// <summary>
    /// Wakes the writer if frames are queued and it is idle. With <paramref name="sendNow"/> the
    /// writer runs on the calling thread until its send pends or the queue is empty, so the frames
    /// usually leave before this returns (the event loop, after each batch: a thread-pool wake per
    /// link and hop costs more than the send); otherwise it runs on the thread pool.
    /// </summary>
    /// <param name="sendNow">Whether to send from the calling thread rather than hand the send off.</param>
    public void Flush(bool sendNow)
    {
        var wake = false;
        lock (_outputLock)
        {
            if (_writerWaiting && _pending.Length > 0)
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

    // Counts a frame into the queued bytes, or refuses it (and counts nothing).
    private bool TakeIntoQueue(int frameBytes, long limit)
    {
        var queued = Interlocked.Add(ref _queuedBytes, frameBytes);
        if (queued > limit && queued != frameBytes)
        {
            Interlocked.Add(ref _queuedBytes, -frameBytes);
            return false;
        }

        return true;
    }

    // The link has ended: its output buffers go back to the pool, and nothing is encoded any more.
    private void ReleaseOutput()
    {
        lock (_outputLock)
        {
            _outputReleased = true;
            _pending.Dispose();
            _spare?.Dispose();
            _spare = null;
        }
    }

    /// <summary>Closes the link (idempotent).</summary>
    /// <param name="reason">Why, for the log.</param>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        _reason = reason;
        _logger.LogInformation("Peer link to server {Peer} closed: {Reason}", PeerId, reason);
        bool wake;
        lock (_outputLock)
        {
            wake = _writerWaiting;
            _writerWaiting = false;
        }

        // The writer ends on the pool, never inside the caller (the event loop may be closing).
        if (wake)
        {
            _writerSignal.Release(inline: false);
        }

        try
        {
            _closed.Cancel();
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"link to server {PeerId}{(IsClosed ? " (closed: " + _reason + ")" : string.Empty)}";

    private async Task ReadAsync(Action<PeerLink, PeerMessage> onMessage)
    {
        // Reads are buffered: a leader's batch of proposals or commits arrives as many small frames
        // at once, and a read per frame header and per payload cost two syscalls a message.
        var buffer = new byte[ReadBufferBytes];
        var start = 0;
        var end = 0;
        var token = _closed.Token;
        try
        {
            while (true)
            {
                // Every whole frame in the buffer, then read more.
                while (end - start >= 4)
                {
                    var length = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(start));
                    if (length <= 0 || length > _maxFrameBytes)
                    {
                        Close($"a frame of {length} bytes (the limit is {_maxFrameBytes}, zkaspire.peerMaxFrameBytes)");
                        return;
                    }

                    ReadOnlyMemory<byte> payload;
                    if (4 + length <= end - start)
                    {
                        payload = buffer.AsMemory(start + 4, length);
                        start += 4 + length;
                    }
                    else if (4 + length <= buffer.Length)
                    {
                        break;
                    }
                    else
                    {
                        // Larger than the buffer (a snapshot): its own array, the rest read exactly.
                        var large = new byte[length];
                        var have = end - start - 4;
                        buffer.AsSpan(start + 4, have).CopyTo(large);
                        await _socket.ReceiveExactlyAsync(large.AsMemory(have), token).ConfigureAwait(false);
                        payload = large;
                        start = end = 0;
                    }

                    if (!Deliver(payload.Span, onMessage))
                    {
                        return;
                    }
                }

                if (start == end)
                {
                    start = end = 0;
                }
                else if (start > 0 && buffer.Length - end < ReadBufferBytes / 4)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }

                var read = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, token).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException();
                }

                end += read;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
        {
            Close(e is EndOfStreamException ? "the peer closed the connection" : e.Message);
        }
    }

    private bool Deliver(ReadOnlySpan<byte> payload, Action<PeerLink, PeerMessage> onMessage)
    {
        PeerMessage message;
        try
        {
            message = PeerMessageCodec.Decode(payload);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ProtocolException for what the codec recognizes as wrong; anything else a
            // garbled frame provokes closes this link the same way, and only it.
            Close("a malformed frame: " + e.Message);
            return false;
        }

        onMessage(this, message);
        return true;
    }

    private async Task WriteAsync()
    {
        // What is queued goes out in one send: a leader's batch of proposals or commits to a
        // follower is one syscall, from one contiguous buffer.
        var token = _closed.Token;
        try
        {
            while (true)
            {
                JuteWriter? batch = null;
                ValueTask? wait = null;
                lock (_outputLock)
                {
                    if (IsClosed || _outputReleased)
                    {
                        return;
                    }

                    if (_pending.Length > 0)
                    {
                        batch = _pending;
                        _pending = _spare ?? new JuteWriter(4096);
                        _spare = null;
                    }
                    else
                    {
                        // Continuations run synchronously, on the thread that sets the signal:
                        // Flush(sendNow: true) runs this writer on the event loop, and a send the
                        // socket cannot take at once pends and resumes on the pool, so the loop
                        // never blocks on a peer that does not read.
                        _writerWaiting = true;
                        wait = _writerSignal.ArmAsync();
                    }
                }

                if (wait is not null)
                {
                    await wait.Value.ConfigureAwait(false);
                    continue;
                }

                var bytes = batch!.Length;
                var unsent = batch.WrittenMemory;
                while (unsent.Length > 0)
                {
                    var sent = await _socket.SendAsync(unsent, SocketFlags.None, token).ConfigureAwait(false);
                    unsent = unsent[sent..];
                }

                Interlocked.Add(ref _queuedBytes, -bytes);
                batch.Clear();
                lock (_outputLock)
                {
                    if (_outputReleased || _spare is not null || batch.Capacity > MaxKeptOutputBytes)
                    {
                        batch.Dispose();
                    }
                    else
                    {
                        _spare = batch;
                    }
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Close(e.Message);
        }
    }
}

/// <summary>Reading a whole buffer from a socket.</summary>
internal static class SocketReading
{
    /// <summary>Reads exactly <paramref name="buffer"/>'s length.</summary>
    /// <param name="socket">The socket.</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A task that completes when the buffer is full.</returns>
    /// <exception cref="EndOfStreamException">The peer closed first.</exception>
    public static async Task ReceiveExactlyAsync(this Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            buffer = buffer[read..];
        }
    }
}
