// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>
/// Runs an operation under a retry policy (Curator's <c>RetryLoop</c>), for compound operations
/// of your own; the client's operations already run under <see cref="ZooKeeperClientOptions.RetryPolicy"/>.
/// </summary>
public static class RetryLoop
{
    /// <summary>Runs <paramref name="operation"/>, retrying retryable failures as <paramref name="policy"/> allows.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="policy">The retry policy.</param>
    /// <param name="operation">The operation; it receives the cancellation token.</param>
    /// <param name="idempotent">
    /// Whether running the operation twice is harmless, so that failures after a request was sent
    /// may be retried too (see <see cref="IRetryPolicy"/>).
    /// </param>
    /// <param name="timeProvider">The clock of the delays; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="cancellationToken">Stops the retries and the delays.</param>
    /// <returns>The operation's result.</returns>
    public static async Task<T> RunAsync<T>(
        IRetryPolicy policy,
        Func<CancellationToken, Task<T>> operation,
        bool idempotent = true,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(operation);
        var time = timeProvider ?? TimeProvider.System;
        var started = time.GetTimestamp();
        var retryCount = 0;
        while (true)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (KeeperException e) when (IsRetryable(e, idempotent))
            {
                if (!policy.AllowRetry(retryCount, time.GetElapsedTime(started), out var delay))
                {
                    throw;
                }

                retryCount++;
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Runs <paramref name="operation"/>, retrying retryable failures as <paramref name="policy"/> allows.</summary>
    /// <param name="policy">The retry policy.</param>
    /// <param name="operation">The operation; it receives the cancellation token.</param>
    /// <param name="idempotent">Whether running the operation twice is harmless.</param>
    /// <param name="timeProvider">The clock of the delays; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="cancellationToken">Stops the retries and the delays.</param>
    /// <returns>A task that completes when the operation has succeeded.</returns>
    public static Task RunAsync(
        IRetryPolicy policy,
        Func<CancellationToken, Task> operation,
        bool idempotent = true,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return RunAsync(
            policy,
            async ct =>
            {
                await operation(ct).ConfigureAwait(false);
                return true;
            },
            idempotent,
            timeProvider,
            cancellationToken);
    }

    /// <summary>Whether a failure may be retried (see <see cref="IRetryPolicy"/>).</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="idempotent">Whether running the operation twice is harmless.</param>
    /// <returns><see langword="true"/> if a retry is safe and may help.</returns>
    public static bool IsRetryable(Exception exception, bool idempotent) => exception switch
    {
        ConnectionLossException loss => idempotent || !loss.RequestSent,
        OperationTimeoutException => idempotent,
        SessionMovedException => true,
        _ => false,
    };
}
