// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>Retries a set number of times with a fixed delay (Curator's <c>RetryNTimes</c>).</summary>
public class RetryNTimes : IRetryPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="maxRetries">How many retries; 0 never retries.</param>
    /// <param name="sleepBetweenRetries">The delay before each retry.</param>
    public RetryNTimes(int maxRetries, TimeSpan sleepBetweenRetries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThan(sleepBetweenRetries, TimeSpan.Zero);
        MaxRetries = maxRetries;
        SleepBetweenRetries = sleepBetweenRetries;
    }

    /// <summary>Gets a policy that never retries.</summary>
    public static IRetryPolicy Never { get; } = new RetryNTimes(0, TimeSpan.Zero);

    /// <summary>Gets how many retries are allowed.</summary>
    public int MaxRetries { get; }

    /// <summary>Gets the delay before each retry.</summary>
    public TimeSpan SleepBetweenRetries { get; }

    /// <inheritdoc/>
    public bool AllowRetry(int retryCount, TimeSpan elapsed, out TimeSpan delay)
    {
        delay = SleepBetweenRetries;
        return retryCount < MaxRetries;
    }
}
