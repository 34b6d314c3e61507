// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Logging;
using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell;

/// <summary>
/// The shell's ZooKeeper handle: a <see cref="ZooKeeperClient"/> set up to behave as the Java
/// <c>ZooKeeper</c> object zkCli holds, with zkCli's default watcher printing every event.
/// </summary>
/// <remarks>
/// <para>
/// Differences between our client's model and the Java handle's, and how they are bridged:
/// </para>
/// <list type="bullet">
/// <item>The client retries; the Java handle never does. The shell uses <see cref="RetryNTimes.Never"/>.</item>
/// <item>
/// A Java request made while disconnected fails with ConnectionLoss as soon as a connection
/// attempt fails (<c>ClientCnxn.cleanup</c>), so <c>ls /</c> against a stopped server answers at
/// once. Our client waits for a connection up to its connection timeout instead, so the shell
/// cancels the wait when an attempt fails, learning of failed attempts from the client's
/// <c>ConnectFailed</c> log event (the client has no other signal for them).
/// </item>
/// <item>
/// After its session expires the Java handle is dead (CLOSED), and zkCli answers "Not connected"
/// until <c>connect</c>; our client would open a new session, so the shell closes it instead.
/// </item>
/// <item>
/// Connection events are printed from the state-change handler, once each (the Java default
/// watcher gets each once); the watches' copies of them are not printed again.
/// </item>
/// </list>
/// </remarks>
internal sealed class ShellConnection : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly ZooKeeperClient _client;
    private readonly Action<WatchedEvent> _printEvent;
    private readonly TimeSpan _sessionTimeout;
    private readonly CancellationToken _beforeFirstConnection;
    private readonly TaskCompletionSource _dead = NewSignal();
    private readonly List<EventExpectation> _expectations = [];
    private CancellationTokenSource _attemptFailed = new();
    private TaskCompletionSource _connected = NewSignal();
    private HandleState _state = HandleState.Connecting;
    private bool _everConnected;
    private Task? _background;
    private Task? _disposing;

    private ShellConnection(ZooKeeperClientOptions options, Action<WatchedEvent> printEvent)
    {
        _printEvent = printEvent;
        _sessionTimeout = options.SessionTimeout;
        _beforeFirstConnection = _attemptFailed.Token;
        options.Logger = new AttemptListener(this);
        _client = new ZooKeeperClient(options);
        _client.ConnectionStateChanged += (_, change) => OnStateChanged(change);
        Watcher = e =>
        {
            // Connection events reach every watch too; the state handler prints them once.
            if (e.Type != EventType.None)
            {
                _printEvent(e);
                NotifyExpectations(e);
            }
        };
    }

    private enum HandleState
    {
        Connecting,
        Connected,
        ConnectedReadOnly,
        Closed,
        AuthFailed,
    }

    /// <summary>Gets the client.</summary>
    public ZooKeeperClient Client => _client;

    /// <summary>Gets zkCli's default watcher: pass it to every watch so that each event is printed once.</summary>
    public Action<WatchedEvent> Watcher { get; }

    /// <summary>Gets whether the handle can still be used (Java's <c>States.isAlive</c>: not closed, not auth-failed).</summary>
    public bool IsAlive
    {
        get
        {
            lock (_lock)
            {
                return _state is not (HandleState.Closed or HandleState.AuthFailed);
            }
        }
    }

    /// <summary>Gets the state as the Java handle names it, for the prompt.</summary>
    public string StateName
    {
        get
        {
            lock (_lock)
            {
                return _state switch
                {
                    HandleState.Connected => "CONNECTED",
                    HandleState.ConnectedReadOnly => "CONNECTEDREADONLY",
                    HandleState.Closed => "CLOSED",
                    HandleState.AuthFailed => "AUTH_FAILED",
                    _ => "CONNECTING",
                };
            }
        }
    }

    /// <summary>Creates the handle and starts connecting, as <c>new ZooKeeper(...)</c> does.</summary>
    /// <param name="host">The connection string.</param>
    /// <param name="sessionTimeout">The session timeout to ask for.</param>
    /// <param name="canBeReadOnly">Whether a read-only server will do (<c>-r</c>).</param>
    /// <param name="printEvent">Prints an event, as zkCli's watcher does.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="ArgumentException">The connection string is malformed.</exception>
    public static ShellConnection Open(string host, TimeSpan sessionTimeout, bool canBeReadOnly, Action<WatchedEvent> printEvent)
    {
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = host,
            SessionTimeout = sessionTimeout,

            // A backstop only: a wait for a connection normally ends with an attempt's failure.
            ConnectionTimeout = sessionTimeout,
            RetryPolicy = RetryNTimes.Never,
            CanBeReadOnly = canBeReadOnly,

            // zkCli stores null when a create has no data; every create of the shell passes its data.
            DefaultData = null,
        };
        var connection = new ShellConnection(options, printEvent);
        connection._background = connection.ConnectInBackgroundAsync();
        return connection;
    }

    /// <summary>Waits until connected (<c>-waitforconnection</c>).</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns><see langword="true"/> if connected in time.</returns>
    public async Task<bool> WaitUntilConnectedAsync(TimeSpan timeout)
    {
        Task connected;
        lock (_lock)
        {
            connected = _connected.Task;
        }

        try
        {
            await connected.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or KeeperException)
        {
            return false;
        }
    }

    /// <summary>Waits until the handle is dead (expired, auth failed, closed) and the watcher has printed why.</summary>
    /// <param name="timeout">How long to wait; then it returns anyway.</param>
    /// <returns>A task that completes when dead or when the timeout elapsed.</returns>
    public async Task WaitUntilDeadAsync(TimeSpan timeout)
    {
        try
        {
            await _dead.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    /// <summary>
    /// Runs an operation as a synchronous Java call behaves: it waits for the connection, and
    /// fails with ConnectionLoss when a connection attempt fails meanwhile.
    /// </summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="path">The path a Java exception would carry.</param>
    /// <param name="operation">The call; it gets a token that is cancelled when an attempt fails.</param>
    /// <returns>The result.</returns>
    /// <exception cref="KeeperException">The server or the connection failed; <see cref="KeeperException.Path"/> is set when the Java one would be.</exception>
    public Task<T> CallAsync<T>(string? path, Func<CancellationToken, Task<T>> operation) =>
        CallAsync(path, operation, waitForConnection: true);

    /// <summary>Runs an operation; see <see cref="CallAsync{T}(string?, Func{CancellationToken, Task{T}})"/>.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="path">The path a Java exception would carry.</param>
    /// <param name="operation">The call.</param>
    /// <param name="waitForConnection">
    /// Whether to wait for the shell to have seen the connection first (so that the SyncConnected
    /// event comes out before the command's output); <see langword="false"/> to hand the call to the
    /// client at once, e.g. for addauth, whose credentials the client must keep even when it fails.
    /// </param>
    /// <returns>The result.</returns>
    public async Task<T> CallAsync<T>(string? path, Func<CancellationToken, Task<T>> operation, bool waitForConnection)
    {
        CancellationToken attemptFailed;
        Task connected;
        lock (_lock)
        {
            // A request made before the first connection fails on the first failed attempt,
            // even one that came before the request (the Java handle queues requests from its
            // construction on); later requests fail on the next failed attempt.
            attemptFailed = _everConnected ? _attemptFailed.Token : _beforeFirstConnection;
            connected = _connected.Task;
        }

        try
        {
            if (waitForConnection && !connected.IsCompleted)
            {
                // Wait for the state handler, not just the client, so that the SyncConnected
                // event is printed before the command's output, as zkCli prints it.
                await connected.WaitAsync(_sessionTimeout, attemptFailed).ConfigureAwait(false);
            }

            return await operation(attemptFailed).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (attemptFailed.IsCancellationRequested)
        {
            throw new ConnectionLossException(path, requestSent: false);
        }
        catch (TimeoutException)
        {
            throw new ConnectionLossException(path, requestSent: false);
        }
        catch (ObjectDisposedException)
        {
            // The handle died meanwhile (expiry, auth failure, close).
            throw new ConnectionLossException(path, requestSent: false);
        }
        catch (KeeperException e) when (e.Path is null && path is not null)
        {
            throw new KeeperException(e.Code, path, null, e);
        }
    }

    /// <summary>Runs an operation without a result; see <see cref="CallAsync{T}(string?, Func{CancellationToken, Task{T}})"/>.</summary>
    public Task CallAsync(string? path, Func<CancellationToken, Task> operation) =>
        CallAsync(path, async ct =>
        {
            await operation(ct).ConfigureAwait(false);
            return true;
        });

    /// <summary>
    /// Closes the handle (<c>zk.close()</c>): the session is closed, and if the handle was alive
    /// the default watcher prints <c>state:Closed</c>.
    /// </summary>
    /// <returns>A task that completes when closed.</returns>
    public async Task CloseAsync()
    {
        bool connecting;
        lock (_lock)
        {
            connecting = _state == HandleState.Connecting;
        }

        if (connecting)
        {
            // The Java handle's close sends closeSession and waits for its answer, so it waits
            // for the connection in progress (or a failed attempt) too: the SyncConnected event
            // comes before Closed, and the session is really closed.
            try
            {
                await CallAsync(null, _ => Task.FromResult(true)).ConfigureAwait(false);
            }
            catch (KeeperException)
            {
            }
        }

        bool wasAlive;
        lock (_lock)
        {
            wasAlive = _state is not (HandleState.Closed or HandleState.AuthFailed);
            _state = HandleState.Closed;
            _connected.TrySetException(new ConnectionLossException(null, requestSent: false));
        }

        await DisposeClientAsync().ConfigureAwait(false);
        if (wasAlive)
        {
            _printEvent(new WatchedEvent(EventType.None, KeeperState.Closed, null));
        }
    }

    /// <summary>Closes the session without printing anything (the shell is exiting).</summary>
    /// <returns>A task that completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _state = _state == HandleState.AuthFailed ? HandleState.AuthFailed : HandleState.Closed;
            _connected.TrySetException(new ConnectionLossException(null, requestSent: false));
        }

        await DisposeClientAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Starts waiting for events the watcher will get, before the request that makes them is sent.
    /// The client delivers the *WatchRemoved events of removewatches on its event loop after the
    /// reply, so without this a quick next command could print before them.
    /// </summary>
    /// <param name="path">The events' path.</param>
    /// <param name="types">The event types expected, one event each.</param>
    /// <returns>The expectation; dispose it when done.</returns>
    public EventExpectation Expect(string path, IEnumerable<EventType> types)
    {
        var expectation = new EventExpectation(this, path, types);
        lock (_lock)
        {
            _expectations.Add(expectation);
        }

        return expectation;
    }

    private void NotifyExpectations(WatchedEvent watchedEvent)
    {
        EventExpectation[] expectations;
        lock (_lock)
        {
            expectations = [.. _expectations];
        }

        foreach (var expectation in expectations)
        {
            expectation.Observe(watchedEvent);
        }
    }

    private void Forget(EventExpectation expectation)
    {
        lock (_lock)
        {
            _expectations.Remove(expectation);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task DisposeClientAsync()
    {
        Task disposing;
        lock (_lock)
        {
            disposing = _disposing ??= _client.DisposeAsync().AsTask();
        }

        await disposing.ConfigureAwait(false);
        if (_background is { } background)
        {
            await background.ConfigureAwait(false);
        }

        lock (_lock)
        {
            _attemptFailed.Dispose();
        }
    }

    private async Task ConnectInBackgroundAsync()
    {
        try
        {
            await _client.ConnectAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is KeeperException or ObjectDisposedException)
        {
            // A command that needs the connection reports the failure; so does the watcher.
        }
    }

    private void OnAttemptFailed()
    {
        CancellationTokenSource failed;
        lock (_lock)
        {
            if (_state is HandleState.Closed or HandleState.AuthFailed)
            {
                return;
            }

            failed = _attemptFailed;
            _attemptFailed = new CancellationTokenSource();
        }

        failed.Cancel();
    }

    /// <summary>Runs on the client's event loop, in order with the watch events.</summary>
    private void OnStateChanged(ConnectionStateChange change)
    {
        var (state, keeperState) = change.State switch
        {
            ConnectionState.Connected or ConnectionState.Reconnected => (HandleState.Connected, KeeperState.SyncConnected),
            ConnectionState.ReadOnly => (HandleState.ConnectedReadOnly, KeeperState.ConnectedReadOnly),
            ConnectionState.Suspended => (HandleState.Connecting, KeeperState.Disconnected),
            _ when change.KeeperState == KeeperState.AuthFailed => (HandleState.AuthFailed, KeeperState.AuthFailed),
            _ => (HandleState.Closed, KeeperState.Expired),
        };

        TaskCompletionSource? signal = null;
        lock (_lock)
        {
            if (_state is HandleState.Closed or HandleState.AuthFailed)
            {
                return;
            }

            _state = state;
            switch (state)
            {
                case HandleState.Connected or HandleState.ConnectedReadOnly:
                    _everConnected = true;
                    signal = _connected;
                    break;
                case HandleState.Connecting:
                    if (_connected.Task.IsCompleted)
                    {
                        _connected = NewSignal();
                    }

                    break;
                default:
                    signal = _connected;
                    break;
            }
        }

        _printEvent(new WatchedEvent(EventType.None, keeperState, null));
        if (state is HandleState.Closed or HandleState.AuthFailed)
        {
            _dead.TrySetResult();
        }

        if (state is HandleState.Connected or HandleState.ConnectedReadOnly)
        {
            signal?.TrySetResult();
        }
        else if (signal is not null)
        {
            // Expired or auth failed: the handle is dead. The Java handle fails what waits with
            // the same code; our client would go on with a new session, so it is closed.
            signal.TrySetException(KeeperException.Create(
                keeperState == KeeperState.AuthFailed ? KeeperErrorCode.AuthFailed : KeeperErrorCode.SessionExpired));
            lock (_lock)
            {
                // Disposing from a handler is allowed: the client does not wait for its own loop.
                _disposing ??= _client.DisposeAsync().AsTask();
            }
        }
    }

    /// <summary>Learns of failed connection attempts from the client's log.</summary>
    private sealed class AttemptListener(ShellConnection owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name == "ConnectFailed")
            {
                owner.OnAttemptFailed();
            }
        }
    }

    /// <summary>Events the watcher is expected to get; see <see cref="Expect"/>.</summary>
    internal sealed class EventExpectation : IDisposable
    {
        private readonly ShellConnection _owner;
        private readonly string _path;
        private readonly List<EventType> _pending;
        private readonly TaskCompletionSource _done = NewSignal();

        public EventExpectation(ShellConnection owner, string path, IEnumerable<EventType> types)
        {
            _owner = owner;
            _path = path;
            _pending = [.. types];
            if (_pending.Count == 0)
            {
                _done.TrySetResult();
            }
        }

        /// <summary>Waits until every expected event was delivered, or the timeout elapses (then it gives up quietly).</summary>
        public async Task WaitAsync(TimeSpan timeout)
        {
            try
            {
                await _done.Task.WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // An event that never comes (the watch fired meanwhile) must not hang the shell.
            }
        }

        public void Dispose() => _owner.Forget(this);

        internal void Observe(WatchedEvent watchedEvent)
        {
            lock (_pending)
            {
                if (watchedEvent.Path == _path && _pending.Remove(watchedEvent.Type) && _pending.Count == 0)
                {
                    _done.TrySetResult();
                }
            }
        }
    }
}
