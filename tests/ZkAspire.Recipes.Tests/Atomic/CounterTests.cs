// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using ZkAspire.Client;
using ZkAspire.Recipes.Atomic;
using ZkAspire.Recipes.Tests.Infrastructure;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Recipes.Tests.Atomic;

/// <summary>The shared counter and the distributed atomic long.</summary>
/// <typeparam name="TServer">The server under test.</typeparam>
public abstract class CounterTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task SharedCountsSeeEachOthersChangesAndRefuseStaleOnes()
    {
        var path = Server.UniquePath("count");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        await using var first = new SharedCount(a, path, 5);
        await using var second = new SharedCount(b, path, 99);
        await first.StartAsync(Ct);
        await second.StartAsync(Ct);
        Assert.Equal(5, first.Count);
        Assert.Equal(5, second.Count);
        Assert.Equal([0, 0, 0, 5], (await a.GetDataAsync(path, Ct)).Data!);

        var seen = new Recorder<int>();
        second.CountChanged += (_, count) => seen.Add(count);
        var stale = second.VersionedCount;
        Assert.True(await first.TrySetCountAsync(first.VersionedCount, 6, Ct));
        Assert.Equal(6, await seen.NextAsync());
        Assert.False(await second.TrySetCountAsync(stale, 7, Ct));
        Assert.Equal(6, second.Count);
        Assert.True(await second.TrySetCountAsync(second.VersionedCount, 7, Ct));
        await first.SetCountAsync(-1, Ct);
        await seen.WaitForAsync(count => count == -1);
        Assert.Equal(-1, second.Count);
    }

    [Fact]
    public async Task ConcurrentIncrementsAreNeverLost()
    {
        var path = Server.UniquePath("atomic");
        var clients = new List<ZooKeeperClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients.Add(await Server.ConnectAsync());
            }

            // A change that loses every try reports Succeeded = false and writes nothing; the
            // callers try again, so the total must come out exact.
            var tasks = clients.SelectMany(client => Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
            {
                var counter = new DistributedAtomicLong(
                    client,
                    path,
                    new RetryNTimes(3, TimeSpan.Zero),
                    new PromotedToLock(path + "-lock", Patience, new RetryNTimes(3, TimeSpan.Zero)));
                for (var n = 0; n < 8; n++)
                {
                    for (var attempt = 0; ; attempt++)
                    {
                        Assert.True(attempt < 100, "An increment kept failing.");
                        var result = await counter.IncrementAsync(Ct);
                        if (result.Succeeded)
                        {
                            Assert.Equal(result.PreValue + 1, result.PostValue);
                            break;
                        }

                        Assert.Equal(result.PreValue, result.PostValue);
                    }
                }
            }, Ct))).ToList();
            await Task.WhenAll(tasks).Soon();

            var value = await new DistributedAtomicLong(clients[0], path).GetAsync(Ct);
            Assert.Equal(72, value.PostValue);
            var data = (await clients[0].GetDataAsync(path, Ct)).Data!;
            Assert.Equal(8, data.Length);
            Assert.Equal(72, BinaryPrimitives.ReadInt64BigEndian(data));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task TheAtomicLongsOperations()
    {
        var path = Server.UniquePath("atomic-ops");
        await using var a = await Server.ConnectAsync();
        var counter = new DistributedAtomicLong(a, path);
        Assert.Equal(0, (await counter.GetAsync(Ct)).PostValue);
        Assert.False((await counter.CompareAndSetAsync(0, 5, Ct)).Succeeded);
        Assert.True(await counter.InitializeAsync(10, Ct));
        Assert.False(await counter.InitializeAsync(11, Ct));
        var cas = await counter.CompareAndSetAsync(10, 20, Ct);
        Assert.Equal((true, 10L, 20L), (cas.Succeeded, cas.PreValue, cas.PostValue));
        Assert.False((await counter.CompareAndSetAsync(10, 30, Ct)).Succeeded);
        Assert.Equal(15, (await counter.SubtractAsync(5, Ct)).PostValue);
        Assert.Equal(14, (await counter.DecrementAsync(Ct)).PostValue);
        Assert.Equal(long.MinValue, (await counter.AddAsync(long.MaxValue - 13, Ct)).PostValue);
        await counter.ForceSetAsync(42, Ct);
        Assert.Equal(42, (await counter.GetAsync(Ct)).PreValue);
        Assert.Equal(7, (await counter.TrySetAsync(7, Ct)).PostValue);

        var created = new DistributedAtomicLong(a, Server.UniquePath("atomic-new") + "/deep");
        await created.ForceSetAsync(3, Ct);
        Assert.Equal(4, (await created.IncrementAsync(Ct)).PostValue);
    }
}
