// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Medallion.Threading;
using ZkAspire.Client;
using ZkAspire.Extensions.DistributedLock.Internal;
using ZkAspire.Recipes.Locks;

namespace ZkAspire.Extensions.DistributedLock;

/// <summary>
/// An <see cref="IDistributedSemaphore"/> on ZooKeeper: Curator's <c>InterProcessSemaphoreV2</c>
/// (<see cref="InterProcessSemaphoreV2"/>: lease nodes under <c>{path}/leases</c>, acquirers queued
/// on a mutex at <c>{path}/locks</c>), so at most <see cref="MaxCount"/> tickets are held at once.
/// </summary>
/// <remarks>
/// ZooKeeper stores no count: every process using a name must give the same
/// <see cref="MaxCount"/> (as with Curator and DistributedLock's own ZooKeeper semaphore). Tickets
/// are not reentrant: a flow that asks twice takes two tickets.
/// </remarks>
public sealed class ZooKeeperDistributedSemaphore : IDistributedSemaphore
{
    private readonly InterProcessSemaphoreV2 _semaphore;

    /// <summary>Creates a semaphore.</summary>
    /// <param name="client">The client; the semaphore uses its session.</param>
    /// <param name="name">The name: any string, mapped to a znode under the base path (<see cref="ZooKeeperLockNames"/>).</param>
    /// <param name="maxCount">How many tickets may be held at once (at least 1).</param>
    /// <param name="options">The base path and error policy; the defaults when <see langword="null"/>.</param>
    public ZooKeeperDistributedSemaphore(ZooKeeperClient client, string name, int maxCount, ZooKeeperDistributedLockOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        options ??= new ZooKeeperDistributedLockOptions();
        Name = name;
        MaxCount = maxCount;
        Path = ZooKeeperLockNames.GetPath(options.BasePath, name);
        _semaphore = new InterProcessSemaphoreV2(client, Path, maxCount, nodeData: null, options.ToRecipeOptions());
    }

    /// <summary>Gets the name the semaphore was created with.</summary>
    public string Name { get; }

    /// <summary>Gets the semaphore's znode.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public int MaxCount { get; }

    /// <summary>Tries to take a ticket, blocking at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: zero (the default) tries once.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The handle, or <see langword="null"/> when the time ran out.</returns>
    public ZooKeeperDistributedLockHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        Acquisition.Run(TryAcquireAsync(timeout, cancellationToken));

    /// <summary>Takes a ticket, blocking at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: <see langword="null"/> (the default) waits as long as it takes.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="TimeoutException">No ticket in time.</exception>
    public ZooKeeperDistributedLockHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Acquisition.Run(AcquireAsync(timeout, cancellationToken));

    /// <summary>Tries to take a ticket, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: zero (the default) tries once.</param>
    /// <param name="cancellationToken">Gives up; nodes already created are deleted.</param>
    /// <returns>The handle, or <see langword="null"/> when the time ran out.</returns>
    public ValueTask<ZooKeeperDistributedLockHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        Acquisition.TryAsync(TakeAsync, Acquisition.Validate(timeout), cancellationToken);

    /// <summary>Takes a ticket, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: <see langword="null"/> (the default) waits as long as it takes.</param>
    /// <param name="cancellationToken">Gives up; nodes already created are deleted.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="TimeoutException">No ticket in time.</exception>
    public ValueTask<ZooKeeperDistributedLockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var checkedTimeout = Acquisition.Validate(timeout);
        return Acquisition.OrThrowAsync(Acquisition.TryAsync(TakeAsync, checkedTimeout, cancellationToken), $"a ticket of the semaphore {Path}", checkedTimeout);
    }

    IDistributedSynchronizationHandle? IDistributedSemaphore.TryAcquire(TimeSpan timeout, CancellationToken cancellationToken) =>
        TryAcquire(timeout, cancellationToken);

    IDistributedSynchronizationHandle IDistributedSemaphore.Acquire(TimeSpan? timeout, CancellationToken cancellationToken) =>
        Acquire(timeout, cancellationToken);

    ValueTask<IDistributedSynchronizationHandle?> IDistributedSemaphore.TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Acquisition.AsInterfaceAsync(TryAcquireAsync(timeout, cancellationToken));

    ValueTask<IDistributedSynchronizationHandle> IDistributedSemaphore.AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken) =>
        Acquisition.AsRequiredInterfaceAsync(AcquireAsync(timeout, cancellationToken));

    private async Task<ILockHandle?> TakeAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await _semaphore.TryAcquireAsync(timeout, cancellationToken).ConfigureAwait(false);
}
