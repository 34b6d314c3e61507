// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Recipes.Locks;

namespace ZkAspire.Extensions.DistributedLock.Internal;

/// <summary>What the three primitives share: DistributedLock's argument rules, timeouts and sync-over-async.</summary>
internal static class Acquisition
{
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>
    /// Checks a timeout as DistributedLock does (<c>TimeoutValue</c>): <see langword="null"/> and
    /// <see cref="Timeout.InfiniteTimeSpan"/> wait forever; otherwise zero to
    /// <see cref="int.MaxValue"/> milliseconds.
    /// </summary>
    /// <param name="timeout">The timeout.</param>
    /// <param name="parameterName">The caller's parameter.</param>
    /// <returns>The timeout for the recipes.</returns>
    public static TimeSpan Validate(TimeSpan? timeout, string parameterName = "timeout")
    {
        if (timeout is not { } value || value == Timeout.InfiniteTimeSpan)
        {
            return Timeout.InfiniteTimeSpan;
        }

        if (value < TimeSpan.Zero || value > MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(parameterName, value, "The timeout must be Timeout.InfiniteTimeSpan, or from zero to int.MaxValue milliseconds.");
        }

        return value;
    }

    /// <summary>Runs one attempt and wraps the handle it returns.</summary>
    /// <param name="attempt">The recipe's acquire.</param>
    /// <param name="timeout">A validated timeout.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The handle, or <see langword="null"/> when the time ran out.</returns>
    public static async ValueTask<ZooKeeperDistributedLockHandle?> TryAsync(
        Func<TimeSpan, CancellationToken, Task<ILockHandle?>> attempt, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // An already-cancelled token cancels the task rather than trying (DistributedLock's contract:
        // the async methods return a cancelled task, the sync ones throw).
        cancellationToken.ThrowIfCancellationRequested();
        var handle = await attempt(timeout, cancellationToken).ConfigureAwait(false);
        return handle is null ? null : new ZooKeeperDistributedLockHandle(handle);
    }

    /// <summary>Turns a timed-out attempt into a <see cref="TimeoutException"/>.</summary>
    /// <param name="attempt">The attempt.</param>
    /// <param name="what">What was being acquired, for the message.</param>
    /// <param name="timeout">The timeout, for the message.</param>
    /// <returns>The handle.</returns>
    public static async ValueTask<ZooKeeperDistributedLockHandle> OrThrowAsync(ValueTask<ZooKeeperDistributedLockHandle?> attempt, string what, TimeSpan timeout) =>
        await attempt.ConfigureAwait(false)
            ?? throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"Timed out after {timeout} acquiring {what}."));

    /// <summary>Widens the handle type for the DistributedLock interfaces.</summary>
    /// <param name="attempt">The attempt.</param>
    /// <returns>The handle.</returns>
    public static async ValueTask<Medallion.Threading.IDistributedSynchronizationHandle?> AsInterfaceAsync(ValueTask<ZooKeeperDistributedLockHandle?> attempt) =>
        await attempt.ConfigureAwait(false);

    /// <summary>Widens the handle type for the DistributedLock interfaces.</summary>
    /// <param name="attempt">The attempt.</param>
    /// <returns>The handle.</returns>
    public static async ValueTask<Medallion.Threading.IDistributedSynchronizationHandle> AsRequiredInterfaceAsync(ValueTask<ZooKeeperDistributedLockHandle> attempt) =>
        await attempt.ConfigureAwait(false);

    /// <summary>
    /// Blocks on an async operation, for DistributedLock's synchronous methods. The client has no
    /// synchronous API (DistributedLock's own ZooKeeper provider blocks the same way, for the same
    /// reason); the recipes use <c>ConfigureAwait(false)</c> throughout, so no context is needed.
    /// </summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="operation">The operation.</param>
    /// <returns>Its result.</returns>
    public static T Run<T>(ValueTask<T> operation)
    {
#pragma warning disable VSTHRD002 // Sync-over-async is the point of the synchronous DistributedLock methods.
        return operation.IsCompletedSuccessfully ? operation.Result : operation.AsTask().GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
    }

    /// <summary>Blocks on an async operation; see <see cref="Run{T}(ValueTask{T})"/>.</summary>
    /// <param name="operation">The operation.</param>
    public static void Run(ValueTask operation)
    {
        if (!operation.IsCompletedSuccessfully)
        {
#pragma warning disable VSTHRD002 // As above.
            operation.AsTask().GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        }
    }
}
