// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Barriers;

/// <summary>
/// A barrier (Curator's <c>DistributedBarrier</c>, ZooKeeper recipes "Barriers"): while its node
/// exists, waiters wait; removing the node releases them all. The node is persistent, so the
/// barrier outlives the session that set it.
/// </summary>
public sealed class DistributedBarrier
{
    private readonly ZooKeeperClient _client;
    private readonly TimeProvider _time;

    /// <summary>Creates a barrier.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The barrier's node.</param>
    /// <param name="timeProvider">The clock of the timeouts.</param>
    public DistributedBarrier(ZooKeeperClient client, string path, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _time = timeProvider ?? TimeProvider.System;
        Path = RecipePaths.Validate(path, nameof(path));
    }

    /// <summary>Gets the barrier's node.</summary>
    public string Path { get; }

    /// <summary>Sets the barrier: creates its node (parents as containers); setting it twice is harmless.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the barrier is set.</returns>
    public async Task SetBarrierAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.CreateAsync(Path, [], new CreateOptions { Parents = ParentCreation.Container }, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
        }
    }

    /// <summary>Removes the barrier, releasing every waiter; removing it twice is harmless.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when removed.</returns>
    public async Task RemoveBarrierAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.DeleteAsync(Path, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
        }
    }

    /// <summary>Waits until the barrier is removed (at once when it is not set).</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for as long as it takes.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> when the barrier is gone; <see langword="false"/> when the time ran out.</returns>
    public async Task<bool> WaitOnBarrierAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.Start(timeout, _time);
        while (true)
        {
            var signal = new WatchSignal();
            try
            {
                if (await _client.ExistsAsync(Path, signal.Callback, cancellationToken).ConfigureAwait(false) is null)
                {
                    return true;
                }
            }
            catch (Exception e) when (ClientExtensions.IsConnectionProblem(e))
            {
                if (!await _client.WaitUntilConnectedAsync(deadline.Remaining, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                continue;
            }

            var fired = false;
            try
            {
                fired = await deadline.WaitAsync(signal.Fired, cancellationToken).ConfigureAwait(false);
                if (!fired)
                {
                    return false;
                }
            }
            finally
            {
                if (!fired)
                {
                    await OwnershipMonitor.RemoveWatcherQuietlyAsync(_client, Path, signal.Callback, Protocol.WatcherType.Data).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Waits until the barrier is removed, as long as it takes.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the barrier is gone.</returns>
    public Task WaitOnBarrierAsync(CancellationToken cancellationToken = default) => WaitOnBarrierAsync(Timeout.InfiniteTimeSpan, cancellationToken);
}
