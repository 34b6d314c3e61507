// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;
using ZkAspire.Server.Diagnostics;
using ZkAspire.Server.Transport;

namespace ZkAspire.Server;

/// <content>The event loop: the only code that touches the core.</content>
public sealed partial class ZooKeeperServer
{
    private const int MaxBatch = 1024;

    // The batch length (inputs, plus one) up to which the loop sends replies itself.
    private const int SendNowBatch = 8;

    /// <summary>The grant appended to the ConnectResponse of a client that asked for trace context.</summary>
    private static readonly ConnectExtension TraceContextGranted = new(TraceContextExtension.TraceContextFeature);

    private readonly CoreOutput _output;
    private readonly ServerStatistics _statistics = new();
    private readonly JuteWriter _scratch = new(4096);
    private readonly List<ClientConnection> _dirty = [];
    private readonly HashSet<long> _dirtyIds = [];
    private readonly List<(ClientConnection Connection, string Reason, bool Abort)> _deferredCloses = [];
    private ReplicaStats? _statsSnapshot;
    private bool _persistedInBatch;
    private long _lastNowMs;
    private long _startedAt;
    private long _lastReplyZxid;
    private long _droppedForBadInput;
    private long _connectionsRejected;
    private long _traceMask = Commands.FourLetterWordFormatter.DefaultTraceMask;
    private Consensus.PeerStatus? _loggedQuorumStatus;

    // Election notifications a member sends while it opens, before its peer transport exists
    // (recovery starts the election): handed to the transport, which keeps them until the links are up.
    private readonly Dictionary<long, Consensus.PeerMessage> _earlyNotifications = [];

    /// <summary>Hands an input to the loop (any thread).</summary>
    /// <param name="input">The input.</param>
    internal void Post(LoopInput input) => _inputs?.TryWrite(input);

    /// <summary>Runs a function on the event loop, where the core may be used, and returns its result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="function">The function; it gets the core.</param>
    /// <returns>The result.</returns>
    internal Task<T> InvokeAsync<T>(Func<IServerCore, T> function)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var action = () =>
        {
            try
            {
                completion.TrySetResult(function(_core!));
            }
            catch (Exception e)
            {
                completion.TrySetException(e);
            }
        };
        if (_inputs is null || !_inputs.TryWrite(new LoopInput(LoopInputKind.Invoke, null, default, action, 0)))
        {
            completion.TrySetException(new InvalidOperationException("The server is not running."));
        }

