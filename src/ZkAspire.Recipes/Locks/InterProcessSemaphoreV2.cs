// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Locks;

/// <summary>
/// A counting semaphore shared by processes (Curator's <c>InterProcessSemaphoreV2</c>, with its
/// node layout): at most <see cref="MaxLeases"/> leases exist at once, each a protected
/// ephemeral-sequential node <c>{path}/leases/_c_{guid}-lease-0000000001</c>. Acquirers queue on a
/// mutex at <c>{path}/locks</c>; the one at the head creates its lease and, while there are too
/// many, waits on the lease list — so a returned lease wakes one waiter, and the semaphore is
/// "mostly fair" (Curator's words).
/// </summary>
/// <remarks>
/// Leases are not reentrant: a flow that asks twice gets two leases (or waits for the second).
/// Every lease is an <see cref="ILockHandle"/>, with its own <see cref="ILockHandle.HandleLost"/>
/// and fencing token; return it by disposing it.
/// </remarks>
public sealed class InterProcessSemaphoreV2
{
    private const string LockParent = "locks";
    private const string LeaseParent = "leases";
    private const string LeaseName = "lease-";

    private readonly ZooKeeperClient _client;
    private readonly LockEngine _lock;
    private readonly RecipeOptions _options;
    private readonly string _leasesPath;
    private readonly byte[]? _nodeData;

