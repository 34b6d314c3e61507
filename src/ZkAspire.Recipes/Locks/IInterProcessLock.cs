// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Recipes.Locks;

/// <summary>A lock that processes share through ZooKeeper (Curator's <c>InterProcessLock</c>).</summary>
public interface IInterProcessLock
{
    /// <summary>Gets the lock's path.</summary>
    string Path { get; }

    /// <summary>Acquires the lock, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">
    /// How long to wait: <see cref="TimeSpan.Zero"/> tries once (Curator TN2),
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits until acquired. Connection failures are waited
    /// out within this time.
    /// </param>
    /// <param name="cancellationToken">Gives up; the waiter's node is deleted.</param>
    /// <returns>The handle, or <see langword="null"/> when the time ran out.</returns>
    Task<ILockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}
