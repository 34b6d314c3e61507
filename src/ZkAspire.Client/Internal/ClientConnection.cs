// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ZkAspire.Protocol;

namespace ZkAspire.Client.Internal;

/// <summary>Where the connection machinery stands.</summary>
internal enum ConnectionPhase
{
    /// <summary>Not started.</summary>
    NotStarted,

    /// <summary>Looking for a server (or between attempts).</summary>
    Connecting,

    /// <summary>Connected to a read-write server.</summary>
    Connected,

    /// <summary>Connected to a read-only server.</summary>
    ConnectedReadOnly,

    /// <summary>Closing the session.</summary>
    Closing,

    /// <summary>Closed; nothing more is sent.</summary>
    Closed,

    /// <summary>A server rejected our credentials; like the Java client, the client stops.</summary>
    AuthFailed,
}

/// <summary>
/// The connection machinery of one client (the Java client's <c>ClientCnxn</c>, with tasks and
/// channels instead of threads): finds a server, establishes or resumes the session, writes
/// queued requests in batches, matches replies FIFO, pings, notices dead connections, reconnects
/// to another server keeping the session, re-sends credentials and watches, and detects expiry.
/// </summary>
/// <remarks>
/// One loop (<see cref="RunAsync"/>) owns the connection attempts. Each established connection
/// runs a reader, a writer and a watchdog; the first of them to end ends the connection. Watch
/// events and state changes go to the <see cref="EventDispatcher"/>, never to user code directly.
/// </remarks>
internal sealed partial class ClientConnection
{
    /// <summary>Batches are flushed when they reach this size (one socket write per batch).</summary>
    private const int MaxBatchBytes = 64 * 1024;

    /// <summary>The Java client's limit of path characters per setWatches message (SET_WATCHES_MAX_LENGTH).</summary>
    private const int SetWatchesMaxLength = 128 * 1024;

    /// <summary>The Java client pings at least this often (MAX_SEND_PING_INTERVAL).</summary>
    private static readonly TimeSpan MaxPingInterval = TimeSpan.FromSeconds(10);

    /// <summary>The extension block a client that propagates trace context appends to its ConnectRequest.</summary>
    private static readonly ConnectExtension TraceContextOffer = new(TraceContextExtension.TraceContextFeature);

    private readonly ZooKeeperClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HostProvider _hosts;
    private readonly PathMapper _paths;
    private readonly WatchManager _watches;
    private readonly EventDispatcher _dispatcher;
    private readonly Action<ConnectionStateChange> _stateHandler;
    private readonly Random _random = new();
    private readonly ReconnectBackoff _backoff;
    private readonly int _maxFieldLength;

    private readonly Channel<Packet> _outgoing = Channel.CreateUnbounded<Packet>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

    private readonly object _lock = new();
    private readonly Queue<Packet> _pending = new();
    private readonly Queue<Packet> _authPending = new();
    private readonly List<AuthInfo> _authInfo;
    private readonly CancellationTokenSource _stop = new();

    private volatile ConnectionPhase _phase;
    private TaskCompletionSource _connected = NewSignal();
    private Task? _runTask;

    // Session state: written by the IO loop only.
    private long _sessionId;
    private byte[] _sessionPassword;
    private int _negotiatedTimeout;
    private long _lastZxid;
    private bool _seenRwServer;
    private bool _everConnected;
    private long _lastHeard;
    private long _disconnectedAt;
    private int _nextXid = 1;
    private DnsEndPoint? _server;
    private Exception? _lastError;
    private string? _failedAuthScheme;

    // Per connection: written by the writer, reader and watchdog.
    private long _lastSent;
    private long _lastReceived;

