// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using ZkAspire.Client.Internal;
using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>How every request is sent: readiness, retries, telemetry and errors.</summary>
public sealed partial class ZooKeeperClient
{
    private readonly object _namespaceLock = new();

    // 0: the namespace nodes have not been created; 1: their creates are queued; 2: they exist.
    private int _namespaceState;

    /// <summary>Sends a request under the retry policy.</summary>
    /// <typeparam name="TState">What the callbacks need (a value tuple, so static lambdas allocate nothing).</typeparam>
    /// <typeparam name="TResult">The operation's result.</typeparam>
    /// <param name="operation">The operation's name for telemetry (ZooKeeper's opcode name).</param>
    /// <param name="clientPath">The client path, for telemetry and errors.</param>
    /// <param name="idempotent">Whether a request whose outcome is unknown may be sent again.</param>
    /// <param name="state">The callbacks' state.</param>
    /// <param name="createPacket">Serializes one attempt's request.</param>
    /// <param name="onReply">Maps the reply to the result, or throws its error.</param>
    /// <param name="cancellationToken">Stops waiting and retrying.</param>
    /// <returns>The result.</returns>
    private async Task<TResult> ExecuteAsync<TState, TResult>(
        string operation,
        string? clientPath,
        bool idempotent,
        TState state,
        Func<ZooKeeperClient, TState, Packet> createPacket,
        Func<ZooKeeperClient, TState, Packet, IJuteRecord?, TResult> onReply,
        CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var started = _time.GetTimestamp();
        var retryCount = 0;
        while (true)
        {
            try
            {
                return await SendAsync(operation, clientPath, state, createPacket, onReply, cancellationToken).ConfigureAwait(false);
            }
            catch (KeeperException e)
            {
                if (!CanRetry(e, idempotent, retryCount, started, out var delay))
                {
                    throw;
                }

                retryCount++;
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Whether the retry policy allows another attempt after a failure.</summary>
    internal bool CanRetry(KeeperException failure, bool idempotent, int retryCount, long started, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        return !IsDisposed
            && RetryLoop.IsRetryable(failure, idempotent)
            && _options.RetryPolicy.AllowRetry(retryCount, _time.GetElapsedTime(started), out delay);
    }

    /// <summary>Sends one request, once: waits for a connection, submits, awaits the reply.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TResult> SendAsync<TState, TResult>(
        string operation,
        string? clientPath,
        TState state,
        Func<ZooKeeperClient, TState, Packet> createPacket,
        Func<ZooKeeperClient, TState, Packet, IJuteRecord?, TResult> onReply,
        CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        var started = Stopwatch.GetTimestamp();
        using var activity = StartActivity(operation, clientPath);
        Packet? packet = null;
        try
        {
            // When connected this completes synchronously, so requests issued one after another
            // are queued, and sent, in the order they were issued.
            var ready = EnsureReadyAsync(cancellationToken);
            if (!ready.IsCompletedSuccessfully)
            {
                await ready.ConfigureAwait(false);
            }

            packet = createPacket(this, state);
            if (_options.PropagateTraceContext)
            {
                // The request's span, or the caller's when ours is not sampled, so the server's
                // span still joins the caller's trace; sent only where the server agreed.
                packet.TraceContext = TakeTraceContext(activity ?? Activity.Current);
            }

            IJuteRecord? body;
            Instrumentation.PendingRequests.Add(1);
            try
            {
                // Register the cancellation before the IO loop can complete the packet, so the
                // completion always unregisters it (a long-lived token must not collect them).
                var reply = packet.WaitAsync(cancellationToken);
                _connection.Submit(packet);
                body = await reply.ConfigureAwait(false);
            }
            finally
            {
                Instrumentation.PendingRequests.Add(-1);
            }

            var result = onReply(this, state, packet, body);
            Record(activity, operation, packet, null, started);
            return result;
        }
        catch (Exception e)
        {
            Record(activity, operation, packet, e, started);
            throw;
        }
    }

    /// <summary>Waits for a connection if there is none, and queues the namespace creates before the first request.</summary>
    private ValueTask EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_connection.Phase == ConnectionPhase.NotStarted)
        {
            _connection.Start();
        }

        if (_connection.IsConnected)
        {
            EnsureNamespace();
            return default;
        }

        return new ValueTask(WaitForConnectionAsync(cancellationToken));
    }

