// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// Polls a condition that no event announces (state seen through a server, or a process state
/// the kernel reports only in /proc), bounded in time.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="timeout">How long to try (10 s by default).</param>
    /// <param name="interval">How long between tries (20 ms by default).</param>
    /// <param name="what">What was awaited, for the exception's message.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    /// <exception cref="TimeoutException">It did not hold in time.</exception>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, TimeSpan? interval = null, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(what ?? "The condition did not hold in time.");
            }

            await Task.Delay(interval ?? DefaultInterval).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="timeout">How long to try (10 s by default).</param>
    /// <param name="interval">How long between tries (20 ms by default).</param>
    /// <param name="what">What was awaited, for the exception's message.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    /// <exception cref="TimeoutException">It did not hold in time.</exception>
    public static Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null, TimeSpan? interval = null, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(() => Task.FromResult(condition()), timeout, interval, what);
    }
}