        return completion.Task;
    }

    private Task RunLoopThreadAsync(LoopQueue inputs)
    {
        // The loop runs on a thread of its own that posting an input wakes directly (LoopQueue).
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                RunLoop(inputs);
                ended.TrySetResult();
            }
            catch (Exception e)
            {
                ended.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "zkaspire-loop",
        };
        thread.Start();
        return ended.Task;
    }

    private void RunLoop(LoopQueue inputs)
    {
        // A snapshot due at start (ZooKeeper's loadData takes one) begins before the first input,
        // so that it holds exactly the recovered state and the log rolls before any new txn.
        AfterBatch();
        var taken = new List<LoopInput>();
        while (inputs.TakeAll(ref taken))
        {
            // Everything queued is taken at once and handled in batches of at most MaxBatch; after
            // each, the writers of the connections that got output are woken: many replies to one
            // client go out in one send.
            var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(taken);
            for (var start = 0; start < all.Length; start += MaxBatch)
            {
                var batch = all.Slice(start, Math.Min(MaxBatch, all.Length - start));
                foreach (ref readonly var input in batch)
                {
                    try
                    {
                        Process(input);
                    }
                    catch (Exception e)
                    {
                        // The loop must survive anything: a failure concerns one input.
                        _logger.LogError(e, "The event loop failed on a {Kind} input", input.Kind);
                        input.Connection?.Abort("internal error");
                    }
                }

                AfterBatch();

                // A short batch means the loop is waiting on its inputs, not keeping up with them:
                // latency is what counts, so it sends the replies itself rather than wake a
                // thread-pool worker for each connection, a wake that on a busy machine costs
                // milliseconds (the durable lock workload, a chain of one-at-a-time writes, waited
                // longer for it than for the fsync; ZooKeeper's FinalRequestProcessor also writes
                // from the thread that applied the txn). A long batch hands the sends off, so they
                // run beside the loop on the other cores. A batch that finished a group commit
                // sends too, whatever its length: its replies are what the writers' clients wait
                // for, and a pool wake per connection per fsync delayed every one of them
                // (standalone create, docs/performance.md "Sends from the loop").
                FlushDirty(sendNow: batch.Length < SendNowBatch || _persistedInBatch);
                _persistedInBatch = false;
            }

            // The inputs are handled: drop the references (connections, request bodies) they held,
            // and the list itself after a burst, so that a burst's capacity is not kept for good.
            taken.Clear();
            if (taken.Capacity > 16 * MaxBatch)
            {
                taken = [];
            }
        }

        FlushDirty(sendNow: false);
    }

    private void AfterBatch()
    {
        // Every change of role or Zab phase, as ZooKeeper logs LOOKING, FOLLOWING and LEADING: the
        // timeline of an election and of a learner's sync can be read from the log.
        if (_member?.QuorumStatus is { } status && status != _loggedQuorumStatus)
        {
            _loggedQuorumStatus = status;
            _peerLogger.LogInformation("Quorum: {State}, phase {Phase}, leader {Leader}, epoch {Epoch}", status.State, status.Phase, status.LeaderId, status.Epoch);
        }

        if (_persistence is { } persistence)
        {
            try
            {
                persistence.AfterBatch(_core!);
            }
            catch (Exception e)
            {
                // The log keeps every txn; the next trigger tries again.
                _logger.LogError(e, "Beginning a snapshot failed");
            }
        }
    }

    private long NowMs()
    {
        // The core takes one clock for Stat times (which must be wall-clock epoch milliseconds)
        // and for session expiry (which must not run backwards): the wall clock, never decreasing.
        var now = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        _lastNowMs = Math.Max(_lastNowMs, now);
        return _lastNowMs;
    }

    private long MonotonicMs() => TimeProvider.GetTimestamp() * 1000 / TimeProvider.TimestampFrequency;

    private void Process(in LoopInput input)
    {
        var connection = input.Connection;
        switch (input.Kind)
        {
            case LoopInputKind.Connect:
                if (connection!.IsClosing)
                {
                    return;
                }

                Received(connection, input.Argument);
                connection.ConnectTimestamp = input.Timestamp;
                connection.OpenInCore = true;
                var now = NowMs();
                try
                {
                    _core!.ConnectionOpened(connection.Id, connection.RemoteAddress.ToString(), now);
                    _core.ConnectRequestReceived(connection.Id, (ConnectRequest)input.Payload!, now);
                }
                catch (Exception e)
                {
                    OnCoreFailure(e, connection);
                }

                DrainDeferredCloses();
                break;

            case LoopInputKind.Request:
                if (!connection!.OpenInCore || connection.ClosedInCore)
                {
                    // Read before the connection closed; nobody will answer it.
                    ReleaseOutstanding(1);
                    return;
                }

                Received(connection, input.Argument);
                var request = input.Request;
                connection.Pending.Enqueue(new PendingRequest(request.Xid, request.Type, input.Timestamp, request.Body, input.Payload as TraceContextHeader) { InlinePath = request.Path });
                try
                {
                    _core!.RequestReceived(connection.Id, request, NowMs());
                }
                catch (Exception e)
                {
                    OnCoreFailure(e, connection);
                }

                DrainDeferredCloses();
                break;

            case LoopInputKind.FourLetterWord:
                connection!.IsFourLetterWord = true;
                Received(connection, 4);
                var text = ExecuteFourLetterWord((string)input.Payload!, input.Argument, connection);
                connection.Enqueue(System.Text.Encoding.UTF8.GetBytes(text));
                connection.Statistics.PacketsSent++;
                _statistics.PacketsSent++;
                connection.CloseAfterFlush("four-letter word answered");
                break;

            case LoopInputKind.ReaderDone:
                if (!connection!.IsClosing)
                {
                    TransportLogger.LogDebug("Connection {Remote} (session 0x{SessionId:x}) ended: {Reason}", connection.RemoteText, connection.SessionId, input.Payload);
                    connection.Abort((string)input.Payload!);
                }

                CloseInCore(connection);
                break;

            case LoopInputKind.Tick:
                var tickNow = NowMs();
                try
                {
                    _core!.Tick(tickNow);
                    Volatile.Write(ref _statsSnapshot, _core.GetStats());
                }
                catch (Exception e)
                {
                    OnCoreFailure(e, null);
                }

                DrainDeferredCloses();
                ExpireSessionlessConnections(tickNow);
                break;

            case LoopInputKind.Invoke:
                ((Action)input.Payload!)();
                DrainDeferredCloses();
                break;

            case LoopInputKind.Persisted:
                _persistedInBatch = true;
                // A group commit is durable: its txns are applied, their watches fire, their
                // writes are answered (ZooKeeper's SyncRequestProcessor hands them on after the flush).
                _persistence?.OnPersisted();
                try
                {
                    _core!.Persisted(input.Argument, NowMs());
                }
                catch (Exception e)
                {
                    OnCoreFailure(e, null);
                }

                DrainDeferredCloses();
                break;

            case LoopInputKind.PersistFailed:
                // The disk is full or unwritable: the core fails the writes from that zxid on and
                // keeps serving reads; the log takes appends again once the core has reused the
                // failed zxids' place, and the next write tries the disk afresh.
                _persistence?.OnPersistFailed(input.Argument, (Exception)input.Payload!);
                try
                {
                    _core!.PersistFailed(input.Argument, NowMs());
                }
                catch (Exception e)
                {
                    OnCoreFailure(e, null);
                }

                _persistence?.Log.ResumeAfterFailure();
                DrainDeferredCloses();
                break;

            case LoopInputKind.SnapshotStep:
                _persistence?.Step();
                break;

            case LoopInputKind.PeerMessage:
                var link = input.Link!;

                // A message read on a link that was replaced meanwhile is dropped: the replica
                // heard that link close, and the protocol resends what matters.
                if (_member is { } member && _transport is { } transport && transport.IsCurrent(link))
                {
                    try
                    {
                        member.PeerMessageReceived(link.PeerId, (Consensus.PeerMessage)input.Payload!, NowMs());
                    }
                    catch (Exception e)
                    {
                        OnCoreFailure(e, null);
                    }

                    DrainDeferredCloses();
                }

                break;

            case LoopInputKind.PeerClosed:
                if (_member is { } closedFor)
                {
                    try
                    {
                        closedFor.PeerDisconnected(input.Argument, NowMs());
                    }
                    catch (Exception e)
                    {
                        OnCoreFailure(e, null);
                    }

                    DrainDeferredCloses();
                }

                break;

            case LoopInputKind.Flushed:
                _persistence?.OnPersisted();
                if (_member is { } flushedFor)
                {
                    try
                    {
                        flushedFor.Flushed(input.Argument, NowMs());
                    }
                    catch (Exception e)
                    {
                        OnCoreFailure(e, null);
                    }

                    DrainDeferredCloses();
                }

                break;

            case LoopInputKind.PersistFatal:
                OnPersistFatal((Exception)input.Payload!);
                break;
        }
    }

    private void OnPersistFatal(Exception error)
    {
        // A member of an ensemble cannot refuse writes and go on as a standalone server does:
        // its acknowledgments and epochs would no longer be on disk. ZooKeeper exits; we stop
        // this server and report it through Fault (the host exits non-zero), and recovery
        // brings it back once the disk works.
        if (!_fault.TrySetResult(error))
        {
            return;
        }

        _logger.LogCritical(error, "Cannot write the txn log or an epoch file in {Directory}: {Reason}. A member of an ensemble cannot go on without its disk: the server stops", Options.DataLogDir ?? Options.DataDir, error.Message);
        _ = Task.Run(async () =>
        {
            try
            {
                await StopAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Stopping after a failed write failed");
            }
        });
    }

    private void Received(ClientConnection connection, long bytes)
    {
        connection.Statistics.PacketsReceived++;
        connection.LastHeardMs = NowMs();
        _statistics.PacketsReceived++;
        _statistics.BytesReceived += bytes;
    }

    private void OnCoreFailure(Exception e, ClientConnection? connection)
    {
        // A failure inside the core is a bug; it must not take the server down. Close the
        // connection it concerns so that its client reconnects and resynchronises.
        _logger.LogError(e, "The core failed{Connection}", connection is null ? string.Empty : " on a request from " + connection.RemoteText);
        if (connection is not null)
        {
            _deferredCloses.Add((connection, "internal error", true));
        }
    }

    private void DrainDeferredCloses()
    {
        // Closes the core asked for, done once its call has returned (the host must not call the
        // core from inside an output); telling the core may ask for more.
        for (var i = 0; i < _deferredCloses.Count; i++)
        {
            var (connection, reason, abort) = _deferredCloses[i];
            if (abort)
            {
                connection.Abort(reason);
            }
            else
            {
                connection.CloseAfterFlush(reason);
            }

            CloseInCore(connection);
        }

        _deferredCloses.Clear();
    }

    private void CloseInCore(ClientConnection connection)
    {
        if (!connection.OpenInCore || connection.ClosedInCore)
        {
            return;
        }

        // The core hears of every connection it knew exactly once, however it ended.
        connection.ClosedInCore = true;
        ReleaseOutstanding(connection.Pending.Count);
        connection.Pending.Clear();
        var now = NowMs();
        try
        {
            _core!.ConnectionClosed(connection.Id, now);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "The core failed closing connection {Remote}", connection.RemoteText);
        }
    }

    private void ExpireSessionlessConnections(long nowMs)
    {
        // ZooKeeper closes a connection that has no session after nio.sessionlessCnxnTimeout
        // (NIOServerCnxnFactory's connection expiry): a socket that never says hello is dropped.
        foreach (var connection in _connections.Values)
        {
            if (connection.SessionId == 0 && !connection.IsFourLetterWord && !connection.IsClosing
                && nowMs - Math.Max(connection.LastHeardMs, connection.OpenedAtMs) > Options.SessionlessConnectionTimeoutMs)
            {
                _statistics.SessionlessConnectionsExpired++;
                TransportLogger.LogInformation("Closing connection {Remote}: no session after {Timeout} ms", connection.RemoteText, Options.SessionlessConnectionTimeoutMs);
                connection.Abort("no session established in time");
                CloseInCore(connection);
            }
        }
    }

    private void FlushDirty(bool sendNow)
    {
        // Peer messages first: a proposal, an ACK or a COMMIT gates a write on other members (and
        // the notifications they send), a reply only its own client. They are sent from the loop
        // whatever the batch's length: at most one send per peer (two in a three-member
        // ensemble) per batch, where a thread-pool wake per link and batch would delay every
        // write on its way through the quorum.
        _transport?.Flush(sendNow: true);
        foreach (var connection in _dirty)
        {
            connection.Flush(sendNow);
        }

        _dirty.Clear();
        _dirtyIds.Clear();
    }

    private bool TryGetConnection(long connectionId, out ClientConnection connection)
    {
        if (_connections.TryGetValue(connectionId, out connection!) && connection.OpenInCore && !connection.ClosedInCore)
        {
            return true;
        }

        TransportLogger.LogDebug("Output for connection {ConnectionId}, which is gone, is dropped", connectionId);
        return false;
    }

    private bool Write(ClientConnection connection, ConnectResponse? connect, in ReplyHeader header, in ReplyBody body)
    {
        _scratch.Clear();
        try
        {
            if (connect is not null)
            {
                var mark = _scratch.BeginFrame();
                connect.Write(_scratch);

                // The grant follows the readOnly byte, and only for a client that asked (docs/telemetry.md).
                if (connection.TraceContextAccepted && connect.ReadOnly is not null)
                {
                    TraceContextGranted.Write(_scratch);
                }

                _scratch.EndFrame(mark);
            }
            else
            {
                // The body is encoded straight from what the core made (ReplyBody): no reply record.
                body.WriteFrame(_scratch, header);
            }
        }
        catch (ProtocolException e)
        {
            // Only a core bug makes an unencodable record (an unpaired surrogate in a string).
            _logger.LogError(e, "Cannot encode a reply to {Remote}", connection.RemoteText);
            _deferredCloses.Add((connection, "internal error", true));
            return false;
        }

        var backlog = connection.Enqueue(_scratch.WrittenSpan);
        connection.Statistics.PacketsSent++;
        _statistics.PacketsSent++;
        if (_dirtyIds.Add(connection.Id))
        {
            _dirty.Add(connection);
        }

        if (backlog > Options.OutputBufferHardLimitBytes)
        {
            _statistics.ConnectionsDroppedForSlowReading++;
            TransportLogger.LogWarning(
                "Closing connection {Remote} (session 0x{SessionId:x}): {Backlog} bytes wait for a client that does not read, more than zkaspire.outputBufferHardLimit ({Limit})",
                connection.RemoteText,
                connection.SessionId,
                backlog,
                Options.OutputBufferHardLimitBytes);
            _deferredCloses.Add((connection, "the client does not read", true));
        }

        return true;
    }

    private void OnConnectResponse(long connectionId, ConnectResponse response)
    {
        if (!TryGetConnection(connectionId, out var connection) || !Write(connection, response, default, default(ReplyBody)))
        {
            return;
        }

        var now = NowMs();
        connection.SessionId = response.SessionId;
        connection.SessionTimeoutMs = response.TimeOut;
        if (response.TimeOut > 0)
        {
            connection.EstablishedUnixMs = now;
        }

        var pending = new PendingRequest(0, (int)OpCode.CreateSession, connection.ConnectTimestamp, null);
        RecordReply(connection, pending, new ReplyHeader(0, _lastReplyZxid, response.TimeOut > 0 ? 0 : (int)KeeperErrorCode.SessionExpired), "connect");
    }

    private void OnSend(long connectionId, in ReplyHeader header, in ReplyBody body)
    {
        if (!TryGetConnection(connectionId, out var connection) || !Write(connection, null, header, body))
        {
            return;
        }

        if (header.Xid == -1)
        {
            return;
        }

        _lastReplyZxid = Math.Max(_lastReplyZxid, header.Zxid);
        if (TryTakePending(connection, header.Xid, out var pending))
        {
            ReleaseOutstanding(1);
            RecordReply(connection, pending, header, TelemetryOperation(pending.Type));
        }
    }

    private void OnClose(long connectionId, string reason)
    {
        if (TryGetConnection(connectionId, out var connection))
        {
            _deferredCloses.Add((connection, reason, false));
        }
    }

    private static bool TryTakePending(ClientConnection connection, int xid, out PendingRequest pending)
    {
        // Replies come in request order, except auth (xid −4), which ZooKeeper answers at once.
        var queue = connection.Pending;
        if (queue.TryPeek(out pending) && pending.Xid == xid)
        {
            queue.Dequeue();
            return true;
        }

        var found = false;
        var rest = new Queue<PendingRequest>(queue.Count);
        foreach (var entry in queue)
        {
            if (!found && entry.Xid == xid)
            {
                pending = entry;
                found = true;
                continue;
            }

            rest.Enqueue(entry);
        }

        if (found)
        {
            queue.Clear();
            foreach (var entry in rest)
            {
                queue.Enqueue(entry);
            }
        }

        return found;
    }

    private static string TelemetryOperation(int type) => ZooKeeperServerTelemetry.OperationName(type);

    private void RecordReply(ClientConnection connection, in PendingRequest pending, in ReplyHeader header, string operation)
    {
        var nowTimestamp = TimeProvider.GetTimestamp();
        var elapsed = TimeProvider.GetElapsedTime(pending.ReceivedTimestamp, nowTimestamp);
        var latencyMs = (long)elapsed.TotalMilliseconds;

        // ZooKeeper's FinalRequestProcessor counts every request but auth and sasl, which it
        // answers outside the pipeline.
        if (pending.Type is not ((int)OpCode.Auth or (int)OpCode.Sasl))
        {
            connection.Statistics.RecordResponse(pending.Xid, header.Zxid, PendingRequest.ShortName(pending.Type), latencyMs, MonotonicMs());
            _statistics.RecordLatency(latencyMs);
        }

        var errorType = header.Err == 0 ? null : ((KeeperErrorCode)header.Err).ToString();
        _metrics.RecordRequest(operation, elapsed.TotalSeconds, errorType);

        // A ping is the connection's keep-alive (one every third of the session timeout on every
        // connection), not a request anyone made: it is counted above but gets no span, which
        // would be a root trace of its own every few seconds per client.
        if (pending.Type == (int)OpCode.Ping || !ZooKeeperServerTelemetry.ActivitySource.HasListeners())
        {
            return;
        }

        // The client's span, when it sent one over the negotiated extension; an invalid
        // traceparent is ignored, as W3C Trace Context asks (the span then starts a trace).
        var parent = pending.Trace is { } trace && ActivityContext.TryParse(trace.TraceParent, trace.TraceState, isRemote: true, out var remote)
            ? remote
            : default;
        var end = TimeProvider.GetUtcNow();
        using var activity = ZooKeeperServerTelemetry.ActivitySource.StartActivity(
            ZooKeeperServerTelemetry.SpanNamePrefix + operation,
            ActivityKind.Server,
            parentContext: parent,
            tags: null,
            links: null,
            startTime: end - elapsed);
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag(ZooKeeperServerTelemetry.OperationAttribute, operation);
        if (pending.Path() is { } path)
        {
            activity.SetTag(ZooKeeperServerTelemetry.PathAttribute, path);
        }

        activity.SetTag(ZooKeeperServerTelemetry.SessionIdAttribute, "0x" + Commands.JavaText.Hex(connection.SessionId));
        activity.SetTag(ZooKeeperServerTelemetry.XidAttribute, pending.Xid);
        activity.SetTag(ZooKeeperServerTelemetry.ZxidAttribute, header.Zxid);
        activity.SetTag(ZooKeeperServerTelemetry.ErrorCodeAttribute, header.Err);
        activity.SetTag(ZooKeeperServerTelemetry.ClientAddressAttribute, connection.RemoteAddress.ToString());
        activity.SetTag(ZooKeeperServerTelemetry.ClientPortAttribute, connection.Remote.Port);
        if (errorType is not null)
        {
            activity.SetTag(ZooKeeperServerTelemetry.ErrorTypeAttribute, errorType);

            // As HTTP servers mark only 5xx: ZooKeeper's API errors (−100 and below: NoNode,
            // BadVersion, ...) are answers, the system errors above −100 are failures.
            if (header.Err is < 0 and > -100)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        activity.SetEndTime(end.UtcDateTime);
    }

    /// <summary>Where a member's peer messages go: called on the loop, from inside the replica's methods.</summary>
    /// <param name="server">The server.</param>
    private sealed class PeerOutput(ZooKeeperServer server) : Core.IPeerOutput
    {
        /// <inheritdoc/>
        public void Send(long to, Consensus.PeerMessage message)
        {
            if (server._transport is { } transport)
            {
                transport.Send(to, message);
            }
            else if (message is Consensus.Notification)
            {
                server._earlyNotifications[to] = message;
            }
        }
    }

    /// <summary>Where the core's outputs land: called on the loop, from inside the core's methods.</summary>
    /// <param name="server">The server.</param>
    private sealed class CoreOutput(ZooKeeperServer server) : Core.IReplicaOutput
    {
        /// <inheritdoc/>
        public void SendConnectResponse(long connectionId, ConnectResponse response) => server.OnConnectResponse(connectionId, response);

        /// <inheritdoc/>
        public void Send(long connectionId, ReplyHeader header, IJuteRecord? body) => server.OnSend(connectionId, header, ReplyBody.FromRecord(body));

        /// <inheritdoc/>
        public void Send(long connectionId, ReplyHeader header, in ReplyBody body) => server.OnSend(connectionId, header, body);

        /// <inheritdoc/>
        public void Close(long connectionId, string reason) => server.OnClose(connectionId, reason);
    }
}
