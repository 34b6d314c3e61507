// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Medallion.Threading;
using ZkAspire.Client;
using ZkAspire.Extensions.DistributedLock.Internal;
using ZkAspire.Recipes.Locks;

namespace ZkAspire.Extensions.DistributedLock;

/// <summary>
/// An <see cref="IDistributedReaderWriterLock"/> on ZooKeeper: the shared-lock recipe of the
/// ZooKeeper docs ("Shared Locks") as Curator's <c>InterProcessReadWriteLock</c> lays it out
/// (<see cref="InterProcessReadWriteLock"/>: <c>__READ__</c> and <c>__WRIT__</c> nodes in one queue).
/// </summary>
/// <remarks>
/// <para>
/// Many readers or one writer. The queue is fair, which gives writers the preference
/// DistributedLock asks for: a reader waits for every writer queued before it, so once a writer
/// waits, readers that come later wait behind it (and a zero-timeout read attempt fails).
/// </para>
/// <para>Neither lock is reentrant, as DistributedLock defines them; a writer that asks for the read lock waits for itself.</para>
/// </remarks>
public sealed class ZooKeeperDistributedReaderWriterLock : IDistributedReaderWriterLock
{
    private readonly ZooKeeperClient _client;
    private readonly Recipes.RecipeOptions _recipeOptions;

    /// <summary>Creates a reader-writer lock.</summary>
    /// <param name="client">The client; the lock uses its session.</param>
    /// <param name="name">The name: any string, mapped to a znode under the base path (<see cref="ZooKeeperLockNames"/>).</param>
    /// <param name="options">The base path and error policy; the defaults when <see langword="null"/>.</param>
    public ZooKeeperDistributedReaderWriterLock(ZooKeeperClient client, string name, ZooKeeperDistributedLockOptions? options = null)
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

    /// <summary>Gets the lock's znode: the parent of the read and write nodes.</summary>
    public string Path { get; }