    public ClientConnection(
        ZooKeeperClientOptions options,
        ZooKeeperConnectionString connectionString,
        PathMapper paths,
        WatchManager watches,
        EventDispatcher dispatcher,
        ILogger logger,
        Action<ConnectionStateChange> stateHandler)
    {
        _options = options;
        _time = options.TimeProvider;
        _logger = logger;
        _paths = paths;
        _watches = watches;
        _dispatcher = dispatcher;
        _stateHandler = stateHandler;
        _hosts = new HostProvider(connectionString.Hosts, _random);
        _backoff = new ReconnectBackoff(_random);
        _maxFieldLength = JuteLimits.MaxFieldLength(options.MaxBufferBytes);
        _authInfo = [.. options.AuthInfo];
        _sessionId = options.SessionId;
        _sessionPassword = options.SessionPassword is { } password ? [.. password] : new byte[16];

        // A session handed in by the caller was made on a read-write server as far as we know.
        _seenRwServer = options.SessionId != 0;
    }

    /// <summary>Gets the current phase.</summary>
    public ConnectionPhase Phase => _phase;

    /// <summary>Gets whether requests can be sent now.</summary>
    public bool IsConnected => _phase is ConnectionPhase.Connected or ConnectionPhase.ConnectedReadOnly;

    /// <summary>Gets the session id (0 before the first connection and after expiry).</summary>
    public long SessionId => Volatile.Read(ref _sessionId);

    /// <summary>Gets a copy of the session password.</summary>
    public byte[] SessionPassword => (byte[])Volatile.Read(ref _sessionPassword).Clone();

    /// <summary>Gets the negotiated session timeout (zero before the first connection).</summary>
    public TimeSpan NegotiatedSessionTimeout => TimeSpan.FromMilliseconds(Volatile.Read(ref _negotiatedTimeout));

    /// <summary>Gets the largest zxid seen in a reply.</summary>
    public long LastZxid => Volatile.Read(ref _lastZxid);

    /// <summary>Gets the server of the current (or last) connection.</summary>
    public DnsEndPoint? Server => Volatile.Read(ref _server);

    /// <summary>Gets the error of the last failed connection attempt.</summary>
    public Exception? LastError => Volatile.Read(ref _lastError);

    /// <summary>Starts the connection loop (idempotent).</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_phase != ConnectionPhase.NotStarted)
            {
                return;
            }

            _phase = ConnectionPhase.Connecting;
            _runTask = Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>Queues a request. It is sent on the current connection, or on the next one.</summary>
    /// <param name="packet">The request.</param>
    public void Submit(Packet packet)
    {
        var phase = _phase;
        if (phase is ConnectionPhase.Closing or ConnectionPhase.Closed or ConnectionPhase.AuthFailed || !_outgoing.Writer.TryWrite(packet))
        {
            Fail(packet, ClosedException(packet.ClientPath, requestSent: false));
        }
    }

    /// <summary>Waits until the client is connected.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when connected, or faults when the client closed.</returns>
    public Task WaitForConnectedAsync(CancellationToken cancellationToken)
    {
        if (IsConnected)
        {
            return Task.CompletedTask;
        }

        Task signal;
        lock (_lock)
        {
            signal = _connected.Task;
        }

        return signal.WaitAsync(cancellationToken);
    }

    /// <summary>Keeps credentials to send on every reconnect (once each).</summary>
    /// <param name="authInfo">The credentials.</param>
    public void RegisterAuth(AuthInfo authInfo)
    {
        lock (_lock)
        {
            if (!_authInfo.Contains(authInfo))
            {
                _authInfo.Add(authInfo);
            }
        }
    }

    /// <summary>Serializes an auth packet (xid −4).</summary>
    /// <param name="authInfo">The credentials.</param>
    /// <param name="onCompleted">An IO-loop callback for the reply, if any.</param>
    /// <returns>The packet.</returns>
    public Packet CreateAuthPacket(AuthInfo authInfo, Action<Packet>? onCompleted = null)
    {
        var packet = Packet.Create(OpCode.Auth, new AuthPacket(0, authInfo.Scheme, authInfo.Auth), null, _options.MaxBufferBytes, PacketKind.Auth, watch: null, onCompleted);
        packet.AuthScheme = authInfo.Scheme;
        return packet;
    }

