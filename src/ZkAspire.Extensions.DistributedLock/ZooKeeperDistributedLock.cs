// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Medallion.Threading;
using ZkAspire.Client;
using ZkAspire.Extensions.DistributedLock.Internal;
using ZkAspire.Recipes.Locks;

namespace ZkAspire.Extensions.DistributedLock;

/// <summary>
/// An <see cref="IDistributedLock"/> on ZooKeeper: the lock recipe of the ZooKeeper docs ("Locks":
/// ephemeral-sequential nodes, each waiter watching its predecessor) as Curator's
/// <c>InterProcessMutex</c> lays it out (<see cref="InterProcessMutex"/>), so Java processes using
/// Curator on the same path take part in the same lock.
/// </summary>
/// <remarks>
/// As DistributedLock defines it, the lock is not reentrant: a second acquire waits for the first
/// handle even on the same thread or async flow (the recipe's own flow-reentrancy is not used:
/// every acquire goes through a fresh recipe instance).
/// </remarks>
public sealed class ZooKeeperDistributedLock : IDistributedLock
{
    private readonly ZooKeeperClient _client;
    private readonly Recipes.RecipeOptions _recipeOptions;

    /// <summary>Creates a lock.</summary>
    /// <param name="client">The client; the lock uses its session.</param>
    /// <param name="name">The name: any string, mapped to a znode under the base path (<see cref="ZooKeeperLockNames"/>).</param>
    /// <param name="options">The base path and error policy; the defaults when <see langword="null"/>.</param>
    public ZooKeeperDistributedLock(ZooKeeperClient client, string name, ZooKeeperDistributedLockOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(name);
        options ??= new ZooKeeperDistributedLockOptions();
        _client = client;
        _recipeOptions = options.ToRecipeOptions();
        Name = name;
        Path = ZooKeeperLockNames.GetPath(options.BasePath, name);
    }

    /// <summary>Gets the name the lock was created with.</summary>
    public string Name { get; }

    /// <summary>Gets the lock's znode: the parent of the lock nodes.</summary>
    public string Path { get; }

    /// <summary>Tries to acquire the lock, blocking at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: zero (the default) tries once.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The handle, or <see langword="null"/> when the time ran out.</returns>
    public ZooKeeperDistributedLockHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        Acquisition.Run(TryAcquireAsync(timeout, cancellationToken));

    /// <summary>Acquires the lock, blocking at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: <see langword="null"/> (the default) waits as long as it takes.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="TimeoutException">Not acquired in time.</exception>
    public ZooKeeperDistributedLockHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Acquisition.Run(AcquireAsync(timeout, cancellationToken));

    /// <summary>Tries to acquire the lock, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: zero (the default) tries once.</param>
    /// <param name="cancellationToken">Gives up; the waiter's node is deleted.</param>
    /// <returns>The handle, or <see langword="null"/> when the time ran out.</returns>
    public ValueTask<ZooKeeperDistributedLockHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default)
    {
        var checkedTimeout = Acquisition.Validate(timeout);
        return Acquisition.TryAsync(NewMutex().TryAcquireAsync, checkedTimeout, cancellationToken);
    }

    /// <summary>Acquires the lock, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: <see langword="null"/> (the default) waits as long as it takes.</param>
    /// <param name="cancellationToken">Gives up; the waiter's node is deleted.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="TimeoutException">Not acquired in time.</exception>
    public ValueTask<ZooKeeperDistributedLockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var checkedTimeout = Acquisition.Validate(timeout);
        return Acquisition.OrThrowAsync(Acquisition.TryAsync(NewMutex().TryAcquireAsync, checkedTimeout, cancellationToken), $"the lock {Path}", checkedTimeout);
    }

    IDistributedSynchronizationHandle? IDistributedLock.TryAcquire(TimeSpan timeout, CancellationToken cancellationToken) =>
        TryAcquire(timeout, cancellationToken);

    IDistributedSynchronizationHandle IDistributedLock.Acquire(TimeSpan? timeout, CancellationToken cancellationToken) =>
        Acquire(timeout, cancellationToken);

    ValueTask<IDistributedSynchronizationHandle?> IDistributedLock.TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Acquisition.AsInterfaceAsync(TryAcquireAsync(timeout, cancellationToken));

    ValueTask<IDistributedSynchronizationHandle> IDistributedLock.AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken) =>
        Acquisition.AsRequiredInterfaceAsync(AcquireAsync(timeout, cancellationToken));

    // A fresh recipe instance per acquire: InterProcessMutex re-enters per instance and async flow,
    // DistributedLock's locks never re-enter.
    private InterProcessMutex NewMutex() => new(_client, Path, _recipeOptions);
}