    /// <summary>Tries to acquire the read lock, blocking at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: zero (the default) tries once.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The handle, or <see langword="null"/> when the time ran out.</returns>
    public ZooKeeperDistributedLockHandle? TryAcquireReadLock(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        Acquisition.Run(TryAcquireReadLockAsync(timeout, cancellationToken));

    /// <summary>Acquires the read lock, blocking at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: <see langword="null"/> (the default) waits as long as it takes.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="TimeoutException">Not acquired in time.</exception>
    public ZooKeeperDistributedLockHandle AcquireReadLock(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Acquisition.Run(AcquireReadLockAsync(timeout, cancellationToken));

    /// <summary>Tries to acquire the read lock, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: zero (the default) tries once.</param>
    /// <param name="cancellationToken">Gives up; the waiter's node is deleted.</param>
    /// <returns>The handle, or <see langword="null"/> when the time ran out.</returns>
    public ValueTask<ZooKeeperDistributedLockHandle?> TryAcquireReadLockAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        TryAcquireCoreAsync(read: true, Acquisition.Validate(timeout), cancellationToken);

    /// <summary>Acquires the read lock, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: <see langword="null"/> (the default) waits as long as it takes.</param>
    /// <param name="cancellationToken">Gives up; the waiter's node is deleted.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="TimeoutException">Not acquired in time.</exception>
    public ValueTask<ZooKeeperDistributedLockHandle> AcquireReadLockAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var checkedTimeout = Acquisition.Validate(timeout);
        return Acquisition.OrThrowAsync(TryAcquireCoreAsync(read: true, checkedTimeout, cancellationToken), $"the read lock {Path}", checkedTimeout);
    }

    /// <summary>Tries to acquire the write lock, blocking at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: zero (the default) tries once.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The handle, or <see langword="null"/> when the time ran out.</returns>
    public ZooKeeperDistributedLockHandle? TryAcquireWriteLock(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        Acquisition.Run(TryAcquireWriteLockAsync(timeout, cancellationToken));

    /// <summary>Acquires the write lock, blocking at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: <see langword="null"/> (the default) waits as long as it takes.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="TimeoutException">Not acquired in time.</exception>
    public ZooKeeperDistributedLockHandle AcquireWriteLock(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Acquisition.Run(AcquireWriteLockAsync(timeout, cancellationToken));

    /// <summary>Tries to acquire the write lock, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: zero (the default) tries once.</param>
    /// <param name="cancellationToken">Gives up; the waiter's node is deleted.</param>
    /// <returns>The handle, or <see langword="null"/> when the time ran out.</returns>
    public ValueTask<ZooKeeperDistributedLockHandle?> TryAcquireWriteLockAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        TryAcquireCoreAsync(read: false, Acquisition.Validate(timeout), cancellationToken);

    /// <summary>Acquires the write lock, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait: <see langword="null"/> (the default) waits as long as it takes.</param>
    /// <param name="cancellationToken">Gives up; the waiter's node is deleted.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="TimeoutException">Not acquired in time.</exception>
    public ValueTask<ZooKeeperDistributedLockHandle> AcquireWriteLockAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var checkedTimeout = Acquisition.Validate(timeout);
        return Acquisition.OrThrowAsync(TryAcquireCoreAsync(read: false, checkedTimeout, cancellationToken), $"the write lock {Path}", checkedTimeout);
    }

    IDistributedSynchronizationHandle? IDistributedReaderWriterLock.TryAcquireReadLock(TimeSpan timeout, CancellationToken cancellationToken) =>
        TryAcquireReadLock(timeout, cancellationToken);

    IDistributedSynchronizationHandle IDistributedReaderWriterLock.AcquireReadLock(TimeSpan? timeout, CancellationToken cancellationToken) =>
        AcquireReadLock(timeout, cancellationToken);

    ValueTask<IDistributedSynchronizationHandle?> IDistributedReaderWriterLock.TryAcquireReadLockAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Acquisition.AsInterfaceAsync(TryAcquireReadLockAsync(timeout, cancellationToken));

    ValueTask<IDistributedSynchronizationHandle> IDistributedReaderWriterLock.AcquireReadLockAsync(TimeSpan? timeout, CancellationToken cancellationToken) =>
        Acquisition.AsRequiredInterfaceAsync(AcquireReadLockAsync(timeout, cancellationToken));

    IDistributedSynchronizationHandle? IDistributedReaderWriterLock.TryAcquireWriteLock(TimeSpan timeout, CancellationToken cancellationToken) =>
        TryAcquireWriteLock(timeout, cancellationToken);

    IDistributedSynchronizationHandle IDistributedReaderWriterLock.AcquireWriteLock(TimeSpan? timeout, CancellationToken cancellationToken) =>
        AcquireWriteLock(timeout, cancellationToken);

    ValueTask<IDistributedSynchronizationHandle?> IDistributedReaderWriterLock.TryAcquireWriteLockAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Acquisition.AsInterfaceAsync(TryAcquireWriteLockAsync(timeout, cancellationToken));

    ValueTask<IDistributedSynchronizationHandle> IDistributedReaderWriterLock.AcquireWriteLockAsync(TimeSpan? timeout, CancellationToken cancellationToken) =>
        Acquisition.AsRequiredInterfaceAsync(AcquireWriteLockAsync(timeout, cancellationToken));

    private ValueTask<ZooKeeperDistributedLockHandle?> TryAcquireCoreAsync(bool read, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // A fresh recipe instance per acquire: the recipe re-enters per instance and async flow
        // (and lets a writer take the read lock), DistributedLock's locks never re-enter.
        var recipe = new InterProcessReadWriteLock(_client, Path, nodeData: null, _recipeOptions);
        var mutex = read ? recipe.ReadLock : recipe.WriteLock;
        return Acquisition.TryAsync(mutex.TryAcquireAsync, timeout, cancellationToken);
    }
}
