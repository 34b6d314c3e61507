// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client.Internal;

/// <summary>
/// How long the connection loop waits before a connection attempt that follows a failed one:
/// a short random moment for the first retry, then a jittered exponential backoff up to the Java
/// client's bound, and the Java client's spin delay only once that bound is reached.
/// </summary>
/// <remarks>
/// <para>
/// The Java client (<c>ClientCnxn.SendThread.startConnect</c>) waits a random 0–1000 ms before
/// every attempt after the first, and <c>StaticHostProvider.next</c> adds a one-second spin delay
/// each time it has cycled through every server. In a leader failover that is most of the time the
/// client is away: the followers refuse sessions during the election (ZooKeeper Administrator's
/// Guide, "Leader election"), so the first attempts fail by design and the client then sleeps up to
/// a second — or two after a full cycle — while a new leader already answers.
/// </para>
/// <para>
/// This schedule keeps the Java client's protection against a stampede on a server that is down
/// for long (after <see cref="BoundDoublings"/> failures the waits are the Java client's: random up
/// to <see cref="MaxBound"/>, plus <see cref="SpinDelay"/> after each full cycle) and spends little
/// time when the ensemble recovers quickly: the first retry waits a random 0–50 ms, and the bound
/// then doubles with each failure, each wait drawn from the upper half of the bound so that the
/// waits grow while clients that failed together still spread out ("equal jitter").
/// </para>
/// </remarks>
internal sealed class ReconnectBackoff
{
    /// <summary>The bound of the wait before the first retry after a failed attempt.</summary>
    public static readonly TimeSpan FirstRetryBound = TimeSpan.FromMilliseconds(50);

    /// <summary>The Java client's bound of the random wait between attempts (<c>ClientCnxn</c>: 0–1000 ms).</summary>
    public static readonly TimeSpan MaxBound = TimeSpan.FromSeconds(1);

    /// <summary>The Java client's wait after trying every server in vain (<c>StaticHostProvider</c> spinDelay).</summary>
    public static readonly TimeSpan SpinDelay = TimeSpan.FromSeconds(1);

    /// <summary>How many times the bound doubles from <see cref="FirstRetryBound"/> before it is capped at <see cref="MaxBound"/>.</summary>
    private const int BoundDoublings = 5;

    private readonly Random _random;

    /// <summary>Creates the schedule.</summary>
    /// <param name="random">The source of the jitter.</param>
    public ReconnectBackoff(Random random)
    {
        _random = random;
    }

    /// <summary>Gets the bound of the wait before the attempt that follows <paramref name="failedAttempts"/> failed ones.</summary>
    /// <param name="failedAttempts">The attempts that failed since the client was last connected: one or more.</param>
    /// <returns>The bound, at most <see cref="MaxBound"/>.</returns>
    public static TimeSpan BoundAfter(int failedAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        var doublings = Math.Min(failedAttempts - 1, BoundDoublings);
        var bound = FirstRetryBound * (1 << doublings);
        return bound < MaxBound ? bound : MaxBound;
    }

    /// <summary>Draws the wait before the attempt that follows <paramref name="failedAttempts"/> failed ones.</summary>
    /// <param name="failedAttempts">The attempts that failed since the client was last connected: one or more.</param>
    /// <param name="cycled">Whether the next server is the one the rotation started from (every server was tried).</param>
    /// <returns>The wait.</returns>
    public TimeSpan NextDelay(int failedAttempts, bool cycled)
    {
        var bound = BoundAfter(failedAttempts);
        var delay = failedAttempts == 1
            ? bound * _random.NextDouble()
            : (bound / 2) + ((bound / 2) * _random.NextDouble());
        return cycled && bound == MaxBound ? delay + SpinDelay : delay;
    }
}
