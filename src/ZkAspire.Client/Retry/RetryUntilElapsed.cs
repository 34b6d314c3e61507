// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>
/// Retries with a fixed delay until a time has elapsed since the first attempt (Curator's
/// <c>RetryUntilElapsed</c>).
/// </summary>
public sealed class RetryUntilElapsed : IRetryPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="maxElapsed">How long after the first attempt retries stop.</param>
    /// <param name="sleepBetweenRetries">The delay before each retry.</param>
    public RetryUntilElapsed(TimeSpan maxElapsed, TimeSpan sleepBetweenRetries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxElapsed, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(sleepBetweenRetries, TimeSpan.Zero);
        MaxElapsed = maxElapsed;
        SleepBetweenRetries = sleepBetweenRetries;
    }

    /// <summary>Gets how long after the first attempt retries stop.</summary>
    public TimeSpan MaxElapsed { get; }

    /// <summary>Gets the delay before each retry.</summary>
    public TimeSpan SleepBetweenRetries { get; }

    /// <inheritdoc/>
    public bool AllowRetry(int retryCount, TimeSpan elapsed, out TimeSpan delay)
    {
        delay = SleepBetweenRetries;
        return elapsed < MaxElapsed;
    }
}
