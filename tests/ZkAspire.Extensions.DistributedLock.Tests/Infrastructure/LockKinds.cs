// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Medallion.Threading;
using ZkAspire.TestInfrastructure.Contract;

namespace ZkAspire.Extensions.DistributedLock.Tests.Infrastructure;

/// <summary>
/// An exclusive primitive under test, seen as an <see cref="IDistributedLock"/>: DistributedLock's
/// tests run the lock contract against every primitive that can exclude (its
/// <c>TestingLockProvider</c> strategies); ours are the mutex, the write lock and a semaphore of one.
/// </summary>
public abstract class LockKind
{
    /// <summary>Creates the primitive.</summary>
    public abstract IDistributedLock Create(ZooKeeperDistributedSynchronizationProvider provider, string name);
}

/// <summary>The mutex itself.</summary>
public sealed class MutexKind : LockKind
{
    /// <inheritdoc/>
    public override IDistributedLock Create(ZooKeeperDistributedSynchronizationProvider provider, string name) => provider.CreateLock(name);
}

/// <summary>The write lock of a reader-writer lock.</summary>
public sealed class WriteLockKind : LockKind
{
    /// <inheritdoc/>
    public override IDistributedLock Create(ZooKeeperDistributedSynchronizationProvider provider, string name) =>
        new WriteLockAsLock(provider.CreateReaderWriterLock(name));

    private sealed class WriteLockAsLock(IDistributedReaderWriterLock inner) : IDistributedLock
    {
        public string Name => inner.Name;

        public IDistributedSynchronizationHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
            inner.TryAcquireWriteLock(timeout, cancellationToken);

        public IDistributedSynchronizationHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
            inner.AcquireWriteLock(timeout, cancellationToken);

        public ValueTask<IDistributedSynchronizationHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
            inner.TryAcquireWriteLockAsync(timeout, cancellationToken);

        public ValueTask<IDistributedSynchronizationHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
            inner.AcquireWriteLockAsync(timeout, cancellationToken);
    }
}

/// <summary>A semaphore of one ticket.</summary>
public sealed class SemaphoreKind : LockKind
{
    /// <inheritdoc/>
    public override IDistributedLock Create(ZooKeeperDistributedSynchronizationProvider provider, string name) =>
        new SemaphoreAsLock(provider.CreateSemaphore(name, 1));

    private sealed class SemaphoreAsLock(IDistributedSemaphore inner) : IDistributedLock
    {
        public string Name => inner.Name;

        public IDistributedSynchronizationHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
            inner.TryAcquire(timeout, cancellationToken);

        public IDistributedSynchronizationHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
            inner.Acquire(timeout, cancellationToken);

        public ValueTask<IDistributedSynchronizationHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
            inner.TryAcquireAsync(timeout, cancellationToken);

        public ValueTask<IDistributedSynchronizationHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
            inner.AcquireAsync(timeout, cancellationToken);
    }
}
