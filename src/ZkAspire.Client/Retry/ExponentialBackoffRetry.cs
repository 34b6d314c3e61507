// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>
/// Retries a set number of times with a random, exponentially growing delay, capped (Curator's
/// <c>ExponentialBackoffRetry</c> and <c>BoundedExponentialBackoffRetry</c>): before retry n the
/// delay is <c>baseSleep × max(1, random(0 … 2^(n+1) − 1))</c>, at most <c>maxSleep</c>.
/// </summary>
public sealed class ExponentialBackoffRetry : IRetryPolicy
{
    /// <summary>The most retries allowed, as in Curator (so 2^(n+1) does not overflow).</summary>
    public const int MaxRetriesLimit = 29;

    private readonly Random _random;

    /// <summary>Creates the policy.</summary>
    /// <param name="baseSleep">The base delay.</param>
    /// <param name="maxRetries">How many retries (at most <see cref="MaxRetriesLimit"/>).</param>
    /// <param name="maxSleep">The largest delay; unbounded by default.</param>
    public ExponentialBackoffRetry(TimeSpan baseSleep, int maxRetries, TimeSpan? maxSleep = null)
        : this(baseSleep, maxRetries, maxSleep, Random.Shared)
    {
    }

    internal ExponentialBackoffRetry(TimeSpan baseSleep, int maxRetries, TimeSpan? maxSleep, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(baseSleep, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxRetries, MaxRetriesLimit);
        if (maxSleep is { } cap)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(cap, TimeSpan.Zero, nameof(maxSleep));
        }

        BaseSleep = baseSleep;
        MaxRetries = maxRetries;
        MaxSleep = maxSleep ?? TimeSpan.MaxValue;
        _random = random;
    }

    /// <summary>Gets the base delay.</summary>
    public TimeSpan BaseSleep { get; }

    /// <summary>Gets how many retries are allowed.</summary>
    public int MaxRetries { get; }

    /// <summary>Gets the largest delay.</summary>
    public TimeSpan MaxSleep { get; }

    /// <inheritdoc/>
    public bool AllowRetry(int retryCount, TimeSpan elapsed, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        if (retryCount >= MaxRetries)
        {
            return false;
        }

        var factor = Math.Max(1, _random.Next(1 << (retryCount + 1)));
        var ticks = Math.Min((double)BaseSleep.Ticks * factor, MaxSleep.Ticks);
        delay = TimeSpan.FromTicks((long)ticks);
        return true;
    }
}
