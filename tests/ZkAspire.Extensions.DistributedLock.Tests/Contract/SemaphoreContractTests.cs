// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Extensions.DistributedLock.Tests.Infrastructure;
using ZkAspire.TestInfrastructure.Contract;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.DistributedLock.Tests.Contract;

/// <summary>Semaphore behaviour, modelled on DistributedLock's <c>DistributedSemaphoreCoreTestCases</c>.</summary>
public abstract class SemaphoreContractTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task AtMostMaxCountTicketsAreHeldAcrossSessions()
    {
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var basePath = Server.UniquePath("sem");
        var semA = Provider(a, basePath).CreateSemaphore("s", 3);
        var semB = Provider(b, basePath).CreateSemaphore("s", 3);
        Assert.Equal(3, semA.MaxCount);
        Assert.Equal("s", semA.Name);

        // One flow takes two tickets: tickets are not reentrant, each acquire is one more.
        var t1 = await semA.AcquireAsync(cancellationToken: Ct);
        var t2 = await semA.AcquireAsync(cancellationToken: Ct);
        var t3 = semB.Acquire(cancellationToken: Ct);
        Assert.Null(await semB.TryAcquireAsync(cancellationToken: Ct));
        Assert.Null(semA.TryAcquire(TimeSpan.FromMilliseconds(100), Ct));
        await Assert.ThrowsAsync<TimeoutException>(async () => await semB.AcquireAsync(TimeSpan.FromMilliseconds(100), Ct));

        var waiting = semB.AcquireAsync(cancellationToken: Ct).AsTask();
        await waiting.StillWaiting();
        await t2.DisposeAsync();
        await using var t4 = await waiting.Soon();
        Assert.Null(await semA.TryAcquireAsync(cancellationToken: Ct));

        await t1.DisposeAsync();
        t3.Dispose();
        await using var t5 = await semA.TryAcquireAsync(cancellationToken: Ct);
        await using var t6 = await semA.TryAcquireAsync(cancellationToken: Ct);
        Assert.NotNull(t5);
        Assert.NotNull(t6);
    }

    [Fact]
    public async Task ManyTasksNeverHoldMoreThanMaxCount()
    {
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var basePath = Server.UniquePath("sem-parallel");
        var inside = 0;
        var most = 0;
        var tasks = Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
        {
            var semaphore = Provider(i % 2 == 0 ? a : b, basePath).CreateSemaphore("s", 2);
            for (var round = 0; round < 2; round++)
            {
                await using var ticket = await semaphore.AcquireAsync(Patience, Ct);
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref most, now);
                Assert.True(now <= 2, $"{now} tickets held at once.");
                await Task.Yield();
                Interlocked.Decrement(ref inside);
            }
        }, Ct));
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.InRange(most, 1, 2);
    }

    [Fact]
    public async Task AMaxCountBelowOneIsRefused()
    {
        await using var client = await Server.ConnectAsync();
        var provider = Provider(client, Server.UniquePath("sem-args"));
        Assert.Throws<ArgumentOutOfRangeException>(() => provider.CreateSemaphore("s", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => provider.CreateSemaphore("s", -1));
        Assert.Throws<ArgumentNullException>(() => provider.CreateSemaphore(null!, 1));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static ZooKeeperDistributedSynchronizationProvider Provider(ZooKeeperClient client, string basePath) =>
        new(client, new ZooKeeperDistributedLockOptions { BasePath = basePath });
}
