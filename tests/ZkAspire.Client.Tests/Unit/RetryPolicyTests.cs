// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Time.Testing;
using ZkAspire.Client.Tests.Infrastructure;

namespace ZkAspire.Client.Tests.Unit;

/// <summary>The retry policies and the retry loop, on a fake clock.</summary>
public sealed class RetryPolicyTests
{
    [Fact]
    public void ExponentialBackoffGrowsRandomlyWithinItsBoundsAndStops()
    {
        var policy = new ExponentialBackoffRetry(TimeSpan.FromMilliseconds(10), 5, TimeSpan.FromMilliseconds(200), new Random(42));
        for (var retry = 0; retry < 5; retry++)
        {
            for (var sample = 0; sample < 50; sample++)
            {
                Assert.True(policy.AllowRetry(retry, TimeSpan.Zero, out var delay));

                // baseSleep × max(1, random(0 … 2^(n+1) − 1)), capped.
                var upper = Math.Min(200, 10 * ((1 << (retry + 1)) - 1));
                Assert.InRange(delay.TotalMilliseconds, 10, upper);
            }
        }

        Assert.False(policy.AllowRetry(5, TimeSpan.Zero, out _));
    }

    [Fact]
    public void ExponentialBackoffReachesItsCap()
    {
        var policy = new ExponentialBackoffRetry(TimeSpan.FromSeconds(1), 29, TimeSpan.FromSeconds(3), new Random(1));
        var delays = Enumerable.Range(0, 200).Select(_ => policy.AllowRetry(20, TimeSpan.Zero, out var d) ? d : TimeSpan.Zero).ToList();
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)));
        Assert.Contains(TimeSpan.FromSeconds(3), delays);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialBackoffRetry(TimeSpan.FromSeconds(1), 30));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialBackoffRetry(TimeSpan.FromSeconds(-1), 3));
    }

    [Fact]
    public void FixedPoliciesCountOrTime()
    {
        var n = new RetryNTimes(2, TimeSpan.FromMilliseconds(5));
        Assert.True(n.AllowRetry(0, TimeSpan.Zero, out var delay));
        Assert.Equal(TimeSpan.FromMilliseconds(5), delay);
        Assert.True(n.AllowRetry(1, TimeSpan.FromDays(1), out _));
        Assert.False(n.AllowRetry(2, TimeSpan.Zero, out _));

        var once = new RetryOneTime(TimeSpan.FromSeconds(1));
        Assert.True(once.AllowRetry(0, TimeSpan.Zero, out _));
        Assert.False(once.AllowRetry(1, TimeSpan.Zero, out _));
        Assert.False(RetryNTimes.Never.AllowRetry(0, TimeSpan.Zero, out _));

        var elapsed = new RetryUntilElapsed(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        Assert.True(elapsed.AllowRetry(1000, TimeSpan.FromSeconds(9.9), out _));
        Assert.False(elapsed.AllowRetry(0, TimeSpan.FromSeconds(10), out _));

        var forever = new RetryForever(TimeSpan.FromMilliseconds(7));
        Assert.True(forever.AllowRetry(int.MaxValue, TimeSpan.MaxValue, out delay));
        Assert.Equal(TimeSpan.FromMilliseconds(7), delay);
    }

    [Fact]
    public void OnlySafeFailuresAreRetryable()
    {
        Assert.True(RetryLoop.IsRetryable(new ConnectionLossException("/a", requestSent: false), idempotent: false));
        Assert.False(RetryLoop.IsRetryable(new ConnectionLossException("/a", requestSent: true), idempotent: false));
        Assert.True(RetryLoop.IsRetryable(new ConnectionLossException("/a", requestSent: true), idempotent: true));
        Assert.True(RetryLoop.IsRetryable(new OperationTimeoutException("/a"), idempotent: true));
        Assert.False(RetryLoop.IsRetryable(new OperationTimeoutException("/a"), idempotent: false));
        Assert.True(RetryLoop.IsRetryable(new SessionMovedException("/a"), idempotent: false));
        Assert.False(RetryLoop.IsRetryable(new SessionExpiredException("/a"), idempotent: true));
        Assert.False(RetryLoop.IsRetryable(new NoNodeException("/a"), idempotent: true));
        Assert.False(RetryLoop.IsRetryable(new InvalidOperationException(), idempotent: true));
    }

    [Fact]
    public async Task TheLoopWaitsTheDelaysOnTheGivenClock()
    {
        var time = new FakeTimeProvider();
        var attempts = new Recorder<int>();
        var count = 0;
        var run = RetryLoop.RunAsync(
            new RetryNTimes(3, TimeSpan.FromSeconds(10)),
            _ =>
            {
                attempts.Add(++count);
                return count < 3 ? Task.FromException<int>(new ConnectionLossException()) : Task.FromResult(count);
            },
            timeProvider: time,
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, await attempts.NextAsync());
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(attempts.TryNext(out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, await attempts.NextAsync());
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(3, await attempts.NextAsync());
        Assert.Equal(3, await run.WaitAsync(Recorder<int>.DefaultTimeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TheLoopGivesUpWhenThePolicySays()
    {
        var time = new FakeTimeProvider();
        var attempts = new Recorder<int>();
        var count = 0;
        var run = RetryLoop.RunAsync(
            new RetryUntilElapsed(TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(10)),
            _ =>
            {
                attempts.Add(++count);
                return Task.FromException<int>(new ConnectionLossException("/p"));
            },
            timeProvider: time,
            cancellationToken: TestContext.Current.CancellationToken);

        // Attempts at 0 s, 10 s, 20 s and 30 s; after that one the policy's 25 s have elapsed.
        Assert.Equal(1, await attempts.NextAsync());
        for (var i = 2; i <= 4; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal(i, await attempts.NextAsync());
        }

        var error = await Assert.ThrowsAsync<ConnectionLossException>(() => run);
        Assert.Equal("/p", error.Path);
        Assert.Equal(4, count);
    }

    [Fact]
    public async Task TheLoopDoesNotRetryOtherFailuresOrUnsafeOnes()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<NodeExistsException>(() => RetryLoop.RunAsync(
            new RetryForever(TimeSpan.Zero),
            _ =>
            {
                attempts++;
                return Task.FromException<int>(new NodeExistsException());
            },
            cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(1, attempts);

        await Assert.ThrowsAsync<ConnectionLossException>(() => RetryLoop.RunAsync(
            new RetryForever(TimeSpan.Zero),
            _ =>
            {
                attempts++;
                return Task.FromException(new ConnectionLossException(requestSent: true));
            },
            idempotent: false,
            cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task CancellationStopsTheDelay()
    {
        var time = new FakeTimeProvider();
        using var cts = new CancellationTokenSource();
        var run = RetryLoop.RunAsync(
            new RetryForever(TimeSpan.FromHours(1)),
            _ => Task.FromException<int>(new ConnectionLossException()),
            timeProvider: time,
            cancellationToken: cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }
}
