// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers;
using ZkAspire.Protocol;

namespace ZkAspire.Client.Internal;

/// <summary>The reader, writer and watchdog of an established connection.</summary>
internal sealed partial class ClientConnection
{
    /// <summary>Reads frames and handles them in order until the connection breaks.</summary>
    private async Task ReadLoopAsync(Wire wire, CancellationToken cancellationToken)
    {
        var reader = wire.Reader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                // A length above jute.maxbuffer throws ProtocolException: the connection is
                // dropped, as the Java client drops it ("Packet len is out of range").
                while (Framing.TryReadFrame(ref buffer, _options.MaxBufferBytes, out var payload))
                {
                    var now = _time.GetTimestamp();
                    Volatile.Write(ref _lastReceived, now);
                    Volatile.Write(ref _lastHeard, now);
                    ProcessFrame(payload);
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted)
            {
                throw new EndOfStreamException($"Unable to read additional data from server sessionid 0x{_sessionId:x}, likely server has closed socket");
            }
        }
    }

    private void ProcessFrame(in ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            ProcessFrame(payload.FirstSpan);
            return;
        }

        var length = (int)payload.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(rented);
            ProcessFrame(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void ProcessFrame(ReadOnlySpan<byte> frame)
    {
        var reader = new JuteReader(frame, _maxFieldLength);
        var header = ReplyHeader.Read(ref reader);
        switch (header.Xid)
        {
            case Xids.Ping:
                return;

            case Xids.Auth:
                OnAuthReply(header);
                return;

            case Xids.Notification:
                OnNotification(header, WatcherEvent.Read(ref reader));
                return;

            default:
                OnReply(header, ref reader);
                return;
        }
    }

    private void OnAuthReply(ReplyHeader header)
    {
        // Auth replies bypass the server's request pipeline and may overtake other replies, but
        // come back in the order the auth packets went out (§4.4, §13).
        Packet? packet;
        lock (_lock)
        {
            _authPending.TryDequeue(out packet);
        }

        if (header.Error == KeeperErrorCode.AuthFailed)
        {
            // The server closes the connection next; the Java client then stops for good.
            _failedAuthScheme = packet?.AuthScheme ?? _failedAuthScheme;
            lock (_lock)
            {
                _phase = ConnectionPhase.AuthFailed;
            }
        }

        if (packet is not null)
        {
            packet.SetReply(header, null);
            Complete(packet);
        }
    }

    private void OnNotification(ReplyHeader header, WatcherEvent notification)
    {
        var serverPath = notification.Path ?? PathUtils.Root;
        Instrumentation.WatchEvents.Add(1, new KeyValuePair<string, object?>(ZooKeeperClientTelemetry.Attributes.EventType, notification.Type.ToString()));

        // Materialize on the IO loop, in wire order: one-time watches are removed here, before a
        // later reply can register them again.
        var watchers = _watches.Materialize(notification.Type, serverPath);
        if (watchers.Count == 0)
        {
            return;
        }

        var watchedEvent = new WatchedEvent(notification.Type, notification.State, _paths.ToClient(serverPath), header.Zxid);
        _dispatcher.Post(new WatchEventDelivery(watchedEvent, watchers));
    }

    private void OnReply(ReplyHeader header, ref JuteReader reader)
    {
        Packet? packet;
        lock (_lock)
        {
            _pending.TryDequeue(out packet);
        }

        // Replies come back in request order (§13); anything else means the stream is broken.
        if (packet is null)
        {
            throw new ProtocolException($"Nothing in the queue, but got reply with xid {header.Xid}");
        }

        if (packet.Xid != header.Xid)
        {
            Fail(packet, new ConnectionLossException(packet.ClientPath, requestSent: true));
            throw new ProtocolException($"Xid out of order. Got xid {header.Xid} with err {header.Err}, expected xid {packet.Xid} for {packet.OpCode}.");
        }

        // The Java client tracks lastZxid from replies only, not pings, auth or notifications (§5).
        if (header.Zxid > 0 && header.Zxid > _lastZxid)
        {
            Volatile.Write(ref _lastZxid, header.Zxid);
        }

        IJuteRecord? body = null;
        if (header.Err == 0)
        {
            try
            {
                body = ReadBody(packet.OpCode, ref reader);
            }
            catch (ProtocolException)
            {
                Fail(packet, new ConnectionLossException(packet.ClientPath, requestSent: true));
                throw;
            }
        }

        if (packet.WatchRegistration is { } registration && !packet.IsCancelled)
        {
            _watches.Register(registration, header.Error);
        }

        packet.SetReply(header, body);
        Complete(packet);
    }

    private static IJuteRecord? ReadBody(OpCode opCode, ref JuteReader reader) => opCode switch
    {
        OpCode.Create => CreateResponse.Read(ref reader),
        OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTTL => Create2Response.Read(ref reader),
        OpCode.Exists => ExistsResponse.Read(ref reader),
        OpCode.GetData or OpCode.Reconfig => GetDataResponse.Read(ref reader),
        OpCode.SetData => SetDataResponse.Read(ref reader),
        OpCode.GetACL => GetACLResponse.Read(ref reader),
        OpCode.SetACL => SetACLResponse.Read(ref reader),
        OpCode.GetChildren => GetChildrenResponse.Read(ref reader),
        OpCode.GetChildren2 => GetChildren2Response.Read(ref reader),
        OpCode.Sync => SyncResponse.Read(ref reader),
        OpCode.Multi or OpCode.MultiRead => MultiResponse.Read(ref reader),
        OpCode.GetEphemerals => GetEphemeralsResponse.Read(ref reader),
        OpCode.GetAllChildrenNumber => GetAllChildrenNumberResponse.Read(ref reader),
        OpCode.WhoAmI => WhoAmIResponse.Read(ref reader),

        // addWatch answers with a 4-byte ErrorResponse; accept its absence too.
        OpCode.AddWatch => reader.Remaining >= 4 ? ErrorResponse.Read(ref reader) : null,
        _ => null,
    };

    /// <summary>Writes the priming packets, then queued requests in batches, one socket write per batch.</summary>
    private async Task WriteLoopAsync(Wire wire, List<Packet> priming, CancellationToken cancellationToken)
    {
        using var batch = new JuteWriter(MaxBatchBytes + 1024);
        foreach (var packet in priming)
        {
            Append(batch, packet, wire.TraceContext);
        }

        var queue = _outgoing.Reader;
        while (true)
        {
            while (batch.Length < MaxBatchBytes && queue.TryRead(out var packet))
            {
                Append(batch, packet, wire.TraceContext);
            }

            if (batch.Length > 0)
            {
                await wire.WriteAsync(batch.WrittenMemory, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _lastSent, _time.GetTimestamp());
                batch.Clear();
                continue;
            }

            if (!await queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // The queue is closed: the client is closing or failed authentication.
                return;
            }
        }
    }

    private void Append(JuteWriter batch, Packet packet, bool traceContext)
    {
        if (!packet.TryMarkSent())
        {
            // The caller gave up before the request left: never send it.
            packet.ReleaseFrame();
            return;
        }

        // Xids are given in send order, from 1, skipping Int32.MaxValue and wrapping to 1: never
        // 0 or negative, which are reserved (§4.3); then the request waits in the pending queue.
        switch (packet.Kind)
        {
            case PacketKind.Request:
                packet.AssignXid(TakeXid(ref _nextXid));
                lock (_lock)
                {
                    _pending.Enqueue(packet);
                }

                break;
            case PacketKind.Auth:
                lock (_lock)
                {
                    _authPending.Enqueue(packet);
                }

                break;
            default:
                break;
        }

        packet.WriteFrame(batch, traceContext, _options.MaxBufferBytes);
        packet.ReleaseFrame();
    }

    /// <summary>Takes the next xid: 1, 2, … Int32.MaxValue − 1, then 1 again (never 0 or negative).</summary>
    /// <param name="next">The next xid to give.</param>
    /// <returns>The xid.</returns>
    internal static int TakeXid(ref int next)
    {
        if (next is <= 0 or int.MaxValue)
        {
            next = 1;
        }

        return next++;
    }

    /// <summary>
    /// Pings after a third of the session timeout without sending (at least every 10 seconds) and
    /// declares the connection dead after two thirds without hearing anything (§4.3).
    /// </summary>
    private async Task WatchdogAsync(CancellationToken cancellationToken)
    {
        var readTimeout = TimeSpan.FromMilliseconds(_negotiatedTimeout * 2.0 / 3);
        var pingInterval = Min(readTimeout / 2, MaxPingInterval);
        while (true)
        {
            var now = _time.GetTimestamp();
            var idleReceive = _time.GetElapsedTime(Volatile.Read(ref _lastReceived), now);
            if (idleReceive >= readTimeout)
            {
                throw new TimeoutException(
                    $"Client session timed out, have not heard from server in {idleReceive.TotalMilliseconds:F0}ms for session id 0x{_sessionId:x}");
            }

            var idleSend = _time.GetElapsedTime(Volatile.Read(ref _lastSent), now);
            if (idleSend >= pingInterval)
            {
                _outgoing.Writer.TryWrite(Packet.Ping);
                Volatile.Write(ref _lastSent, now);
                idleSend = TimeSpan.Zero;
            }

            var wait = Min(readTimeout - idleReceive, pingInterval - idleSend);
            await Task.Delay(wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1), _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
