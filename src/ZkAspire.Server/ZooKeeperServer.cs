// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Server.Core;
using ZkAspire.Server.Diagnostics;
using ZkAspire.Server.Persistence;
using ZkAspire.Server.Transport;

namespace ZkAspire.Server;

/// <summary>
/// A standalone ZooKeeper server that can be embedded in any process (as Garnet's <c>GarnetServer</c>):
/// the client port, the four-letter words, and one event loop that feeds the pure core.
/// </summary>
/// <remarks>
/// <para>
/// Threads: one accept loop; per connection an async reader and writer (no thread each); one event
/// loop that owns the core, drains a channel of inputs in batches, and turns the core's outputs
/// into queued bytes. The loop never waits on a socket, so a slow client cannot delay others.
/// </para>
/// <para>
/// With a <see cref="ZooKeeperServerOptions.DataDir"/>, every txn is in the txn log (synced, with
/// forceSync) before its write is acknowledged, snapshots are taken in the background, and a
/// start recovers the data and sessions from the directory; see
/// <c>src/ZkAspire.Server.Storage/README.md</c>. Without one, the data lives in memory only.
/// </para>
/// <para>
/// The server can be stopped and started again on the same port (connections are not kept). With
/// a data directory a stop writes and closes the log and a start recovers from the directory, as
/// a new process would; in memory the data and sessions live on in the object.
/// </para>
/// </remarks>
public sealed partial class ZooKeeperServer : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ILogger _peerLogger;
    private readonly Func<ReplicaOptions, Core.IReplicaOutput, IServerCore>? _coreFactory;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly ConcurrentDictionary<long, ClientConnection> _connections = new();
    private readonly ConcurrentDictionary<long, Task> _connectionTasks = new();
    private readonly Dictionary<IPAddress, int> _connectionsPerAddress = [];
    private readonly ServerMetrics _metrics;
    private readonly object _capacityLock = new();
    private IServerCore? _core;
    private ServerPersistence? _persistence;
    private Replica? _member;
    private Quorum.PeerTransport? _transport;
    private readonly TaskCompletionSource<Exception> _fault = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _listener;
    private CancellationTokenSource? _acceptCancellation;
    private Task _acceptTask = Task.CompletedTask;
    private Task _loopTask = Task.CompletedTask;
    private LoopQueue? _inputs;
    private ITimer? _tickTimer;
    private TaskCompletionSource? _capacityWaiter;
    private long _nextConnectionId;
    private long _outstanding;
    private int _boundPort;
    private bool _running;
    private bool _disposed;

    /// <summary>Creates a server; <see cref="StartAsync"/> opens the client port.</summary>
    /// <param name="options">The settings (validated on start).</param>
    /// <param name="loggerFactory">Where to log; nowhere by default.</param>
    /// <param name="timeProvider">The clock; the system clock by default.</param>
    public ZooKeeperServer(ZooKeeperServerOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(options, loggerFactory, timeProvider, coreFactory: null)
    {
    }

    /// <summary>Creates a server around a core of the caller's choosing (tests script the core to test the transport).</summary>
    /// <param name="options">The settings.</param>
    /// <param name="loggerFactory">Where to log.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="coreFactory">Makes the core, kept in memory, on first start; <see langword="null"/> for the real replica (durable with a dataDir).</param>
    internal ZooKeeperServer(
        ZooKeeperServerOptions options,
        ILoggerFactory? loggerFactory,
        TimeProvider? timeProvider,
        Func<ReplicaOptions, Core.IReplicaOutput, IServerCore>? coreFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("ZkAspire.Server.ZooKeeperServer");
        TransportLogger = loggerFactory.CreateLogger("ZkAspire.Server.Transport");
        _peerLogger = loggerFactory.CreateLogger("ZkAspire.Server.Quorum");
        TimeProvider = timeProvider ?? TimeProvider.System;
        _coreFactory = coreFactory;
        _metrics = new ServerMetrics(() => Interlocked.Read(ref _outstanding), () => Volatile.Read(ref _statsSnapshot));
        _output = new CoreOutput(this);
    }

    /// <summary>Gets the settings.</summary>
    public ZooKeeperServerOptions Options { get; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the address the client port is bound to, once started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Gets the bound client port (the one the OS chose when <see cref="ZooKeeperServerOptions.ClientPort"/> is 0), once started.</summary>
    public int Port => EndPoint?.Port ?? 0;

    /// <summary>Gets whether the server is accepting connections.</summary>
    public bool IsRunning => Volatile.Read(ref _running);

    /// <summary>Gets whether this server is a member of a replicated ensemble (<see cref="ZooKeeperServerOptions.IsReplicated"/>).</summary>
    public bool IsReplicated => Options.IsReplicated;

    /// <summary>
    /// Gets the ports the peer links are bound to (zoo.cfg's quorum and election ports of this
    /// server's <c>server.N</c> line) while a member of an ensemble runs; (0, 0) otherwise.
    /// </summary>
    public (int QuorumPort, int ElectionPort) PeerPorts => _transport?.BoundPorts ?? default;

    /// <summary>
    /// Gets a task that completes, with the error, when the server stopped itself because it
    /// cannot go on: a member of an ensemble whose txn log or epoch file could not be written
    /// (ZooKeeper exits then). The host should exit non-zero; recovery brings the server back.
    /// </summary>
    public Task<Exception> Fault => _fault.Task;

    /// <summary>Gets or sets the file system a member's txn log uses (tests inject disk failures); the local one by default.</summary>
    internal Storage.IStorageFileSystem? StorageFileSystem { get; set; }

    /// <summary>Gets the number of peer links up (tests).</summary>
    internal int PeerLinkCount => _transport?.LinkCount ?? 0;

    /// <summary>Gets the logger of the transport.</summary>
    internal ILogger TransportLogger { get; }

    /// <summary>Gets whether the outstanding requests reached <see cref="ZooKeeperServerOptions.GlobalOutstandingLimit"/>.</summary>
    internal bool OutstandingOverLimit => Interlocked.Read(ref _outstanding) >= Options.GlobalOutstandingLimit;

    /// <summary>
    /// Opens the client port and starts serving. The core is made once the port is bound: with a
    /// data directory, recovered from it (with the session secret kept there); in memory, on the
    /// first start only, with a fresh random session secret. Session ids are seeded from the clock
    /// and the server id.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server accepts connections.</returns>
    /// <exception cref="Configuration.ZooKeeperConfigurationException">The options are invalid.</exception>
    /// <exception cref="SocketException">The client port cannot be bound (for example, it is in use).</exception>
    /// <exception cref="DataDirectoryException">The data directory cannot be created, read, written or locked.</exception>
    /// <exception cref="Storage.StorageCorruptionException">The data directory is damaged beyond a torn log tail: recovering would lose acknowledged data.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_running)
            {
                return;
            }

            Options.Validate();
            var address = await ResolveAddressAsync(Options.ClientPortAddress, cancellationToken).ConfigureAwait(false);

            // A restarted server keeps the port it had, so that connection strings stay valid.
            var port = Options.ClientPort != 0 ? Options.ClientPort : _boundPort;
            var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            LoopQueue? inputs = null;
            try
            {
                if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.Equals(IPAddress.IPv6Any))
                {
                    listener.DualMode = true;
                }

                listener.Bind(new IPEndPoint(address, port));
                listener.Listen(Options.ClientPortListenBacklog > 0 ? Options.ClientPortListenBacklog : (int)SocketOptionName.MaxConnections);

                // The port first, so that a port in use is reported before anything else happens.
                _core ??= CreateCore();
                if (_member is not null)
                {
                    // The loop's queue before the links: a peer's first notification (or the
                    // close of a link replaced at once) can arrive as soon as the transport
                    // starts, and an input posted before the queue existed was lost.
                    inputs = new LoopQueue();
                    _inputs = inputs;
                    await StartPeerTransportAsync().ConfigureAwait(false);
                }
            }
            catch
            {
                listener.Dispose();
                if (inputs is not null)
                {
                    inputs.Complete();
                    _inputs = null;
                }

                throw;
            }

            _listener = listener;
            EndPoint = (IPEndPoint)listener.LocalEndPoint!;
            _boundPort = EndPoint.Port;
            _metrics.SetServerPort(_boundPort);
            _startedAt = TimeProvider.GetTimestamp();

            // No connection survives a stop, so neither does a request counted as outstanding.
            Interlocked.Exchange(ref _outstanding, 0);

            _inputs = inputs ?? new LoopQueue();
            _loopTask = RunLoopThreadAsync(_inputs);
            // A member of an ensemble ticks often: consensus measures its timeouts (finalizeWait,
            // notification resends, pings every half tick) in milliseconds.
            var tickPeriod = TimeSpan.FromMilliseconds(_member is not null ? 10 : Math.Clamp(Options.TickTimeMs / 2, 10, 1000));
            _tickTimer = TimeProvider.CreateTimer(_ => Post(new LoopInput(LoopInputKind.Tick, null, default, null, 0)), null, tickPeriod, tickPeriod);
            _acceptCancellation = new CancellationTokenSource();
            var acceptToken = _acceptCancellation.Token;
            _acceptTask = Task.Run(() => AcceptAsync(listener, acceptToken), CancellationToken.None);
            _running = true;
            _logger.LogInformation(
                "ZooKeeper server {Version} serving clients on {Address}:{Port} (mode {Mode}, tickTime {TickTime} ms, dataDir {DataDir}, zxid 0x{Zxid:x})",
                ServerVersion.FullVersion,
                EndPoint.Address,
                EndPoint.Port,
                _member is null ? "standalone" : string.Create(CultureInfo.InvariantCulture, $"server.{Options.ServerId} of an ensemble of {Options.Servers.Count}, peer ports {PeerPorts.QuorumPort} and {PeerPorts.ElectionPort}, looking"),
                Options.TickTimeMs,
                Options.DataDir ?? "none: data is kept in memory",
                _core.LastProcessedZxid);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops accepting, closes every connection, and drains the event loop. With a data directory
    /// the txn log is then written, synced and closed (a snapshot being produced is abandoned), and
    /// a later <see cref="StartAsync"/> recovers from the directory; in memory the data and sessions
    /// stay in the object for it.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for connections to close (they are closed anyway).</param>
    /// <returns>A task that completes when the server is stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (!_running)
            {
                return;
            }

            _running = false;
            _logger.LogInformation("ZooKeeper server on port {Port} stopping", _boundPort);
            await _acceptCancellation!.CancelAsync().ConfigureAwait(false);
            _listener!.Dispose();
            await _acceptTask.ConfigureAwait(false);
            _acceptCancellation.Dispose();

            foreach (var connection in _connections.Values)
            {
                connection.Abort("the server is stopping");
            }

            try
            {
                await Task.WhenAll(_connectionTasks.Values).WaitAsync(TimeSpan.FromSeconds(10), TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                _logger.LogWarning("{Count} connections did not close in time", _connectionTasks.Count);
            }

            if (_tickTimer is not null)
            {
                await _tickTimer.DisposeAsync().ConfigureAwait(false);
            }

            if (_transport is { } transport)
            {
                // No peer input after this; what is queued in the loop is still handled.
                _transport = null;
                await transport.DisposeAsync().ConfigureAwait(false);
            }

            // The readers told the loop their connections closed; now let it finish and end.
            _inputs!.Complete();
            await _loopTask.ConfigureAwait(false);
            ReleaseCapacityWaiters();
            if (_persistence is { } persistence)
            {
                // Nothing appends any more: write what the log holds, close it, and drop the core,
                // so that the next start recovers from the directory as a new process would.
                _persistence = null;
                _core = null;
                _member = null;
                await persistence.CloseAsync().ConfigureAwait(false);
            }

            _logger.LogInformation("ZooKeeper server on port {Port} stopped", _boundPort);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops the server and releases its resources.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        _disposed = true;
        _metrics.Dispose();
    }

    /// <summary>Counts one more request handed to the loop (reader threads).</summary>
    internal void AddOutstanding() => Interlocked.Increment(ref _outstanding);

    /// <summary>Counts requests answered or dropped (loop).</summary>
    /// <param name="count">How many.</param>
    internal void ReleaseOutstanding(int count)
    {
        if (count == 0)
        {
            return;
        }

        if (Interlocked.Add(ref _outstanding, -count) < Options.GlobalOutstandingLimit && Volatile.Read(ref _capacityWaiter) is not null)
        {
            ReleaseCapacityWaiters();
        }
    }

    /// <summary>Returns a task that completes when the server takes requests again (ZooKeeper's <c>globalOutstandingLimit</c> throttle).</summary>
    /// <returns>The task; completed when under the limit.</returns>
    internal Task WaitForCapacityAsync()
    {
        if (!OutstandingOverLimit)
        {
            return Task.CompletedTask;
        }

        lock (_capacityLock)
        {
            if (!OutstandingOverLimit)
            {
                return Task.CompletedTask;
            }

            _capacityWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _capacityWaiter.Task;
        }
    }

    /// <summary>Logs and counts a connection closed for bytes that break the protocol (reader threads).</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="reason">What was wrong.</param>
    internal void OnBadInput(ClientConnection connection, string reason)
    {
        Interlocked.Increment(ref _droppedForBadInput);
        TransportLogger.LogWarning("Closing connection from {Remote}: {Reason}", connection.RemoteText, reason);
    }

    private void ReleaseCapacityWaiters()
    {
        TaskCompletionSource? waiter;
        lock (_capacityLock)
        {
            waiter = _capacityWaiter;
            _capacityWaiter = null;
        }

        waiter?.TrySetResult();
    }

    private IServerCore CreateCore()
    {
        var replicaOptions = CreateReplicaOptions();
        if (_coreFactory is not null)
        {
            return _coreFactory(replicaOptions, _output);
        }

        if (Options.IsReplicated)
        {
            return CreateQuorumCore(replicaOptions);
        }

        if (Options.DataDir is null)
        {
            // ZooKeeper will not start without a dataDir ("dataDir is not set"); we run in memory
            // so that a developer's server and test servers need no directory, and say so loudly.
            _logger.LogWarning("No dataDir is set: the data and sessions are kept in memory and are lost when the process ends. Set dataDir to keep them");
            return new ReplicaServerCore(new Replica(replicaOptions, _output));
        }

        var persistence = new ServerPersistence(Options, _logger, Post, TimeProvider) { FileSystem = StorageFileSystem };
        var replica = persistence.Open(replicaOptions, _output, NowMs());
        _persistence = persistence;
        return new ReplicaServerCore(replica);
    }

    private IServerCore CreateQuorumCore(ReplicaOptions replicaOptions)
    {
        var members = Options.GetEnsemble();
        var quorum = new Consensus.QuorumPeerOptions
        {
            MyId = Options.ServerId,
            Servers = members.Select(m => new Consensus.QuorumServer(m.Id, m.Type)).ToList(),
            TickTimeMs = Options.TickTimeMs,
            InitLimit = Options.InitLimit,
            SyncLimit = Options.SyncLimit,
            MaxRetainedTxns = Options.CommitLogCount,
        };

        // /zookeeper/config as ZooKeeper writes it (reconfig is disabled: version 0).
        replicaOptions.EnsembleConfig = string.Join('\n', members.Select(m => m.ToConfigLine())) + "\nversion=0";

        // Every server must derive the same session passwords, or a client could not resume its
        // session on another server. Without a configured secret the ensemble's own server lines
        // are the key: as guessable as ZooKeeper's (a password is Java's Random seeded with the
        // session id), never weaker. See src/ZkAspire.Server/README.md, "Ensemble".
        replicaOptions.SessionSecret = Options.QuorumSecret is { } secret
            ? HMACSHA256.HashData(secret, "zkaspire-session-passwords"u8)
            : HMACSHA256.HashData("zkaspire-ensemble-session-secret"u8, System.Text.Encoding.UTF8.GetBytes(replicaOptions.EnsembleConfig));
        var persistence = new ServerPersistence(Options, _logger, Post, TimeProvider) { FileSystem = StorageFileSystem };
        var replica = persistence.OpenQuorumMember(replicaOptions, quorum, _output, new PeerOutput(this), NowMs());
        _persistence = persistence;
        _member = replica;
        return new ReplicaServerCore(replica);
    }

    private async Task StartPeerTransportAsync()
    {
        var transport = new Quorum.PeerTransport(
            Options.ServerId,
            Options.GetEnsemble(),
            Options,
            _peerLogger,
            TimeProvider,
            (link, message) => Post(new LoopInput(LoopInputKind.PeerMessage, null, default, message, 0, link.PeerId, link)),
            link => Post(new LoopInput(LoopInputKind.PeerClosed, null, default, null, 0, link.PeerId, link)));
        foreach (var (to, notification) in _earlyNotifications)
        {
            transport.Send(to, notification);
        }

        _earlyNotifications.Clear();
        try
        {
            try
            {
                transport.Start();
            }
            catch (SocketException e)
            {
                var (quorumPort, electionPort) = Options.GetEnsemble().Single(m => m.Id == Options.ServerId) is var me ? (me.QuorumPort, me.ElectionPort) : default;
                throw new IOException(string.Create(CultureInfo.InvariantCulture, $"cannot listen on the quorum port {quorumPort} or the election port {electionPort} of server.{Options.ServerId}: {e.Message}"), e);
            }
        }
        catch
        {
            // The peer ports are in use: give the data directory back, as a failed start must.
            var persistence = _persistence;
            _persistence = null;
            _core = null;
            _member = null;
            if (persistence is not null)
            {
                await persistence.CloseAsync().ConfigureAwait(false);
            }

            throw;
        }

        _transport = transport;
    }

    private ReplicaOptions CreateReplicaOptions()
    {
        // ZooKeeper's SessionTrackerImpl.initializeNextSessionId: the clock in the middle bits,
        // the server id in the top byte, so ids differ across restarts and across servers.
        var nowMs = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var seed = (long)((ulong)(nowMs << 24) >> 8) | (Options.ServerId << 56);
        if (seed == unchecked((long)0x8000_0000_0000_0000))
        {
            // The container marker (ephemeralOwner of containers) is never a session id.
            seed++;
        }

        return new ReplicaOptions
        {
            TickTimeMs = Options.TickTimeMs,
            MinSessionTimeoutMs = Options.MinSessionTimeoutMs,
            MaxSessionTimeoutMs = Options.MaxSessionTimeoutMs,
            ServerId = Options.ServerId,
            ExtendedTypesEnabled = Options.ExtendedTypesEnabled,
            SuperDigest = Options.SuperDigest,
            MaxBufferBytes = Options.JuteMaxBuffer,
            ContainerCheckIntervalMs = Options.ContainerCheckIntervalMs,
            SessionIdSeed = seed,

            // Session passwords are a keyed hash of the session id under this secret (§4.5 of
            // the protocol notes: never Java's public-seed Random). With a data directory the
            // secret kept there replaces this one, so that sessions survive a restart.
            SessionSecret = RandomNumberGenerator.GetBytes(32),
        };
    }

    private static async Task<IPAddress> ResolveAddressAsync(string address, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(address, out var ip))
        {
            return ip;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(address, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new Configuration.ZooKeeperConfigurationException("clientPortAddress", address, "the host name does not resolve: " + e.Message);
        }

        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new Configuration.ZooKeeperConfigurationException("clientPortAddress", address, "the host name has no address");
    }

    private async Task AcceptAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                // Out of file descriptors and the like: log, and keep accepting (as ZooKeeper's
                // AcceptThread does) after a short pause so the loop does not spin.
                _logger.LogWarning(e, "Accepting a connection failed");
                await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (!Admit(socket))
            {
                continue;
            }

            socket.NoDelay = true;
            var id = Interlocked.Increment(ref _nextConnectionId);
            var connection = new ClientConnection(this, id, socket, TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            _connections[id] = connection;
            _metrics.ConnectionChanged(1);
            var task = RunConnectionAsync(connection);
            _connectionTasks[id] = task;
            if (task.IsCompleted)
            {
                _connectionTasks.TryRemove(id, out _);
            }
        }
    }

    private bool Admit(Socket socket)
    {
        var remote = (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        string? refusal = null;
        lock (_connectionsPerAddress)
        {
            _connectionsPerAddress.TryGetValue(remote, out var count);
            if (Options.MaxCnxns > 0 && _connections.Count >= Options.MaxCnxns)
            {
                refusal = string.Create(CultureInfo.InvariantCulture, $"Too many connections - max is {Options.MaxCnxns}");
            }
            else if (Options.MaxClientCnxns > 0 && count >= Options.MaxClientCnxns)
            {
                // NIOServerCnxnFactory: "Too many connections from {} - max is {}".
                refusal = string.Create(CultureInfo.InvariantCulture, $"Too many connections from /{remote} - max is {Options.MaxClientCnxns}");
            }
            else
            {
                _connectionsPerAddress[remote] = count + 1;
            }
        }

        if (refusal is null)
        {
            return true;
        }

        Interlocked.Increment(ref _connectionsRejected);
        _logger.LogWarning("{Refusal}", refusal);
        socket.Dispose();
        return false;
    }

    private async Task RunConnectionAsync(ClientConnection connection)
    {
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            TransportLogger.LogError(e, "Connection {Remote} failed", connection.RemoteText);
            connection.Abort("internal error");
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
            _connectionTasks.TryRemove(connection.Id, out _);
            lock (_connectionsPerAddress)
            {
                if (_connectionsPerAddress.TryGetValue(connection.RemoteAddress, out var count))
                {
                    if (count <= 1)
                    {
                        _connectionsPerAddress.Remove(connection.RemoteAddress);
                    }
                    else
                    {
                        _connectionsPerAddress[connection.RemoteAddress] = count - 1;
                    }
                }
            }

            _metrics.ConnectionChanged(-1);
        }
    }
}
