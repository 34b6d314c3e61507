// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client.Internal;

namespace ZkAspire.Client.Tests.Unit;

/// <summary>The waits between connection attempts (<see cref="ReconnectBackoff"/>).</summary>
public sealed class ReconnectBackoffTests
{
    [Fact]
    public void TheBoundStartsSmallDoublesAndStopsAtTheJavaClientsSecond()
    {
        Assert.Equal(
            [50, 100, 200, 400, 800, 1000, 1000, 1000],
            Enumerable.Range(1, 8).Select(n => ReconnectBackoff.BoundAfter(n).TotalMilliseconds));
        Assert.Equal(ReconnectBackoff.MaxBound, ReconnectBackoff.BoundAfter(int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReconnectBackoff.BoundAfter(0));
    }

    [Fact]
    public void EveryWaitIsWithinItsBoundAndJittered()
    {
        var backoff = new ReconnectBackoff(new Random(8));
        for (var failed = 1; failed <= 10; failed++)
        {
            var bound = ReconnectBackoff.BoundAfter(failed);

            // The first retry may go at once; later ones wait at least half the bound, so they grow.
            var floor = failed == 1 ? TimeSpan.Zero : bound / 2;
            var delays = Enumerable.Range(0, 200).Select(_ => backoff.NextDelay(failed, cycled: false)).ToList();
            Assert.All(delays, d => Assert.InRange(d, floor, bound));
            Assert.True(delays.Distinct().Count() > 100, $"the waits after {failed} failures are not jittered");
        }
    }

    [Fact]
    public void TheSpinDelayIsAddedOnlyOnceTheBoundIsReached()
    {
        var backoff = new ReconnectBackoff(new Random(8));

        // A failover: every server refused once, the rotation is back at the first — no spin delay.
        for (var failed = 1; failed <= 5; failed++)
        {
            Assert.InRange(backoff.NextDelay(failed, cycled: true), TimeSpan.Zero, ReconnectBackoff.BoundAfter(failed));
        }

        // The ensemble is down for long: the Java client's waits, its spin delay included.
        Assert.InRange(
            backoff.NextDelay(6, cycled: true),
            ReconnectBackoff.SpinDelay + (ReconnectBackoff.MaxBound / 2),
            ReconnectBackoff.SpinDelay + ReconnectBackoff.MaxBound);
        Assert.InRange(backoff.NextDelay(6, cycled: false), ReconnectBackoff.MaxBound / 2, ReconnectBackoff.MaxBound);
    }
}
