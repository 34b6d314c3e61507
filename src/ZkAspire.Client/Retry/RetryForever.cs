// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>Retries without limit, with a fixed delay (Curator's <c>RetryForever</c>); cancellation still stops it.</summary>
public sealed class RetryForever : IRetryPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="sleepBetweenRetries">The delay before each retry.</param>
    public RetryForever(TimeSpan sleepBetweenRetries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sleepBetweenRetries, TimeSpan.Zero);
        SleepBetweenRetries = sleepBetweenRetries;
    }

    /// <summary>Gets the delay before each retry.</summary>
    public TimeSpan SleepBetweenRetries { get; }

    /// <inheritdoc/>
    public bool AllowRetry(int retryCount, TimeSpan elapsed, out TimeSpan delay)
    {
        delay = SleepBetweenRetries;
        return true;
    }
}