    /// <summary>Creates a semaphore.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The semaphore's path.</param>
    /// <param name="maxLeases">How many leases may exist at once; every participant must use the same number.</param>
    /// <param name="nodeData">The data of the lease nodes, or <see langword="null"/> for the client's default data.</param>
    /// <param name="options">The error policy and clock.</param>
    public InterProcessSemaphoreV2(ZooKeeperClient client, string path, int maxLeases, byte[]? nodeData = null, RecipeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        RecipePaths.Validate(path, nameof(path));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLeases, 1);
        _client = client;
        _options = options ?? RecipeOptions.Default;
        _nodeData = nodeData is null ? null : [.. nodeData];
        Path = path;
        MaxLeases = maxLeases;
        _leasesPath = PathUtils.Combine(path, LeaseParent);
        _lock = new LockEngine(client, PathUtils.Combine(path, LockParent), "lock-", new StandardLockDriver("lock-"), 1, _options.TimeProvider);
    }

    /// <summary>Gets the semaphore's path.</summary>
    public string Path { get; }

    /// <summary>Gets how many leases may exist at once.</summary>
    public int MaxLeases { get; }

    /// <summary>Acquires one lease, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: zero tries once, <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The lease, or <see langword="null"/> when the time ran out.</returns>
    public async Task<LockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        (await TryAcquireAsync(1, timeout, cancellationToken).ConfigureAwait(false))?[0];

    /// <summary>Acquires several leases, all or none, waiting at most <paramref name="timeout"/> in all.</summary>
    /// <param name="quantity">How many leases.</param>
    /// <param name="timeout">How long to wait in all.</param>
    /// <param name="cancellationToken">Gives up; leases already acquired are returned.</param>
    /// <returns>The leases, or <see langword="null"/> when the time ran out.</returns>
    public async Task<IReadOnlyList<LockHandle>?> TryAcquireAsync(int quantity, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quantity, 1);
        var deadline = Deadline.Start(timeout, _options.TimeProvider);
        var leases = new List<LockHandle>(quantity);
        var success = false;
        using var activity = RecipesInstrumentation.StartAcquire(Path, "semaphore");
        try
        {
            while (leases.Count < quantity)
            {
                if (await AcquireOneAsync(deadline, cancellationToken).ConfigureAwait(false) is not { } lease)
                {
                    RecipesInstrumentation.Acquired(activity, null);
                    return null;
                }

                leases.Add(lease);
            }

            success = true;
            RecipesInstrumentation.Acquired(activity, leases[0]);
            return leases;
        }
        catch (Exception e)
        {
            RecipesInstrumentation.Failed(activity, e);
            throw;
        }
        finally
        {
            if (!success)
            {
                foreach (var lease in leases)
                {
                    await lease.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Acquires one lease, waiting as long as it takes.</summary>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The lease.</returns>
    public async Task<LockHandle> AcquireAsync(CancellationToken cancellationToken = default) =>
        (await TryAcquireAsync(1, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false))![0];

    /// <summary>Acquires one lease, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The lease.</returns>
    /// <exception cref="TimeoutException">No lease within the time.</exception>
    public async Task<LockHandle> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        await TryAcquireAsync(timeout, cancellationToken).ConfigureAwait(false)
            ?? throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"No lease of {Path} within {timeout}."));

    /// <summary>Lists the lease nodes' names (Curator's <c>getParticipantNodes</c>).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The names.</returns>
    public async Task<IReadOnlyList<string>> GetParticipantNodesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _client.GetChildrenAsync(_leasesPath, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return [];
        }
    }

    /// <summary>Curator's <c>internalAcquire1Lease</c>: under the mutex, create a lease and wait until it is among the first <see cref="MaxLeases"/>.</summary>
    private async Task<LockHandle?> AcquireOneAsync(Deadline deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            var mutexNode = await _lock.AttemptAsync(null, deadline, cancellationToken).ConfigureAwait(false);
            if (mutexNode is null)
            {
                return null;
            }

            try
            {
                var outcome = await CreateLeaseAsync(deadline, cancellationToken).ConfigureAwait(false);
                if (outcome.Retry)
                {
                    continue;
                }

                return outcome.Lease;
            }
            finally
            {
                await _client.DeleteGuaranteedAsync(mutexNode.Path).ConfigureAwait(false);
            }
        }
    }

    private async Task<(LockHandle? Lease, bool Retry)> CreateLeaseAsync(Deadline deadline, CancellationToken cancellationToken)
    {
        var options = CreateOptions.EphemeralSequential with { Parents = ParentCreation.Container, Protected = true };
        var prefix = PathUtils.Combine(_leasesPath, LeaseName);
        CreatedNode? created = null;
        var success = false;
        try
        {
            // Not cancellable, as the lock engine's create: an abandoned create could leave a lease behind.
            created = _nodeData is null
                ? await _client.CreateWithStatAsync(prefix, options, CancellationToken.None).ConfigureAwait(false)
                : await _client.CreateWithStatAsync(prefix, _nodeData, options, CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var name = PathUtils.GetName(created.Path);
            while (true)
            {
                // Only the head of the mutex queue watches the lease list: one waiter, no herd.
                var signal = new WatchSignal();
                var children = await _client.GetChildrenAsync(_leasesPath, signal.Callback, cancellationToken).ConfigureAwait(false);
                var fired = false;
                try
                {
                    if (!children.Contains(name))
                    {
                        // Curator's RETRY_DUE_TO_MISSING_NODE: the session ended under us.
                        return (null, true);
                    }

                    if (children.Count <= MaxLeases)
                    {
                        success = true;
                        SequentialNode.TryParse(name, LeaseName, out var node);
                        var hold = LockHold.Start(
                            _client, new AcquiredNode(created.Path, node.Sequence, created.Stat), owner: null, this, _options, onReleased: null);
                        return (new LockHandle(hold), false);
                    }

                    fired = await deadline.WaitAsync(signal.Fired, cancellationToken).ConfigureAwait(false);
                    if (!fired)
                    {
                        return (null, false);
                    }
                }
                finally
                {
                    if (!fired)
                    {
                        await OwnershipMonitor.RemoveWatcherQuietlyAsync(_client, _leasesPath, signal.Callback, WatcherType.Children).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception e) when (ClientExtensions.IsConnectionProblem(e))
        {
            // Start over under the mutex once connected (the mutex node may be gone with the session).
            if (!await _client.WaitUntilConnectedAsync(deadline.Remaining, cancellationToken).ConfigureAwait(false))
            {
                return (null, false);
            }

            return (null, true);
        }
        finally
        {
            if (!success && created is not null)
            {
                await _client.DeleteGuaranteedAsync(created.Path).ConfigureAwait(false);
            }
        }
    }
}
