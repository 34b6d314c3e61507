// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text.RegularExpressions;
using ZkAspire.Client;
using ZkAspire.Recipes.Locks;
using ZkAspire.Recipes.Tests.Infrastructure;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Recipes.Tests.Locks;

/// <summary>The counting semaphore (InterProcessSemaphoreV2) and the non-reentrant mutex built on it.</summary>
/// <typeparam name="TServer">The server under test.</typeparam>
public abstract partial class SemaphoreTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task AtMostMaxLeasesAreOutAndAReturnedLeaseLetsOneWaiterIn()
    {
        var path = Server.UniquePath("sem");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var semaphoreA = new InterProcessSemaphoreV2(a, path, 3);
        var semaphoreB = new InterProcessSemaphoreV2(b, path, 3);

        var leases = await semaphoreA.TryAcquireAsync(2, Patience, Ct);
        Assert.NotNull(leases);
        var third = await semaphoreB.AcquireAsync(Ct);
        Assert.Null(await semaphoreB.TryAcquireAsync(TimeSpan.Zero, Ct));
        Assert.Null(await semaphoreA.TryAcquireAsync(TimeSpan.FromMilliseconds(100), Ct));

        // Curator's layout: {path}/leases/_c_{guid}-lease-N, and the mutex under {path}/locks.
        var names = await a.ChildrenAsync(path + "/leases");
        Assert.Equal(3, names.Count);
        Assert.All(names, name => Assert.Matches(LeaseName(), name));
        Assert.Contains("locks", await a.ChildrenAsync(path));
        Assert.Equal(3, (await semaphoreA.GetParticipantNodesAsync(Ct)).Count);

        var fourth = semaphoreB.AcquireAsync(Ct);
        var fifth = semaphoreA.AcquireAsync(Ct);
        await fourth.StillWaiting();
        await leases[0].DisposeAsync();
        await Task.WhenAny(fourth, fifth).Soon();
        Assert.True(fourth.IsCompleted ^ fifth.IsCompleted, "One returned lease lets exactly one waiter in.");
        await third.DisposeAsync();
        await using var l4 = await fourth.Soon();
        await using var l5 = await fifth.Soon();
        Assert.Equal(3, (await a.ChildrenAsync(path + "/leases")).Count);
        await leases[1].DisposeAsync();
        Assert.Equal(2, (await a.ChildrenAsync(path + "/leases")).Count);
    }

    [Fact]
    public async Task SeveralLeasesAreAllOrNone()
    {
        var path = Server.UniquePath("sem-all");
        await using var a = await Server.ConnectAsync();
        var semaphore = new InterProcessSemaphoreV2(a, path, 2);
        await using var one = await semaphore.AcquireAsync(Ct);
        Assert.Null(await semaphore.TryAcquireAsync(2, TimeSpan.FromMilliseconds(200), Ct));
        Assert.Single(await a.ChildrenAsync(path + "/leases"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => semaphore.TryAcquireAsync(0, TimeSpan.Zero, Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InterProcessSemaphoreV2(a, path, 0));
    }

    [Fact]
    public async Task ALeaseIsALockHandle()
    {
        var path = Server.UniquePath("sem-handle");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var first = await new InterProcessSemaphoreV2(a, path, 1).AcquireAsync(Ct);
        await b.DeleteAsync(first.NodePath, cancellationToken: Ct);
        await first.HandleLost.CancelledSoon();
        await first.DisposeAsync();
        await using var second = await new InterProcessSemaphoreV2(b, path, 1).AcquireAsync(Patience, Ct);
        Assert.True(second.FencingToken > first.FencingToken);
        await second.CreateGuardedTransaction().CommitAsync(Ct);
    }

    [Fact]
    public async Task TheSemaphoreMutexIsNotReentrant()
    {
        var path = Server.UniquePath("semmutex");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var mutex = new InterProcessSemaphoreMutex(a, path);
        await using (var held = await mutex.AcquireAsync(Ct))
        {
            Assert.Null(await mutex.TryAcquireAsync(TimeSpan.FromMilliseconds(100), Ct));
            Assert.Null(await new InterProcessSemaphoreMutex(b, path).TryAcquireAsync(TimeSpan.Zero, Ct));
        }

        await using var other = await new InterProcessSemaphoreMutex(b, path).AcquireAsync(TimeSpan.Zero, Ct);
        Assert.Equal(["leases", "locks"], await a.ChildrenAsync(path));
    }

    [Fact]
    public async Task OnlyTheHeadOfTheQueueWatchesTheLeases()
    {
        var path = Server.UniquePath("sem-herd");
        var clients = new List<ZooKeeperClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                clients.Add(await Server.ConnectAsync());
            }

            var holder = await new InterProcessSemaphoreV2(clients[0], path, 1).AcquireAsync(Ct);
            var waiting = new List<Task<LockHandle>>();
            for (var i = 1; i < clients.Count; i++)
            {
                waiting.Add(new InterProcessSemaphoreV2(clients[i], path, 1).AcquireAsync(Ct));
                await clients[0].WaitForChildrenAsync(path + "/locks", i);
            }

            await Eventually(async () =>
            {
                // The head of the queue holds the mutex and watches the lease list (wchp lists data
                // watches only; checkWatches tells a child watch). The others each watch their
                // predecessor in the mutex's queue, so they never see the lease list.
                Assert.True(await clients[1].CheckWatchesAsync(path + "/leases", Protocol.WatcherType.Children, cancellationToken: Ct));
                var watches = await Server.WatchesAsync(path);
                Assert.False(watches.ContainsKey(path + "/locks"));
                var locks = (await clients[0].ChildrenAsync(path + "/locks")).OrderBy(n => n[^10..], StringComparer.Ordinal).ToList();
                Assert.Equal(new HashSet<long> { clients[2].SessionId }, watches[path + "/locks/" + locks[0]]);
                Assert.Equal(new HashSet<long> { clients[3].SessionId }, watches[path + "/locks/" + locks[1]]);
            });

            await holder.DisposeAsync();
            var next = await waiting[0].Soon();
            await waiting[1].StillWaiting();
            await next.DisposeAsync();
            await (await waiting[1].Soon()).DisposeAsync();
            await (await waiting[2].Soon()).DisposeAsync();
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [GeneratedRegex("^_c_[0-9a-f-]{36}-lease-[0-9]{10}$")]
    private static partial Regex LeaseName();
}
