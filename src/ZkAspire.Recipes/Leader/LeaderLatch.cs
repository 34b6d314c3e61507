// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Recipes.Internal;
using ZkAspire.Recipes.Locks;

namespace ZkAspire.Recipes.Leader;

/// <summary>
/// Leader election by latch (Curator's <c>LeaderLatch</c>, with its node layout: protected
/// ephemeral-sequential nodes <c>{path}/_c_{guid}-latch-0000000001</c> whose data is the
/// participant's id). The participant whose node is first leads until it leaves, its node goes or
/// its connection fails; each other participant watches only its predecessor.
/// </summary>
/// <remarks>
/// <para>
/// Leadership is given up at once when the connection is Suspended (with
/// <see cref="ConnectionErrorPolicy.Standard"/>; after the grace with another policy) and when the
/// session is Lost, and checked again on Reconnected: as long as the holder of the first node has
/// not noticed a failure, nobody else's node is first. Nobody takes leadership without reading its
/// own node's owner as its current session (Curator's check against a node left by an old
/// session).
/// </para>
/// <para>
/// <see cref="LeadershipChanged"/> handlers run one at a time, in order, on a loop of the latch;
/// <see cref="HasLeadership"/> and <see cref="LeadershipToken"/> change before the handlers run.
/// </para>
/// </remarks>
public sealed class LeaderLatch : IAsyncDisposable
{
    private const string LatchName = "latch-";

    private readonly ZooKeeperClient _client;
    private readonly RecipeOptions _options;
    private readonly LeaderLatchCloseMode _closeMode;
    private readonly StandardLockDriver _driver = new(LatchName);
    private readonly SerialWorker _worker;
    private readonly SerialWorker _events;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _firstCheck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _term;
    private TaskCompletionSource _leadershipGained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _graceTimer;
    private string? _ourPath;
    private string? _watched;
    private int _generation;
    private int _state;

    /// <summary>Creates a latch; it takes part from <see cref="StartAsync"/> on.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The election's path.</param>
    /// <param name="id">This participant's id, stored in its node.</param>
    /// <param name="closeMode">Whether disposing tells the listeners that leadership ended.</param>
    /// <param name="options">The error policy and clock.</param>
    /// <param name="logger">Where failures of the background work are logged.</param>
    public LeaderLatch(
        ZooKeeperClient client,
        string path,
        string id = "",
        LeaderLatchCloseMode closeMode = LeaderLatchCloseMode.Silent,
        RecipeOptions? options = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(id);
        Path = RecipePaths.Validate(path, nameof(path));
        Id = id;
        _client = client;
        _closeMode = closeMode;
        _options = options ?? RecipeOptions.Default;
        _logger = logger ?? NullLogger.Instance;
        _worker = new SerialWorker(OnWorkFailed);
        _events = new SerialWorker(e => _logger.LogError(e, "A leadership listener of {Path} failed.", Path));
    }

    /// <summary>
    /// Occurs when leadership is gained (<see langword="true"/>) or lost (<see langword="false"/>),
    /// one call at a time, in order (Curator's <c>isLeader</c>/<c>notLeader</c>).
    /// </summary>
    public event EventHandler<bool>? LeadershipChanged;

    /// <summary>Gets the election's path.</summary>
    public string Path { get; }

    /// <summary>Gets this participant's id.</summary>
    public string Id { get; }

    /// <summary>Gets the latch's state.</summary>
    public LeaderLatchState State => (LeaderLatchState)Volatile.Read(ref _state);

    /// <summary>Gets whether this participant leads now.</summary>
    public bool HasLeadership
    {
        get
        {
            lock (_gate)
            {
                return _term is not null && State == LeaderLatchState.Started;
            }
        }
    }

    /// <summary>
    /// Gets a token for the current term: cancelled when this participant stops leading. When it
    /// does not lead, the token is already cancelled.
    /// </summary>
    public CancellationToken LeadershipToken
    {
        get
        {
            lock (_gate)
            {
                return _term?.Token ?? new CancellationToken(canceled: true);
            }
        }
    }

    /// <summary>Gets the path of this participant's node, once created.</summary>
    public string? OurPath
    {
        get
        {
            lock (_gate)
            {
                return _ourPath;
            }
        }
    }

    /// <summary>
    /// Takes part in the election: creates this participant's node and checks leadership once.
    /// Failures after that are retried in the background.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the first check (the latch goes on).</param>
    /// <returns>A task that completes after the first leadership check.</returns>
    /// <exception cref="InvalidOperationException">The latch was started before.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, (int)LeaderLatchState.Started, (int)LeaderLatchState.Latent) != (int)LeaderLatchState.Latent)
        {
            throw new InvalidOperationException("The latch can be started only once.");
        }

