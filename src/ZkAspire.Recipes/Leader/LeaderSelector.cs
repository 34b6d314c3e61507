// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Client;
using ZkAspire.Recipes.Internal;
using ZkAspire.Recipes.Locks;

namespace ZkAspire.Recipes.Leader;

/// <summary>
/// Leader election by mutex (Curator's <c>LeaderSelector</c>, with its layout: the nodes of an
/// <see cref="InterProcessMutex"/> at the path, whose data is the participant's id). The
/// participant that holds the mutex leads while its leadership callback runs; when the callback
/// returns, it gives leadership up — and with <see cref="LeaderSelectorOptions.AutoRequeue"/> queues
/// again.
/// </summary>
/// <remarks>
/// The callback gets a token that is cancelled when leadership may be lost — the connection
/// Suspended (per the error policy) or Lost, the mutex node deleted — or when leadership is
/// interrupted or the selector disposed. Stop leading work when it fires: until then another
/// participant cannot get the mutex only if the session is really alive, so a leader that ignores
/// the token may overlap with the next one (Curator TN10; fence the leader's writes).
/// </remarks>
public sealed class LeaderSelector : IAsyncDisposable
{
    private const string LockName = "lock-";

    private readonly ZooKeeperClient _client;
    private readonly Func<CancellationToken, Task> _takeLeadership;
    private readonly LeaderSelectorOptions _options;
    private readonly LockEngine _engine;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _gate = new();
    private Task _loop = Task.CompletedTask;
    private CancellationTokenSource? _term;
    private bool _requeue;
    private int _state;

    /// <summary>Creates a selector; it takes part from <see cref="Start"/> on.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The election's path.</param>
    /// <param name="takeLeadership">
    /// Runs while this participant leads; leadership ends when it returns. Its token is cancelled
    /// when leadership may be lost, is interrupted, or the selector is disposed.
    /// </param>
    /// <param name="options">The id, requeueing and error policy.</param>
    /// <param name="logger">Where failures of the callback are logged.</param>
    public LeaderSelector(ZooKeeperClient client, string path, Func<CancellationToken, Task> takeLeadership, LeaderSelectorOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(takeLeadership);
        RecipePaths.Validate(path, nameof(path));
        _client = client;
        _takeLeadership = takeLeadership;
        _options = options ?? new LeaderSelectorOptions();
        _logger = logger ?? NullLogger.Instance;
        Path = path;
        _engine = new LockEngine(client, path, LockName, new StandardLockDriver(LockName), 1, _options.Recipe.TimeProvider);
    }

    /// <summary>Gets the election's path.</summary>
    public string Path { get; }

    /// <summary>Gets this participant's id.</summary>
    public string Id => _options.Id;

    /// <summary>Gets whether this participant leads now (its callback runs with a token not yet cancelled).</summary>
    public bool HasLeadership
    {
        get
        {
            lock (_gate)
            {
                return _term is { IsCancellationRequested: false };
            }
        }
    }

    /// <summary>Starts taking part.</summary>
    /// <exception cref="InvalidOperationException">The selector was started before, or disposed.</exception>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The selector can be started only once.");
        }

        lock (_gate)
        {
            _requeue = true;
            _loop = StartLoopAsync();
        }
    }

    /// <summary>
    /// Queues again after leadership ends, once (Curator's <c>requeue</c>); with
    /// <see cref="LeaderSelectorOptions.AutoRequeue"/> that happens every time anyway.
    /// </summary>
    /// <returns><see langword="true"/> if the selector will queue again.</returns>
    public bool Requeue()
    {
        lock (_gate)
        {
            if (Volatile.Read(ref _state) != 1)
            {
                return false;
            }

            _requeue = true;
            if (_loop.IsCompleted)
            {
                _loop = StartLoopAsync();
            }

            return true;
        }
    }

    /// <summary>Ends the current leadership: cancels the callback's token (Curator's <c>interruptLeadership</c>).</summary>
    public void InterruptLeadership()
    {
        lock (_gate)
        {
            _ = _term?.CancelAsync();
        }
    }

    /// <summary>Lists the participants, the leader first.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The participants.</returns>
    public async Task<IReadOnlyList<Participant>> GetParticipantsAsync(CancellationToken cancellationToken = default) =>
        await Participant.ReadAsync(_client, Path, await _engine.GetOrderedChildrenAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Leaves the election: cancels the callback, waits for it to return, and gives the mutex up.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        Task loop;
        lock (_gate)
        {
            loop = _loop;
        }

        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _closing.Dispose();
    }

    private Task StartLoopAsync()
    {
        // The loop must not inherit the caller's async-local state (a reentrant lock's owner).
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        var data = Encoding.UTF8.GetBytes(_options.Id);
        while (true)
        {
            lock (_gate)
            {
                if (!_requeue || _closing.IsCancellationRequested)
                {
                    return;
                }

                _requeue = _options.AutoRequeue;
            }

            AcquiredNode? node;
            try
            {
                node = await _engine.AttemptAsync(data, Deadline.Start(Timeout.InfiniteTimeSpan, _options.Recipe.TimeProvider), _closing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_closing.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (node is null)
            {
                continue;
            }

            await LeadAsync(node).ConfigureAwait(false);
        }
    }

    private async Task LeadAsync(AcquiredNode node)
    {
        var hold = LockHold.Start(_client, node, owner: null, this, _options.Recipe, onReleased: null);
        var handle = new LockHandle(hold);
        using var term = CancellationTokenSource.CreateLinkedTokenSource(handle.HandleLost, _closing.Token);
        lock (_gate)
        {
            _term = term;
        }

        RecipesInstrumentation.LeadershipChanged("selector", Path, isLeader: true);
        try
        {
            await _takeLeadership(term.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A failing leader gives up leadership; the election goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogError(e, "The leadership callback of {Path} failed; leadership is given up.", Path);
        }
        finally
        {
            lock (_gate)
            {
                _term = null;
            }

            await handle.DisposeAsync().ConfigureAwait(false);
            RecipesInstrumentation.LeadershipChanged("selector", Path, isLeader: false);
        }
    }
}

/// <summary>Settings of a <see cref="LeaderSelector"/>.</summary>
public sealed record LeaderSelectorOptions
{
    /// <summary>Gets or sets this participant's id, stored in its node.</summary>
    /// <value>The default value is the empty string, as in Curator.</value>
    public string Id { get; init; } = string.Empty;

    /// <summary>Gets or sets whether the selector queues again each time leadership ends (Curator's <c>autoRequeue</c>).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AutoRequeue { get; init; }

    /// <summary>Gets or sets the error policy and clock.</summary>
    /// <value>The default value is <see cref="RecipeOptions.Default"/>.</value>
    public RecipeOptions Recipe { get; init; } = RecipeOptions.Default;
}
