// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Recipes.Locks;

/// <summary>Acquiring that throws instead of returning <see langword="null"/>.</summary>
public static class InterProcessLockExtensions
{
    /// <summary>Acquires the lock, waiting as long as it takes.</summary>
    /// <param name="lock">The lock.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The handle.</returns>
    public static Task<ILockHandle> AcquireAsync(this IInterProcessLock @lock, CancellationToken cancellationToken = default) =>
        AcquireAsync(@lock, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Acquires the lock, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="lock">The lock.</param>
    /// <param name="timeout">How long to wait (zero tries once).</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="TimeoutException">The lock was not acquired in time.</exception>
    public static Task<ILockHandle> AcquireAsync(this IInterProcessLock @lock, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@lock);

        // Not async: a reentrant lock attaches its owner to the caller's flow in the synchronous
        // part of TryAcquireAsync, and an async method here would keep that attachment to itself.
        return ThrowOnTimeoutAsync(@lock.TryAcquireAsync(timeout, cancellationToken), @lock.Path, timeout);
    }

    private static async Task<ILockHandle> ThrowOnTimeoutAsync(Task<ILockHandle?> attempt, string path, TimeSpan timeout) =>
        await attempt.ConfigureAwait(false)
            ?? throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"The lock {path} was not acquired within {timeout}."));
}
