// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Client.Internal;
using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>
/// An asynchronous ZooKeeper client with Curator's semantics: one session, kept across reconnects
/// to any server of the connection string, with retries, a namespace, Curator's connection states,
/// and one-time and persistent watches.
/// </summary>
/// <remarks>
/// <para>
/// All members are thread-safe. Requests are pipelined: many may be in flight, they are sent in
/// the order they were issued (requests issued one after another from one thread reach the server
/// in that order) and answered in that order.
/// </para>
/// <para>
/// Watch callbacks and <see cref="ConnectionStateChanged"/> handlers run one at a time, in the order
/// the events happened, on a loop of their own; they may block without stalling the connection, but
/// they delay later events (Curator TN1). Task continuations never run on the connection's loop.
/// A watch event is handed to that loop before the reply that followed it on the wire completes
/// its task, but the two may then run concurrently: replies do not wait for handlers, so a handler
/// may await or even block on the client's operations without deadlocking.
/// </para>
/// <para>
/// The client starts connecting on <see cref="ConnectAsync(CancellationToken)"/> or its first
/// operation. When the session expires it reports <see cref="ConnectionState.Lost"/> and carries on
/// with a new session, as Curator does.
/// </para>
/// </remarks>
public sealed partial class ZooKeeperClient : IAsyncDisposable
{
    private readonly ZooKeeperClientOptions _options;
    private readonly ZooKeeperConnectionString _connectionString;
    private readonly PathMapper _paths;
    private readonly WatchManager _watches = new();
    private readonly EventDispatcher _dispatcher;
    private readonly ClientConnection _connection;
    private readonly GuaranteedDeleteManager _guaranteedDeletes;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly object _subscribersLock = new();
    private readonly List<ChannelWriter<ConnectionStateChange>> _stateSubscribers = [];
    private readonly TaskCompletionSource _firstConnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConnectionState? _connectionState;
    private int _disposed;

