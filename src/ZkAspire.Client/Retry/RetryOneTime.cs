// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>Retries once after a delay (Curator's <c>RetryOneTime</c>).</summary>
public sealed class RetryOneTime : RetryNTimes
{
    /// <summary>Creates the policy.</summary>
    /// <param name="sleepBeforeRetry">The delay before the retry.</param>
    public RetryOneTime(TimeSpan sleepBeforeRetry)
        : base(1, sleepBeforeRetry)
    {
    }
}
