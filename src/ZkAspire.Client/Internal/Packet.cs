// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Threading.Tasks.Sources;
using ZkAspire.Protocol;

namespace ZkAspire.Client.Internal;

/// <summary>What a packet is to the IO loop.</summary>
internal enum PacketKind
{
    /// <summary>A request with a normal xid, matched FIFO against its reply.</summary>
    Request,

    /// <summary>An auth packet (xid −4); its reply is matched against the auth queue.</summary>
    Auth,

    /// <summary>A ping (xid −2); its reply is dropped.</summary>
    Ping,
}

/// <summary>
/// One request on its way through the IO loop, and the completion its caller awaits (the Java
/// client's <c>Packet</c>).
/// </summary>
/// <remarks>
/// The caller serializes the frame, so serialization errors and the jute.maxbuffer check happen
/// on its thread and the IO loop only patches in the xid and copies the bytes. The packet is its
/// own <see cref="IValueTaskSource{TResult}"/>: awaiting a request costs no Task. Continuations
/// always run asynchronously, never on the IO loop.
/// </remarks>
internal sealed class Packet : IValueTaskSource<IJuteRecord?>
{
    private const int Queued = 0;
    private const int Sent = 1;
    private const int Completed = 2;
    private const int Cancelled = 3;

    private ManualResetValueTaskSourceCore<IJuteRecord?> _core;
    private JuteWriter? _body;
    private IJuteRecord? _response;
    private Exception? _failure;
    private CancellationToken _cancellationToken;
    private CancellationTokenRegistration _cancellation;
    private int _state;
    private bool _wasSent;

    private Packet(PacketKind kind, OpCode opCode, string? clientPath, JuteWriter? body)
    {
        Kind = kind;
        OpCode = opCode;
        ClientPath = clientPath;
        _body = body;
        Xid = kind switch
        {
            PacketKind.Ping => Xids.Ping,
            PacketKind.Auth => Xids.Auth,
            _ => 0,
        };
        _core.RunContinuationsAsynchronously = true;
    }

    /// <summary>Gets the shared ping packet, which nobody awaits.</summary>
    public static Packet Ping { get; } = new(PacketKind.Ping, OpCode.Ping, null, null);

    /// <summary>Gets how the IO loop treats the packet.</summary>
    public PacketKind Kind { get; }

    /// <summary>Gets the opcode.</summary>
    public OpCode OpCode { get; }

    /// <summary>Gets the client path, for error messages.</summary>
    public string? ClientPath { get; }

    /// <summary>Gets or sets the watch to register when the reply arrives.</summary>
    public WatchRegistration? WatchRegistration { get; init; }

    /// <summary>Gets or sets the scheme of an auth packet, for messages.</summary>
    public string? AuthScheme { get; set; }

    /// <summary>Gets or sets a callback run on the IO loop when the packet completes (internal requests nobody awaits).</summary>
    public Action<Packet>? CompletionCallback { get; init; }

    /// <summary>Gets or sets the trace context to send on connections that negotiated it: the W3C traceparent and tracestate of the request's span.</summary>
    public (string TraceParent, string? TraceState)? TraceContext { get; set; }

    /// <summary>Gets the xid the IO loop gave the request.</summary>
    public int Xid { get; private set; }

    /// <summary>Gets the reply header, once the reply has arrived.</summary>
    public ReplyHeader Reply { get; private set; }

    /// <summary>Gets the reply's error code.</summary>
    public KeeperErrorCode Error => Reply.Error;

    /// <summary>Gets why the request failed without a reply (connection loss, expiry, close), if it did.</summary>
    public Exception? Failure => _failure;

    /// <summary>Gets whether the caller gave up waiting.</summary>
    public bool IsCancelled => Volatile.Read(ref _state) == Cancelled;

    /// <summary>Gets whether the request was handed to a connection.</summary>
    public bool WasSent => Volatile.Read(ref _wasSent);

    /// <summary>Serializes a request's body; the IO loop adds the frame length and the header with the xid.</summary>
    /// <param name="opCode">The opcode.</param>
    /// <param name="body">The request record, if any.</param>
    /// <param name="clientPath">The client path, for error messages.</param>
    /// <param name="maxBufferBytes">The largest frame the server accepts (jute.maxbuffer).</param>
    /// <param name="kind">Request or auth.</param>
    /// <returns>The packet.</returns>
    /// <exception cref="MarshallingErrorException">The request cannot be encoded or is too large.</exception>
    public static Packet Create(OpCode opCode, IJuteRecord? body, string? clientPath, int maxBufferBytes, PacketKind kind = PacketKind.Request) =>
        Create(opCode, body, clientPath, maxBufferBytes, kind, watch: null, onCompleted: null);

    /// <summary>Serializes a request with a watch registration or a completion callback.</summary>
    /// <param name="opCode">The opcode.</param>
    /// <param name="body">The request record, if any.</param>
    /// <param name="clientPath">The client path, for error messages.</param>
    /// <param name="maxBufferBytes">The largest frame the server accepts.</param>
    /// <param name="kind">Request or auth.</param>
    /// <param name="watch">The watch to register on reply.</param>
    /// <param name="onCompleted">The IO-loop callback.</param>
    /// <returns>The packet.</returns>
    public static Packet Create(
        OpCode opCode,
        IJuteRecord? body,
        string? clientPath,
        int maxBufferBytes,
        PacketKind kind,
        WatchRegistration? watch,
        Action<Packet>? onCompleted)
    {
        var writer = JuteWriterPool.Rent();
        try
        {
            body?.Write(writer);
            var length = RequestHeader.EncodedSize + writer.Length;
            if (length > maxBufferBytes)
            {
                throw new MarshallingErrorException(
                    clientPath,
                    $"The {opCode} request is {length} bytes, more than jute.maxbuffer ({maxBufferBytes} bytes); the server would close the connection."
                    + (string.IsNullOrEmpty(clientPath) ? string.Empty : " Path: " + clientPath));
            }
        }
        catch (ProtocolException e)
        {
            JuteWriterPool.Return(writer);
            throw new MarshallingErrorException(clientPath, "The request cannot be encoded: " + e.Message, e);
        }
        catch
        {
            JuteWriterPool.Return(writer);
            throw;
        }

        return new Packet(kind, opCode, clientPath, writer) { WatchRegistration = watch, CompletionCallback = onCompleted };
    }