    /// <summary>Creates a client; it connects on <see cref="ConnectAsync(CancellationToken)"/> or its first operation.</summary>
    /// <param name="options">The settings; they are copied.</param>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public ZooKeeperClient(ZooKeeperClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = Validate(options);
        _connectionString = ZooKeeperConnectionString.Parse(_options.ConnectionString);
        _paths = new PathMapper(_connectionString.ChrootPath, _options.Namespace);
        _logger = _options.Logger ?? NullLogger.Instance;
        _time = _options.TimeProvider;
        _dispatcher = new EventDispatcher(_logger);
        _connection = new ClientConnection(_options, _connectionString, _paths, _watches, _dispatcher, _logger, OnConnectionStateChanged);
        _guaranteedDeletes = new GuaranteedDeleteManager(this, _logger);
    }

    /// <summary>Creates a client for a connection string with default settings.</summary>
    /// <param name="connectionString">The servers and optional chroot, e.g. <c>host1:2181,host2:2181/app</c>.</param>
    public ZooKeeperClient(string connectionString)
        : this(new ZooKeeperClientOptions { ConnectionString = connectionString })
    {
    }

    /// <summary>
    /// Occurs when the connection state changes, on the event loop (see the class remarks). A
    /// handler that throws is logged and does not stop the others.
    /// </summary>
    public event EventHandler<ConnectionStateChange>? ConnectionStateChanged;

    /// <summary>Gets the last connection state reported to listeners; <see langword="null"/> before the first connection.</summary>
    public ConnectionState? ConnectionState => _connectionState;

    /// <summary>Gets whether the client is connected to a server now.</summary>
    public bool IsConnected => _connection.IsConnected;

    /// <summary>
    /// Gets whether the client has been disposed: its session is closed and it connects no more.
    /// <see cref="ConnectionState"/> keeps the last state reported before that, so health checks
    /// read this.
    /// </summary>
    public bool IsClosed => IsDisposed;

    /// <summary>Gets the session id; 0 before the first connection and right after an expiry.</summary>
    public long SessionId => _connection.SessionId;

    /// <summary>Gets a copy of the session password.</summary>
    public byte[] SessionPassword => _connection.SessionPassword;

    /// <summary>Gets the session timeout the server granted; zero before the first connection.</summary>
    public TimeSpan SessionTimeout => _connection.NegotiatedSessionTimeout;

    /// <summary>Gets the largest zxid the client has seen in a reply.</summary>
    public long LastZxid => _connection.LastZxid;

    /// <summary>Gets the server of the current (or last) connection.</summary>
    public DnsEndPoint? Server => _connection.Server;

    /// <summary>Gets the parsed connection string.</summary>
    public ZooKeeperConnectionString ConnectionString => _connectionString;

    /// <summary>Gets the namespace as a path (<c>/app</c>), or <see langword="null"/>.</summary>
    public string? Namespace => _paths.Namespace;

    /// <summary>Creates a client and waits until it is connected.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="ConnectionLossException">No server accepted a session within <see cref="ZooKeeperClientOptions.ConnectionTimeout"/>.</exception>
    public static async Task<ZooKeeperClient> ConnectAsync(ZooKeeperClientOptions options, CancellationToken cancellationToken = default)
    {
        var client = new ZooKeeperClient(options);
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates a client with default settings and waits until it is connected.</summary>
    /// <param name="connectionString">The servers and optional chroot.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The connected client.</returns>
    public static Task<ZooKeeperClient> ConnectAsync(string connectionString, CancellationToken cancellationToken = default) =>
        ConnectAsync(new ZooKeeperClientOptions { ConnectionString = connectionString }, cancellationToken);

    /// <summary>
    /// Starts connecting, if not yet started, and waits until the first connection has been
    /// reported to the <see cref="ConnectionStateChanged"/> listeners.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the client keeps trying).</param>
    /// <returns>A task that completes when connected.</returns>
    /// <exception cref="ConnectionLossException">No server accepted a session within <see cref="ZooKeeperClientOptions.ConnectionTimeout"/>.</exception>
    /// <exception cref="AuthFailedException">A server rejected the credentials in <see cref="ZooKeeperClientOptions.AuthInfo"/>.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        _connection.Start();
        try
        {
            await _firstConnected.Task.WaitAsync(_options.ConnectionTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw NotConnected();
        }
    }

    /// <summary>Waits until the client is connected, or the timeout elapses.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if connected.</returns>
    public async Task<bool> WaitUntilConnectedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        _connection.Start();
        try
        {
            await _connection.WaitForConnectedAsync(cancellationToken).WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Streams the connection-state changes that happen from the first <c>MoveNextAsync</c> on,
    /// until the client is disposed or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="cancellationToken">Ends the stream (with <see cref="OperationCanceledException"/>).</param>
    /// <returns>The changes, in order.</returns>
    public async IAsyncEnumerable<ConnectionStateChange> WatchConnectionStateAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ConnectionStateChange>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        lock (_subscribersLock)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                yield break;
            }

            _stateSubscribers.Add(channel.Writer);
        }

        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return change;
            }
        }
        finally
        {
            lock (_subscribersLock)
            {
                _stateSubscribers.Remove(channel.Writer);
            }
        }
    }

    /// <summary>
    /// Closes the session (its ephemeral nodes are deleted by the server), stops the background
    /// guaranteed deletes, tells every watch <see cref="KeeperState.Closed"/> and ends the streams.
    /// Requests still waiting fail with <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <returns>A task that completes when everything has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // A watch or state handler may dispose the client (even blocking on it): then do not wait
        // for the event loop, which is running that handler.
        var fromHandler = _dispatcher.IsDispatching;
        await _guaranteedDeletes.StopAsync().ConfigureAwait(false);
        await _connection.CloseAsync(_options.ConnectionTimeout).ConfigureAwait(false);

        // Behind every event already queued: end the state streams.
        _dispatcher.Post(new CompleteSubscribers(this));
        _firstConnected.TrySetException(new ObjectDisposedException(nameof(ZooKeeperClient)));
        await _dispatcher.CompleteAsync(fromHandler).ConfigureAwait(false);
    }

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    internal TimeProvider Time => _time;

    internal ClientConnection Connection => _connection;

    internal GuaranteedDeleteManager GuaranteedDeletes => _guaranteedDeletes;

    private static ZooKeeperClientOptions Validate(ZooKeeperClientOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString, nameof(options.ConnectionString));
        if (options.SessionTimeout <= TimeSpan.Zero || options.SessionTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SessionTimeout, "SessionTimeout must be positive and at most Int32.MaxValue milliseconds.");
        }

        if (options.ConnectionTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ConnectionTimeout, "ConnectionTimeout must be positive.");
        }

        if (options.MaxBufferBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxBufferBytes, "MaxBufferBytes must be at least 1024.");
        }

        if (options.DefaultAcl is null || options.DefaultAcl.Count == 0)
        {
            throw new ArgumentException("DefaultAcl must hold at least one entry (ZooKeeper rejects an empty ACL with InvalidACL).", nameof(options));
        }

        if (options.SessionId != 0 && (options.SessionPassword is null || options.SessionPassword.Length == 0))
        {
            throw new ArgumentException("SessionPassword is required with SessionId.", nameof(options));
        }

        var copy = new ZooKeeperClientOptions
        {
            ConnectionString = options.ConnectionString,
            SessionTimeout = options.SessionTimeout,
            ConnectionTimeout = options.ConnectionTimeout,
            RetryPolicy = options.RetryPolicy ?? throw new ArgumentException("RetryPolicy is required.", nameof(options)),
            Namespace = options.Namespace,
            CanBeReadOnly = options.CanBeReadOnly,
            PropagateTraceContext = options.PropagateTraceContext,
            DefaultData = options.DefaultData is null ? null : [.. options.DefaultData],
            DefaultAcl = [.. options.DefaultAcl],
            TimeProvider = options.TimeProvider ?? throw new ArgumentException("TimeProvider is required.", nameof(options)),
            MaxBufferBytes = options.MaxBufferBytes,
            SessionId = options.SessionId,
            SessionPassword = options.SessionPassword is null ? null : [.. options.SessionPassword],
            Logger = options.Logger,
        };
        foreach (var auth in options.AuthInfo)
        {
            ArgumentNullException.ThrowIfNull(auth, nameof(options.AuthInfo));
            copy.AuthInfo.Add(auth);
        }

        return copy;
    }

    /// <summary>Tells the listeners of a state change; runs on the event loop.</summary>
    private void OnConnectionStateChanged(ConnectionStateChange change)
    {
        _connectionState = change.State;
        if (change.IsConnected)
        {
            _firstConnected.TrySetResult();
        }
        else if (change.KeeperState == KeeperState.AuthFailed)
        {
            _firstConnected.TrySetException(new AuthFailedException(null, "Authentication failed; the client is closed."));
        }

        if (ConnectionStateChanged is { } handlers)
        {
            foreach (var handler in handlers.GetInvocationList())
            {
                try
                {
                    ((EventHandler<ConnectionStateChange>)handler)(this, change);
                }
#pragma warning disable CA1031 // One failing listener must not stop the others.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    Log.HandlerFailed(_logger, e);
                }
            }
        }

        lock (_subscribersLock)
        {
            foreach (var subscriber in _stateSubscribers)
            {
                subscriber.TryWrite(change);
            }
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    /// <summary>Ends the state streams, behind the events queued before disposal.</summary>
    private sealed class CompleteSubscribers(ZooKeeperClient client) : IDispatchable
    {
        public void Dispatch()
        {
            lock (client._subscribersLock)
            {
                foreach (var subscriber in client._stateSubscribers)
                {
                    subscriber.TryComplete();
                }
            }
        }
    }
}