        _client.ConnectionStateChanged += OnConnectionStateChanged;
        _worker.Post(ResetAsync);
        await _firstCheck.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until this participant leads (Curator's <c>await</c>).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for as long as it takes.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if it leads; <see langword="false"/> when the time ran out or the latch was closed.</returns>
    public async Task<bool> AwaitLeadershipAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.Start(timeout, _options.TimeProvider);
        while (true)
        {
            Task gained;
            lock (_gate)
            {
                if (State != LeaderLatchState.Started)
                {
                    return false;
                }

                if (_term is not null)
                {
                    return true;
                }

                gained = _leadershipGained.Task;
            }

            if (!await deadline.WaitAsync(gained, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
    }

    /// <summary>Lists the participants, the leader first (Curator's <c>getParticipants</c>).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The participants.</returns>
    public async Task<IReadOnlyList<Participant>> GetParticipantsAsync(CancellationToken cancellationToken = default) =>
        await Participant.ReadAsync(_client, Path, await GetOrderedAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Gets the leader (Curator's <c>getLeader</c>), or <see langword="null"/> when nobody takes part.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The leader.</returns>
    public async Task<Participant?> GetLeaderAsync(CancellationToken cancellationToken = default) =>
        (await GetParticipantsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>
    /// Leaves the election: gives up leadership (telling the listeners only with
    /// <see cref="LeaderLatchCloseMode.NotifyLeader"/>) and deletes this participant's node.
    /// </summary>
    /// <returns>A task that completes when the latch is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        var previous = Interlocked.Exchange(ref _state, (int)LeaderLatchState.Closed);
        if (previous == (int)LeaderLatchState.Closed)
        {
            return;
        }

        _client.ConnectionStateChanged -= OnConnectionStateChanged;
        SetLeadership(false, notify: _closeMode == LeaderLatchCloseMode.NotifyLeader);
        string? ourPath;
        lock (_gate)
        {
            _generation++;
            _graceTimer?.Dispose();
            _graceTimer = null;
            ourPath = _ourPath;
            _ourPath = null;
            _leadershipGained.TrySetResult();
        }

        _firstCheck.TrySetResult();
        await _worker.DisposeAsync().ConfigureAwait(false);

        // The worker may have replaced the node meanwhile; read it again once the worker has stopped.
        string? latest;
        lock (_gate)
        {
            latest = _ourPath;
            _ourPath = null;
        }

        foreach (var node in new[] { ourPath, latest }.Distinct())
        {
            if (node is not null)
            {
                await _client.DeleteGuaranteedAsync(node).ConfigureAwait(false);
            }
        }

        string? watched;
        lock (_gate)
        {
            watched = _watched;
            _watched = null;
        }

        if (watched is not null)
        {
            await OwnershipMonitor.RemoveWatcherQuietlyAsync(_client, watched, OnPredecessorEvent, WatcherType.Data).ConfigureAwait(false);
        }

        await _events.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<List<SequentialNode>> GetOrderedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var children = await _client.GetChildrenAsync(Path, cancellationToken).ConfigureAwait(false);
            var nodes = new List<SequentialNode>();
            foreach (var child in children)
            {
                if (_driver.TryParse(child, out var node))
                {
                    nodes.Add(node);
                }
            }

            return SequentialNode.Order(nodes);
        }
        catch (NoNodeException)
        {
            return [];
        }
    }

    /// <summary>Curator's <c>reset</c>: give up leadership, replace our node, check again.</summary>
    private async Task ResetAsync()
    {
        if (State != LeaderLatchState.Started)
        {
            return;
        }

        SetLeadership(false, notify: true);
        string? old;
        lock (_gate)
        {
            old = _ourPath;
            _ourPath = null;
        }

        if (old is not null)
        {
            await _client.DeleteGuaranteedAsync(old).ConfigureAwait(false);
        }

        var options = CreateOptions.EphemeralSequential with { Parents = ParentCreation.Container, Protected = true };
        var created = await _client.CreateAsync(PathUtils.Combine(Path, LatchName), Encoding.UTF8.GetBytes(Id), options).ConfigureAwait(false);
        lock (_gate)
        {
            _ourPath = created;
        }

        if (State != LeaderLatchState.Started)
        {
            return;
        }

        await CheckLeadershipAsync().ConfigureAwait(false);
    }

    /// <summary>Curator's <c>checkLeadership</c>: lead if our node is first and ours, else watch the predecessor.</summary>
    private async Task CheckLeadershipAsync()
    {
        int generation;
        string? ourPath;
        lock (_gate)
        {
            generation = _generation;
            ourPath = _ourPath;
        }

        if (State != LeaderLatchState.Started || ourPath is null)
        {
            return;
        }

        var ordered = await GetOrderedAsync(CancellationToken.None).ConfigureAwait(false);
        var ourIndex = ordered.FindIndex(node => node.Name == PathUtils.GetName(ourPath));
        if (ourIndex < 0)
        {
            // Our node is gone (the session expired, or someone deleted it): queue again.
            await ResetAsync().ConfigureAwait(false);
            return;
        }

        if (ourIndex == 0)
        {
            var stat = await _client.ExistsAsync(ourPath).ConfigureAwait(false);
            if (stat is null || stat.Value.EphemeralOwner != _client.SessionId)
            {
                await ResetAsync().ConfigureAwait(false);
                return;
            }

            // A suspension since the check began voids it (the check and the change are one step
            // under the lock, so a Suspended that comes in between cannot be undone); the check
            // after Reconnected decides.
            if (SetLeadership(true, notify: true, generation))
            {
                _firstCheck.TrySetResult();
            }

            return;
        }

        SetLeadership(false, notify: true);
        _firstCheck.TrySetResult();
        var predecessor = PathUtils.Combine(Path, ordered[ourIndex - 1].Name);
        string? previous;
        lock (_gate)
        {
            previous = _watched;
            _watched = predecessor;
        }

        if (previous is not null && previous != predecessor)
        {
            // Curator's removeWatchers: a latch watches one predecessor at a time.
            await OwnershipMonitor.RemoveWatcherQuietlyAsync(_client, previous, OnPredecessorEvent, WatcherType.Data).ConfigureAwait(false);
        }

        try
        {
            await _client.GetDataAsync(predecessor, OnPredecessorEvent).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            _worker.Post(CheckLeadershipAsync);
        }
    }

    private void OnPredecessorEvent(WatchedEvent watchedEvent)
    {
        if (watchedEvent.Type == EventType.NodeDeleted && State == LeaderLatchState.Started)
        {
            _worker.Post(CheckLeadershipAsync);
        }
    }

    private void OnConnectionStateChanged(object? sender, ConnectionStateChange change)
    {
        switch (change.State)
        {
            case ConnectionState.Suspended or ConnectionState.ReadOnly:
                Suspended();
                break;
            case ConnectionState.Lost:
                lock (_gate)
                {
                    _generation++;
                }

                SetLeadership(false, notify: true);
                break;
            case ConnectionState.Reconnected:
                lock (_gate)
                {
                    _generation++;
                    _graceTimer?.Dispose();
                    _graceTimer = null;
                }

                _worker.Post(change.IsNewSession ? ResetAsync : CheckLeadershipAsync);
                break;
        }
    }

    private void Suspended()
    {
        lock (_gate)
        {
            _generation++;
        }

        var policy = _options.ErrorPolicy;
        if (policy.SuspendedIsError)
        {
            SetLeadership(false, notify: true);
        }
        else if (policy.SuspendedCanBeError)
        {
            lock (_gate)
            {
                _graceTimer ??= _options.TimeProvider.CreateTimer(
                    static state => ((LeaderLatch)state!).SetLeadership(false, notify: true), this, policy.SuspendedGrace, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Changes leadership, and tells the listeners of a change (Curator's <c>setLeadership</c>).</summary>
    /// <param name="leader">Whether to lead.</param>
    /// <param name="notify">Whether to tell the listeners.</param>
    /// <param name="generation">For a gain: the connection generation the check saw; no gain if it moved since.</param>
    /// <returns><see langword="false"/> when a gain was refused because the generation moved or the client is not connected.</returns>
    private bool SetLeadership(bool leader, bool notify, int? generation = null)
    {
        CancellationTokenSource? ended = null;
        lock (_gate)
        {
            if (leader && (generation != _generation || !_client.IsConnected || State != LeaderLatchState.Started))
            {
                return false;
            }

            if (leader == (_term is not null))
            {
                return true;
            }

            if (leader)
            {
                _term = new CancellationTokenSource();
                _leadershipGained.TrySetResult();
            }
            else
            {
                ended = _term;
                _term = null;
                _leadershipGained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (ended is not null)
        {
            // The token's callbacks run on the thread pool, never on the client's event loop.
            _ = ended.CancelAsync();
        }

        RecipesInstrumentation.LeadershipChanged("latch", Path, leader);
        if (notify)
        {
            _events.Post(() => LeadershipChanged?.Invoke(this, leader));
        }

        return true;
    }

    private void OnWorkFailed(Exception e)
    {
        if (State != LeaderLatchState.Started)
        {
            return;
        }

        if (ClientExtensions.IsConnectionProblem(e))
        {
            // Reconnected triggers a new check; if the client stayed connected (a request timed
            // out), check again once it is.
            _ = RetryWhenConnectedAsync();
            return;
        }

        _logger.LogError(e, "The leader latch of {Path} failed; it checks again.", Path);
        _ = RetryWhenConnectedAsync();
    }

    private async Task RetryWhenConnectedAsync()
    {
        try
        {
            if (await _client.WaitUntilConnectedAsync(Timeout.InfiniteTimeSpan).ConfigureAwait(false))
            {
                _worker.Post(() => OurPath is null ? ResetAsync() : CheckLeadershipAsync());
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

/// <summary>The life of a <see cref="LeaderLatch"/>.</summary>
public enum LeaderLatchState
{
    /// <summary>Created, not started.</summary>
    Latent,

    /// <summary>Taking part in the election.</summary>
    Started,

    /// <summary>Disposed.</summary>
    Closed,
}

/// <summary>What disposing a <see cref="LeaderLatch"/> tells its listeners (Curator's <c>CloseMode</c>).</summary>
public enum LeaderLatchCloseMode
{
    /// <summary>Nothing.</summary>
    Silent,

    /// <summary>That leadership ended, if it leads.</summary>
    NotifyLeader,
}