    /// <summary>Closes the session (closeSession) and stops the loop.</summary>
    /// <param name="timeout">How long to wait for the server to confirm.</param>
    /// <returns>A task that completes when everything has stopped.</returns>
    public async Task CloseAsync(TimeSpan timeout)
    {
        bool wasConnected;
        Task? run;
        lock (_lock)
        {
            if (_phase is ConnectionPhase.Closing or ConnectionPhase.Closed)
            {
                return;
            }

            wasConnected = IsConnected;
            _phase = ConnectionPhase.Closing;
            run = _runTask;
        }

        if (wasConnected && run is not null)
        {
            Log.Closing(_logger, SessionId);

            // closeSession goes behind the requests already queued, so they are answered first.
            var close = Packet.Create(OpCode.CloseSession, null, null, _options.MaxBufferBytes);
            if (_outgoing.Writer.TryWrite(close))
            {
                // The connection may have dropped after the check above, and its loss may have
                // failed the queue before closeSession joined it; the run loop then ends (it does
                // not reconnect while closing) and nothing would send or fail the packet. So the
                // wait ends with the run loop too, instead of lasting the whole timeout.
                var answered = close.WaitAsync(CancellationToken.None).AsTask();
                try
                {
                    await Task.WhenAny(answered, run).WaitAsync(timeout, _time).ConfigureAwait(false);
                    if (answered.IsCompleted)
                    {
                        await answered.ConfigureAwait(false);
                    }
                    else
                    {
                        // Failed below with the rest of the queue; nobody waits for it any more.
                        _ = answered.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    }
                }
                catch (Exception e) when (e is KeeperException or TimeoutException or ObjectDisposedException)
                {
                    // The session will expire on the server instead.
                }
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (run is not null)
        {
            await run.ConfigureAwait(false);
        }

        _outgoing.Writer.TryComplete();
        lock (_lock)
        {
            _phase = ConnectionPhase.Closed;
            _connected.TrySetException(new ObjectDisposedException(nameof(ZooKeeperClient)));
        }

        FailOutstanding(p => ClosedException(p.ClientPath, requestSent: p.WasSent));
        PostWatchEvent(KeeperState.Closed, clear: true);
        _stop.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Exception ClosedException(string? path, bool requestSent) => _phase switch
    {
        ConnectionPhase.AuthFailed => new AuthFailedException(path, $"Authentication with scheme '{_failedAuthScheme}' failed; the client is closed."),
        ConnectionPhase.Closing or ConnectionPhase.Closed => new ObjectDisposedException(nameof(ZooKeeperClient)),
        _ => new ConnectionLossException(path, requestSent),
    };

    /// <summary>The connection loop: one iteration per connection attempt.</summary>
    private async Task RunAsync(CancellationToken stop)
    {
        var attemptsSinceConnected = 0;
        while (!stop.IsCancellationRequested && _phase == ConnectionPhase.Connecting)
        {
            if (IsSessionExpiredLocally(out _))
            {
                OnSessionExpired("the session timeout elapsed without a server", local: true);
            }

            var server = _hosts.Next(out var cycled);
            try
            {
                // Reconnect at once after losing an established connection; between failed
                // attempts wait a random moment, short at first and growing with each failure up
                // to the Java client's waits (ReconnectBackoff: a failover is over in a few hundred
                // milliseconds, a server that is down for long is not hit by every client at once).
                if (attemptsSinceConnected > 0)
                {
                    var delay = _backoff.NextDelay(attemptsSinceConnected, cycled);
                    delay = Min(delay, LocalExpiryRemaining());
                    if (delay > TimeSpan.Zero)
                    {
                        await Task.Delay(delay, _time, stop).ConfigureAwait(false);
                    }

                    if (IsSessionExpiredLocally(out _))
                    {
                        continue;
                    }
                }

                attemptsSinceConnected++;
                Log.Connecting(_logger, server);
                var wire = await ConnectAsync(server, stop).ConfigureAwait(false);
                Instrumentation.RecordConnectionAttempt(server, wire is null ? nameof(KeeperErrorCode.SessionExpired) : null);
                if (wire is null)
                {
                    // The server said the session expired.
                    OnSessionExpired("the server reported it expired", local: false);
                    attemptsSinceConnected = 0;
                    continue;
                }

                attemptsSinceConnected = 0;
                await using (wire.ConfigureAwait(false))
                {
                    var priming = OnConnected(server, wire);
                    var reason = await RunConnectionAsync(wire, priming, stop).ConfigureAwait(false);
                    OnDisconnected(server, wire, reason);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // Any failure of an attempt means: try the next server.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Volatile.Write(ref _lastError, e);
                Log.ConnectFailed(_logger, server, e);
                Instrumentation.RecordConnectionAttempt(server, e.GetType().FullName);

                // Like the Java client's cleanup: what was queued for this attempt fails, so
                // callers (and their retry policies) are not left waiting on a dead server.
                FailOutstanding(p => new ConnectionLossException(p.ClientPath, p.WasSent, innerException: e));
            }
        }
    }

    /// <summary>Opens a socket and performs the handshake; <see langword="null"/> when the session expired.</summary>
    private async Task<Wire?> ConnectAsync(DnsEndPoint server, CancellationToken stop)
    {
        Volatile.Write(ref _server, server);

        // The Java client gives each server sessionTimeout / #servers, and never more than the
        // time left before the session would expire locally.
        var requested = _negotiatedTimeout > 0 ? TimeSpan.FromMilliseconds(_negotiatedTimeout) : _options.SessionTimeout;
        var timeout = Min(requested / _hosts.Count, LocalExpiryRemaining());
        if (timeout < TimeSpan.FromMilliseconds(1))
        {
            timeout = TimeSpan.FromMilliseconds(1);
        }

        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timer.Token);
        Wire? wire = null;
        try
        {
            wire = await Wire.ConnectAsync(server, linked.Token).ConfigureAwait(false);

            // The Java client sends session id 0 until it has been connected to a read-write
            // server: a session made by a read-only server is local to it (§4.3).
            var request = new ConnectRequest(
                ProtocolVersion: 0,
                LastZxidSeen: _lastZxid,
                TimeOut: (int)Math.Min(int.MaxValue, _options.SessionTimeout.TotalMilliseconds),
                SessionId: _seenRwServer ? _sessionId : 0,
                Passwd: _sessionPassword,
                ReadOnly: _options.CanBeReadOnly);
            // The trace-context offer rides after the readOnly byte, which Apache ZooKeeper reads
            // and then stops (ZooKeeperServer.processConnectRequest): docs/telemetry.md.
            await wire.WriteConnectRequestAsync(request, _options.PropagateTraceContext ? TraceContextOffer : null, linked.Token).ConfigureAwait(false);
            var (response, extension) = await wire.ReadConnectResponseAsync(_options.MaxBufferBytes, _maxFieldLength, linked.Token).ConfigureAwait(false);
            if (response.TimeOut <= 0)
            {
                // timeOut 0: the session is unknown or expired, or the password was wrong (§4.2).
                await wire.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            wire.IsNewSession = response.SessionId != _sessionId;
            Volatile.Write(ref _sessionId, response.SessionId);
            Volatile.Write(ref _sessionPassword, response.Passwd ?? new byte[16]);
            Volatile.Write(ref _negotiatedTimeout, response.TimeOut);
            wire.ReadOnly = response.ReadOnly == true;
            wire.TraceContext = _options.PropagateTraceContext && extension is { TraceContext: true };
            return wire;
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            if (wire is not null)
            {
                await wire.DisposeAsync().ConfigureAwait(false);
            }

            throw new TimeoutException(
                $"Client session timed out, have not heard from server in {timeout.TotalMilliseconds:F0}ms for session id 0x{_sessionId:x}");
        }
        catch
        {
            if (wire is not null)
            {
                await wire.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Records the new session state and builds the priming packets. The connection is announced
    /// (phase, listeners, waiting operations) at once, or — when credentials are configured —
    /// once the server has accepted them, so "connected" always means usable, and rejected
    /// credentials never look like a working connection.
    /// </summary>
    private List<Packet> OnConnected(DnsEndPoint server, Wire wire)
    {
        var now = _time.GetTimestamp();
        Volatile.Write(ref _lastHeard, now);
        Volatile.Write(ref _lastReceived, now);
        Volatile.Write(ref _lastSent, now);
        _disconnectedAt = 0;
        _seenRwServer |= !wire.ReadOnly;
        _hosts.OnConnected();
        Log.Connected(_logger, server, _sessionId, _negotiatedTimeout, wire.ReadOnly);

        // After the ConnectRequest: one auth packet per credential, then setWatches, then the
        // requests that were queued (§4.3). The priming packets go first; the queue follows.
        var priming = new List<Packet>();
        lock (_lock)
        {
            for (var i = 0; i < _authInfo.Count; i++)
            {
                var last = i == _authInfo.Count - 1;
                priming.Add(CreateAuthPacket(_authInfo[i], last ? p => OnPrimingAuthCompleted(p, wire) : null));
            }
        }

        if (priming.Count == 0)
        {
            Announce(wire);
        }

        priming.AddRange(CreateSetWatches());
        return priming;
    }

    private void OnPrimingAuthCompleted(Packet packet, Wire wire)
    {
        // Runs on the IO loop. Auth replies come back in order, so the last one answers for all.
        if (packet.Failure is null && packet.Error == KeeperErrorCode.Ok)
        {
            Announce(wire);
        }
    }

    /// <summary>Declares the connection usable: phase, waiting operations, watchers and listeners.</summary>
    private void Announce(Wire wire)
    {
        var readOnly = wire.ReadOnly;
        var state = readOnly ? ConnectionState.ReadOnly : _everConnected ? ConnectionState.Reconnected : ConnectionState.Connected;
        _everConnected = true;
        wire.Announced = true;
        lock (_lock)
        {
            if (_phase == ConnectionPhase.Connecting)
            {
                _phase = readOnly ? ConnectionPhase.ConnectedReadOnly : ConnectionPhase.Connected;
            }

            _connected.TrySetResult();
        }

        var keeperState = readOnly ? KeeperState.ConnectedReadOnly : KeeperState.SyncConnected;
        PostWatchEvent(keeperState, clear: false);
        PostState(new ConnectionStateChange(state, keeperState, _sessionId, wire.IsNewSession));
    }

    /// <summary>
    /// setWatches (101) or setWatches2 (105) batches re-declaring every watch, relative to the last
    /// zxid seen, so the server fires at once what changed while we were away (§15.6). Batched by
    /// about 128 KB of path characters, and setWatches2 only for batches that hold persistent
    /// watches, as the Java client does (so servers older than 3.6 keep working).
    /// </summary>
    private List<Packet> CreateSetWatches()
    {
        var packets = new List<Packet>();
        var snapshot = _watches.Snapshot();
        if (snapshot.IsEmpty)
        {
            return packets;
        }

        IReadOnlyList<string>[] lists = [snapshot.Data, snapshot.Exist, snapshot.Child, snapshot.Persistent, snapshot.PersistentRecursive];
        var list = 0;
        var index = 0;
        while (list < lists.Length)
        {
            var batch = new List<string>[] { [], [], [], [], [] };
            var length = 0;
            while (length < SetWatchesMaxLength && list < lists.Length)
            {
                if (index >= lists[list].Count)
                {
                    list++;
                    index = 0;
                    continue;
                }

                var path = lists[list][index++];
                batch[list].Add(path);
                length += path.Length;
            }

            if (length == 0 && batch.All(b => b.Count == 0))
            {
                break;
            }

            IJuteRecord record;
            OpCode opCode;
            if (batch[3].Count == 0 && batch[4].Count == 0)
            {
                record = new SetWatches(_lastZxid, batch[0], batch[1], batch[2]);
                opCode = OpCode.SetWatches;
            }
            else
            {
                record = new SetWatches2(_lastZxid, batch[0], batch[1], batch[2], batch[3], batch[4]);
                opCode = OpCode.SetWatches2;
            }

            // setWatches carries many paths: it may exceed the request limit on its own.
            var max = Math.Max(_options.MaxBufferBytes, SetWatchesMaxLength * 4);
            packets.Add(Packet.Create(opCode, record, null, max, PacketKind.Request, watch: null, onCompleted: OnSetWatchesCompleted));
        }

        return packets;
    }

    private void OnSetWatchesCompleted(Packet packet)
    {
        if (packet.Error != KeeperErrorCode.Ok)
        {
            Log.SetWatchesFailed(_logger, packet.OpCode.ToString(), KeeperException.GetCodeMessage(packet.Error));
        }
    }

    /// <summary>Runs reader, writer and watchdog until one of them ends; returns why.</summary>
    private async Task<Exception> RunConnectionAsync(Wire wire, List<Packet> priming, CancellationToken stop)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var loops = new List<Task>(4)
        {
            ReadLoopAsync(wire, connection.Token),
            WriteLoopAsync(wire, priming, connection.Token),
            WatchdogAsync(connection.Token),
        };
        if (wire.ReadOnly && _hosts.Count > 1)
        {
            loops.Add(FindReadWriteServerAsync(wire, connection.Token));
        }

        var first = await Task.WhenAny(loops).ConfigureAwait(false);
        await connection.CancelAsync().ConfigureAwait(false);

        // Close the socket to end the other loops' reads and writes; the reader itself is
        // completed by the caller once they have ended.
        wire.Abort();
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The loops' errors are the reason the connection ended, reported below.
        catch
#pragma warning restore CA1031
        {
        }

        return first.Exception?.InnerException
            ?? (stop.IsCancellationRequested
                ? new OperationCanceledException(stop)
                : new EndOfStreamException("The connection ended."));
    }

    private void OnDisconnected(DnsEndPoint server, Wire wire, Exception reason)
    {
        var now = _time.GetTimestamp();
        _disconnectedAt = now;
        Volatile.Write(ref _lastError, reason);
        lock (_lock)
        {
            if (_phase is ConnectionPhase.Connected or ConnectionPhase.ConnectedReadOnly)
            {
                _phase = ConnectionPhase.Connecting;
            }

            if (_connected.Task.IsCompleted && _phase == ConnectionPhase.Connecting)
            {
                _connected = NewSignal();
            }
        }

        if (_phase == ConnectionPhase.AuthFailed)
        {
            OnAuthFailed();
            return;
        }

        if (reason is ReadWriteServerFoundException found)
        {
            _hosts.PreferNext(found.Server);
        }

        FailOutstanding(p => new ConnectionLossException(p.ClientPath, p.WasSent, innerException: reason));
        if (_phase == ConnectionPhase.Connecting && wire.Announced)
        {
            Log.ConnectionLost(_logger, server, _sessionId, reason);
            PostWatchEvent(KeeperState.Disconnected, clear: false);
            PostState(new ConnectionStateChange(ConnectionState.Suspended, KeeperState.Disconnected, _sessionId, IsNewSession: false));
        }
    }

    private void OnAuthFailed()
    {
        Log.AuthFailed(_logger, _failedAuthScheme ?? "?");
        _stop.Cancel();
        _outgoing.Writer.TryComplete();
        lock (_lock)
        {
            _connected.TrySetException(new AuthFailedException(null, $"Authentication with scheme '{_failedAuthScheme}' failed; the client is closed."));
        }

        FailOutstanding(p => ClosedException(p.ClientPath, p.WasSent));
        PostWatchEvent(KeeperState.AuthFailed, clear: true);
        PostState(new ConnectionStateChange(ConnectionState.Lost, KeeperState.AuthFailed, _sessionId, IsNewSession: false));
    }

    /// <summary>
    /// Whether the session must be considered expired without a server saying so: Curator (3 and
    /// later) declares it lost when the negotiated timeout has elapsed since the connection was
    /// lost, and the 3.9 Java client when nothing was heard from any server for 4/3 of it.
    /// Whichever comes first.
    /// </summary>
    private bool IsSessionExpiredLocally(out TimeSpan remaining)
    {
        remaining = LocalExpiryRemaining();
        return remaining <= TimeSpan.Zero;
    }

    private TimeSpan LocalExpiryRemaining()
    {
        if (_sessionId == 0 || _disconnectedAt == 0 || _negotiatedTimeout <= 0)
        {
            return TimeSpan.MaxValue;
        }

        var timeout = TimeSpan.FromMilliseconds(_negotiatedTimeout);
        var now = _time.GetTimestamp();
        var sinceDisconnected = _time.GetElapsedTime(_disconnectedAt, now);
        var sinceHeard = _time.GetElapsedTime(Volatile.Read(ref _lastHeard), now);
        return Min(timeout - sinceDisconnected, (timeout * 4 / 3) - sinceHeard);
    }

    private void OnSessionExpired(string reason, bool local)
    {
        Log.SessionExpired(_logger, _sessionId, reason);

        // The watches of the session are gone (§15.6: not re-sent for a new session); the client
        // carries on with a new session, as Curator does. Like a new Java handle, the new session
        // starts from lastZxidSeen 0.
        Volatile.Write(ref _sessionId, 0);
        Volatile.Write(ref _sessionPassword, new byte[16]);
        Volatile.Write(ref _lastZxid, 0);
        _seenRwServer = false;
        _disconnectedAt = 0;
        FailOutstanding(p => new SessionExpiredException(p.ClientPath, local ? "The session expired: " + reason + "." : null));
        PostWatchEvent(KeeperState.Expired, clear: true);
        PostState(new ConnectionStateChange(ConnectionState.Lost, KeeperState.Expired, 0, IsNewSession: false));
    }

    /// <summary>Fails every pending and queued request.</summary>
    private void FailOutstanding(Func<Packet, Exception> failure)
    {
        List<Packet> pending;
        lock (_lock)
        {
            pending = [.. _pending, .. _authPending];
            _pending.Clear();
            _authPending.Clear();
        }

        foreach (var packet in pending)
        {
            Fail(packet, failure(packet));
        }

        while (_outgoing.Reader.TryRead(out var packet))
        {
            if (packet.Kind != PacketKind.Ping)
            {
                Fail(packet, failure(packet));
            }
        }
    }

    private void Fail(Packet packet, Exception failure)
    {
        packet.SetFailure(failure);
        Complete(packet);
    }

    /// <summary>
    /// Signals a packet's caller. Its continuation runs on the thread pool, never on the IO loop.
    /// Replies are not queued behind the watch events that preceded them on the wire: those events
    /// are already handed to the dispatcher, so handlers may await — or even block on — client
    /// operations without deadlocking the event loop (Curator TN1, CURATOR-172).
    /// </summary>
    private static void Complete(Packet packet) => packet.Complete();

    private void PostWatchEvent(KeeperState state, bool clear)
    {
        var watchers = _watches.MaterializeAll(clear);
        if (watchers.Count > 0)
        {
            _dispatcher.Post(new WatchEventDelivery(new WatchedEvent(EventType.None, state, null), watchers));
        }
    }

    private void PostState(ConnectionStateChange change)
    {
        Instrumentation.ConnectionStateChanges.Add(1, new KeyValuePair<string, object?>(ZooKeeperClientTelemetry.Attributes.ConnectionState, change.State.ToString()));
        _dispatcher.Post(new StateChangeDelivery(change, _stateHandler));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