    private async Task WaitForConnectionAsync(CancellationToken cancellationToken)
    {
        // Curator blocks an operation until connected, up to the connection timeout, and then
        // fails it with ConnectionLoss; the retry policy decides whether to wait again.
        try
        {
            await _connection.WaitForConnectedAsync(cancellationToken).WaitAsync(_options.ConnectionTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw NotConnected();
        }

        EnsureNamespace();
    }

    private ConnectionLossException NotConnected() => new(
        null,
        requestSent: false,
        $"KeeperErrorCode = ConnectionLoss: not connected to any of {_connectionString} within {_options.ConnectionTimeout.TotalMilliseconds:F0} ms"
        + (_connection.LastError is { } error ? " (last error: " + error.Message + ")" : string.Empty),
        _connection.LastError);

    /// <summary>
    /// Queues creates of the namespace nodes ahead of the first request, as containers like
    /// Curator's namespace: pipelined rather than awaited, so the order of the caller's requests is
    /// kept. Done once; again only if the creates were lost with the connection.
    /// </summary>
    private void EnsureNamespace()
    {
        if (Volatile.Read(ref _namespaceState) == 2 || _paths.NamespaceNodes.Count == 0)
        {
            return;
        }

        lock (_namespaceLock)
        {
            if (_namespaceState != 0)
            {
                return;
            }

            _namespaceState = 1;
            var nodes = _paths.NamespaceNodes;
            var remaining = nodes.Count;
            var lost = 0;
            foreach (var node in nodes)
            {
                var packet = Packet.Create(
                    OpCode.CreateContainer,
                    new CreateRequest(node, [], _options.DefaultAcl, (int)CreateMode.Container),
                    node,
                    _options.MaxBufferBytes,
                    PacketKind.Request,
                    watch: null,
                    onCompleted: p =>
                    {
                        // NodeExists is the usual answer; any answer but a lost connection means done.
                        if (p.Failure is not null)
                        {
                            Interlocked.Exchange(ref lost, 1);
                        }

                        if (Interlocked.Decrement(ref remaining) == 0)
                        {
                            Volatile.Write(ref _namespaceState, Volatile.Read(ref lost) != 0 ? 0 : 2);
                        }
                    });
                _connection.Submit(packet);
            }
        }
    }

    private Activity? StartActivity(string operation, string? clientPath)
    {
        var activity = Instrumentation.ActivitySource.StartActivity(operation, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ZooKeeperClientTelemetry.Attributes.DbSystemName, ZooKeeperClientTelemetry.DbSystem);
            activity.SetTag(ZooKeeperClientTelemetry.Attributes.DbOperationName, operation);
            if (clientPath is not null)
            {
                activity.SetTag(ZooKeeperClientTelemetry.Attributes.Path, clientPath);
            }

            if (_connection.Server is { } server)
            {
                activity.SetTag(ZooKeeperClientTelemetry.Attributes.ServerAddress, server.Host);
                activity.SetTag(ZooKeeperClientTelemetry.Attributes.ServerPort, server.Port);
            }
        }

        return activity;
    }

    private void Record(Activity? activity, string operation, Packet? packet, Exception? failure, long started)
    {
        var code = failure is KeeperException keeper ? keeper.Code : packet?.Error ?? KeeperErrorCode.Ok;
        string? errorType = failure switch
        {
            null => null,
            KeeperException => code.ToString(),
            _ => failure.GetType().FullName,
        };

        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ZooKeeperClientTelemetry.Attributes.SessionId, "0x" + SessionId.ToString("x", CultureInfo.InvariantCulture));
            if (packet is not null && packet.WasSent)
            {
                activity.SetTag(ZooKeeperClientTelemetry.Attributes.Xid, packet.Xid);
                if (packet.Reply.Xid == packet.Xid && packet.Reply.Zxid > 0)
                {
                    activity.SetTag(ZooKeeperClientTelemetry.Attributes.Zxid, packet.Reply.Zxid);
                }
            }

            if (code != KeeperErrorCode.Ok)
            {
                activity.SetTag(ZooKeeperClientTelemetry.Attributes.DbResponseStatusCode, ((int)code).ToString(CultureInfo.InvariantCulture));
            }

            if (errorType is not null)
            {
                activity.SetTag(ZooKeeperClientTelemetry.Attributes.ErrorType, errorType);
                activity.SetStatus(ActivityStatusCode.Error, failure!.Message);

                // The OpenTelemetry "exception" event (type, message, stack trace).
                activity.AddException(failure);
            }
        }

        if (Instrumentation.OperationDuration.Enabled)
        {
            var tags = new TagList
            {
                { ZooKeeperClientTelemetry.Attributes.DbSystemName, ZooKeeperClientTelemetry.DbSystem },
                { ZooKeeperClientTelemetry.Attributes.DbOperationName, operation },
            };
            if (errorType is not null)
            {
                tags.Add(ZooKeeperClientTelemetry.Attributes.ErrorType, errorType);
            }

            // Recommended by the database-client conventions, and low in cardinality.
            if (_connection.Server is { } server)
            {
                tags.Add(ZooKeeperClientTelemetry.Attributes.ServerAddress, server.Host);
                tags.Add(ZooKeeperClientTelemetry.Attributes.ServerPort, server.Port);
            }

            Instrumentation.OperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    /// <summary>
    /// The W3C traceparent and tracestate of a span, or <see langword="null"/> when it has no W3C
    /// id. A tracestate that is not printable ASCII or is too long (W3C Trace Context §3.3) is left
    /// out rather than sent broken.
    /// </summary>
    internal static (string TraceParent, string? TraceState)? TakeTraceContext(Activity? activity)
    {
        if (activity is not { IdFormat: ActivityIdFormat.W3C, Id: { } traceParent } || traceParent.Length > TraceContextExtension.MaxTraceParentBytes)
        {
            return null;
        }

        var traceState = activity.TraceStateString;
        if (traceState is not null && (traceState.Length > TraceContextExtension.MaxTraceStateBytes || traceState.AsSpan().ContainsAnyExceptInRange(' ', '~')))
        {
            traceState = null;
        }

        return (traceParent, traceState);
    }

    /// <summary>Throws the reply's error as a typed exception.</summary>
    private static void ThrowIfError(Packet packet)
    {
        if (packet.Error != KeeperErrorCode.Ok)
        {
            throw KeeperException.Create(packet.Error, packet.ClientPath);
        }
    }

    /// <summary>Checks a client path as ZooKeeper does and maps it to the server path.</summary>
    private string ToServerPath(string path, bool isSequential = false, [CallerArgumentExpression(nameof(path))] string? parameterName = null)
    {
        ArgumentNullException.ThrowIfNull(path, parameterName);
        if (PathUtils.Validate(path, isSequential) is { } reason)
        {
            throw new ArgumentException(reason, parameterName);
        }

        return _paths.ToServer(path);
    }

    private Packet CreatePacket(OpCode opCode, IJuteRecord? body, string? clientPath, WatchRegistration? watch = null) =>
        Packet.Create(opCode, body, clientPath, _options.MaxBufferBytes, PacketKind.Request, watch, onCompleted: null);
}