    /// <summary>Waits for the reply. Call before submitting the packet, and once.</summary>
    /// <param name="cancellationToken">Stops waiting (the request may still be applied if it was sent).</param>
    /// <returns>The reply's body; the header is in <see cref="Reply"/>.</returns>
    public ValueTask<IJuteRecord?> WaitAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellationToken = cancellationToken;
            _cancellation = cancellationToken.UnsafeRegister(static state => ((Packet)state!).TryCancel(), this);
        }

        return new ValueTask<IJuteRecord?>(this, _core.Version);
    }

    /// <summary>Marks the packet as handed to the connection, unless the caller gave up.</summary>
    /// <returns><see langword="false"/> if it was cancelled, and must not be sent.</returns>
    public bool TryMarkSent()
    {
        if (Kind == PacketKind.Ping)
        {
            return true;
        }

        if (Interlocked.CompareExchange(ref _state, Sent, Queued) != Queued)
        {
            return false;
        }

        Volatile.Write(ref _wasSent, true);
        return true;
    }

    /// <summary>Gives a request its xid; the IO loop does this in send order.</summary>
    /// <param name="xid">The xid.</param>
    public void AssignXid(int xid) => Xid = xid;

    /// <summary>Appends the frame — length, header, body — to a batch.</summary>
    /// <param name="batch">The batch the IO loop writes in one go.</param>
    /// <param name="traceContext">Whether the connection negotiated the trace-context extension.</param>
    /// <param name="maxBufferBytes">The largest frame the server accepts; a traced frame that would not fit goes out plain.</param>
    public void WriteFrame(JuteWriter batch, bool traceContext = false, int maxBufferBytes = int.MaxValue)
    {
        var mark = batch.BeginFrame();
        batch.WriteInt(Xid);
        if (traceContext && Kind == PacketKind.Request && TraceContext is var (traceParent, traceState))
        {
            // docs/telemetry.md: [xid][0x5A4B0001][traceparent][tracestate][opcode][body]. Both
            // strings are printable ASCII (checked when the context was taken), so their UTF-8
            // length is their length.
            var traced = RequestHeader.EncodedSize + 4 + traceParent.Length + 4 + (traceState?.Length ?? 0) + 4 + (_body?.Length ?? 0);
            if (traced <= maxBufferBytes)
            {
                batch.WriteInt(TraceContextExtension.TracedRequestType);
                new TraceContextHeader(traceParent, traceState, (int)OpCode).Write(batch);
            }
            else
            {
                batch.WriteInt((int)OpCode);
            }
        }
        else
        {
            batch.WriteInt((int)OpCode);
        }

        if (_body is { } body)
        {
            batch.WriteRaw(body.WrittenSpan);
        }

        batch.EndFrame(mark);
    }

    /// <summary>Returns the body's buffer to the pool once its bytes are copied out.</summary>
    public void ReleaseFrame()
    {
        var body = Interlocked.Exchange(ref _body, null);
        if (body is not null)
        {
            JuteWriterPool.Return(body);
        }
    }

    /// <summary>Records the reply; <see cref="Complete"/> then signals the caller.</summary>
    /// <param name="header">The reply header.</param>
    /// <param name="response">The decoded body, if any.</param>
    public void SetReply(ReplyHeader header, IJuteRecord? response)
    {
        Reply = header;
        _response = response;
    }

    /// <summary>Records a failure; <see cref="Complete"/> then signals the caller.</summary>
    /// <param name="failure">Why the request failed.</param>
    public void SetFailure(Exception failure) => _failure = failure;

    /// <summary>Signals the caller now.</summary>
    public void Complete()
    {
        if (Kind == PacketKind.Ping)
        {
            return;
        }

        ReleaseFrame();
        var state = Volatile.Read(ref _state);
        while (state is Queued or Sent)
        {
            var seen = Interlocked.CompareExchange(ref _state, Completed, state);
            if (seen == state)
            {
                _cancellation.Unregister();
                if (_failure is { } failure)
                {
                    _core.SetException(failure);
                }
                else
                {
                    _core.SetResult(_response);
                }

                CompletionCallback?.Invoke(this);
                return;
            }

            state = seen;
        }
    }

    /// <inheritdoc/>
    public IJuteRecord? GetResult(short token) => _core.GetResult(token);

    /// <inheritdoc/>
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc/>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void TryCancel()
    {
        var state = Volatile.Read(ref _state);
        while (state is Queued or Sent)
        {
            var seen = Interlocked.CompareExchange(ref _state, Cancelled, state);
            if (seen == state)
            {
                // A queued packet is skipped by the writer; a sent one stays pending (its reply must
                // still be matched FIFO) and its reply is dropped.
                _core.SetException(new OperationCanceledException(_cancellationToken));
                return;
            }

            state = seen;
        }
    }
}
