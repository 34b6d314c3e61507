// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Medallion.Threading;
using ZkAspire.Client;
using ZkAspire.TestInfrastructure;
using ZkAspire.TestInfrastructure.Contract;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.DistributedLock.Tests;

/// <summary>
/// Code written against DistributedLock's provider interfaces on ZkAspire, and Curator 5.4
/// (Debian's jars, in a JVM) on the same znodes: <c>InterProcessMutex</c>,
/// <c>InterProcessReadWriteLock</c> and <c>InterProcessSemaphoreV2</c> exclude ours and ours
/// exclude them, both ways, on ZkAspire's server and on Apache ZooKeeper.
/// </summary>
/// <typeparam name="TServer">The server.</typeparam>
public abstract class CuratorInteropTests<TServer>(TServer server, CuratorFixture<TServer> curator)
    where TServer : ServerFixture
{
    private readonly CuratorProcess _curator = curator.Curator;

    [Fact]
    public async Task CuratorsInterProcessMutexAndTheLockProviderExcludeEachOther()
    {
        var (client, provider, path) = await StartAsync("orders");
        await using var _ = client;
        var @lock = ((IDistributedLockProvider)provider).CreateLock("orders");
        var key = "m" + Guid.NewGuid().ToString("N");

        // Curator holds it: ours cannot take it, and waits in the same queue.
        Assert.Equal("true", await _curator.SendAsync($"mutex-acquire {key} {path} 5000"));
        Assert.Null(await @lock.TryAcquireAsync(TimeSpan.Zero, Ct));
        var waiting = @lock.AcquireAsync(cancellationToken: Ct).AsTask();
        await ChildrenAsync(client, path, 2);
        await waiting.StillWaiting();
        await _curator.SendAsync($"mutex-release {key}");
        var handle = await waiting.Soon();

        // Ours holds it: Curator cannot take it, and waits until ours is released.
        Assert.Equal("false", await _curator.SendAsync($"mutex-acquire {key} {path} 200"));
        await _curator.SendAsync($"mutex-acquire-async {key} {path}");
        await ChildrenAsync(client, path, 2);
        Assert.DoesNotContain("acquired " + key, _curator.Events.All);
        await handle.DisposeAsync();
        await _curator.Events.WaitForAsync(e => e == "acquired " + key);
        Assert.Null(await @lock.TryAcquireAsync(TimeSpan.Zero, Ct));
        await _curator.SendAsync($"mutex-release {key}");
        await using var again = await @lock.AcquireAsync(TimeSpan.FromSeconds(5), Ct);
    }

    [Fact]
    public async Task CuratorsInterProcessReadWriteLockAndTheReaderWriterProviderExcludeEachOther()
    {
        var (client, provider, path) = await StartAsync("seating");
        await using var _ = client;
        var rw = ((IDistributedReaderWriterLockProvider)provider).CreateReaderWriterLock("seating");
        var reader = "r" + Guid.NewGuid().ToString("N");
        var writer = "w" + Guid.NewGuid().ToString("N");

        await using (await rw.AcquireWriteLockAsync(TimeSpan.FromSeconds(5), Ct))
        {
            Assert.Equal("false", await _curator.SendAsync($"read-acquire {reader} {path} 200"));
            Assert.Equal("false", await _curator.SendAsync($"write-acquire {writer} {path} 200"));
        }

        await using (await rw.AcquireReadLockAsync(TimeSpan.FromSeconds(5), Ct))
        {
            // Readers share, a writer waits for both.
            Assert.Equal("true", await _curator.SendAsync($"read-acquire {reader} {path} 5000"));
            Assert.Equal("false", await _curator.SendAsync($"write-acquire {writer} {path} 200"));
            await _curator.SendAsync($"mutex-release {reader}");
        }

        Assert.Equal("true", await _curator.SendAsync($"write-acquire {writer} {path} 5000"));
        Assert.Null(await rw.TryAcquireReadLockAsync(TimeSpan.Zero, Ct));
        Assert.Null(await rw.TryAcquireWriteLockAsync(TimeSpan.Zero, Ct));
        await _curator.SendAsync($"mutex-release {writer}");
        await using var write = await rw.AcquireWriteLockAsync(TimeSpan.FromSeconds(5), Ct);
    }

    [Fact]
    public async Task CuratorsInterProcessSemaphoreV2AndTheSemaphoreProviderShareTheLeases()
    {
        // The number of leases is not stored in ZooKeeper: every participant is given the same (2).
        var (client, provider, path) = await StartAsync("ticket-desks");
        await using var _ = client;
        var semaphore = ((IDistributedSemaphoreProvider)provider).CreateSemaphore("ticket-desks", 2);
        var first = "s" + Guid.NewGuid().ToString("N");
        var second = "s" + Guid.NewGuid().ToString("N");

        Assert.Equal("true", await _curator.SendAsync($"sem-acquire {first} {path} 2 5000"));
        var ours = await semaphore.AcquireAsync(TimeSpan.FromSeconds(5), Ct);

        // Both leases taken, one on each side: neither side gets a third.
        Assert.Null(await semaphore.TryAcquireAsync(TimeSpan.Zero, Ct));
        Assert.Equal("false", await _curator.SendAsync($"sem-acquire {second} {path} 2 200"));

        // Curator's lease returned: ours takes it; ours returned: Curator's takes it.
        await _curator.SendAsync($"sem-release {first}");
        var ours2 = await semaphore.AcquireAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal("false", await _curator.SendAsync($"sem-acquire {second} {path} 2 200"));
        await ours.DisposeAsync();
        Assert.Equal("true", await _curator.SendAsync($"sem-acquire {second} {path} 2 5000"));
        Assert.Null(await semaphore.TryAcquireAsync(TimeSpan.Zero, Ct));
        await _curator.SendAsync($"sem-release {second}");
        await ours2.DisposeAsync();
    }

    private static async Task ChildrenAsync(ZooKeeperClient client, string path, int count) =>
        await Eventually(async () => Assert.Equal(count, (await client.ChildrenAsync(path)).Count));

    private async Task<(ZooKeeperClient Client, ZooKeeperDistributedSynchronizationProvider Provider, string Path)> StartAsync(string name)
    {
        var basePath = server.UniquePath("interop-locks");
        var client = await server.ConnectAsync();
        var provider = new ZooKeeperDistributedSynchronizationProvider(client, new ZooKeeperDistributedLockOptions { BasePath = basePath });

        // The name is a valid znode name, so Curator is given the same node the provider maps it to.
        var path = ZooKeeperLockNames.GetPath(basePath, name);
        Assert.Equal(basePath + "/" + name, path);
        return (client, provider, path);
    }
}

public sealed class ZkAspireCuratorInteropTests(ZkAspireServer server, CuratorFixture<ZkAspireServer> curator)
    : CuratorInteropTests<ZkAspireServer>(server, curator), IClassFixture<CuratorFixture<ZkAspireServer>>;

public sealed class ApacheCuratorInteropTests(ApacheServer server, CuratorFixture<ApacheServer> curator)
    : CuratorInteropTests<ApacheServer>(server, curator), IClassFixture<CuratorFixture<ApacheServer>>;
