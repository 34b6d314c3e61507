// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Medallion.Threading;
using Microsoft.Extensions.DependencyInjection;
using ZkAspire.Client;
using ZkAspire.Extensions.DistributedLock.Tests.Infrastructure;
using ZkAspire.Recipes;
using ZkAspire.TestInfrastructure.Contract;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.DistributedLock.Tests;

/// <summary>AddZooKeeperDistributedLocks: the three provider interfaces over the client in the container.</summary>
public sealed class RegistrationTests(ZkAspireServer server)
{
    [Fact]
    public async Task TheThreeProvidersAreOneSingletonOverTheUnkeyedClient()
    {
        await using var client = await server.ConnectAsync();
        var basePath = server.UniquePath("di");
        var services = new ServiceCollection();
        services.AddSingleton(client);
        services.AddZooKeeperDistributedLocks(o => o.BasePath = basePath);
        await using var container = services.BuildServiceProvider();

        var locks = container.GetRequiredService<IDistributedLockProvider>();
        var readerWriter = container.GetRequiredService<IDistributedReaderWriterLockProvider>();
        var semaphores = container.GetRequiredService<IDistributedSemaphoreProvider>();
        Assert.Same(locks, readerWriter);
        Assert.Same(locks, semaphores);
        Assert.Equal(basePath, Assert.IsType<ZooKeeperDistributedSynchronizationProvider>(locks).BasePath);

        // Code written against DistributedLock's interfaces and extension methods runs unchanged.
        await using (var handle = await locks.AcquireLockAsync("orders", cancellationToken: Ct))
        {
            var node = await client.ChildrenAsync(basePath + "/orders");
            Assert.Single(node);
            Assert.Null(await locks.TryAcquireLockAsync("orders", cancellationToken: Ct));
        }

        await using var read = await readerWriter.AcquireReadLockAsync("catalog", cancellationToken: Ct);
        await using var ticket = await semaphores.AcquireSemaphoreAsync("pool", 2, cancellationToken: Ct);
    }

    [Fact]
    public async Task AKeyedClientIsUsedWhenNamed()
    {
        await using var unkeyed = await server.ConnectAsync();
        await using var keyed = await server.ConnectAsync();
        var services = new ServiceCollection();
        services.AddSingleton(unkeyed);
        services.AddKeyedSingleton("zk", keyed);
        services.AddZooKeeperDistributedLocks("zk", o =>
        {
            o.BasePath = "/keyed-locks";
            o.ErrorPolicy = ConnectionErrorPolicy.SessionOnly;
        });
        await using var container = services.BuildServiceProvider();

        var provider = container.GetRequiredService<IDistributedLockProvider>();
        await using var handle = (ZooKeeperDistributedLockHandle)await provider.CreateLock("k" + Guid.NewGuid().ToString("N")).AcquireAsync(cancellationToken: Ct);
        Assert.StartsWith("/keyed-locks/", handle.NodePath, StringComparison.Ordinal);
        var node = await unkeyed.GetDataAsync(handle.NodePath, Ct);
        Assert.Equal(keyed.SessionId, node.Stat.EphemeralOwner);
    }

    [Fact]
    public void AMissingClientIsReportedWhenTheProviderIsResolved()
    {
        var services = new ServiceCollection();
        services.AddZooKeeperDistributedLocks("absent");
        using var container = services.BuildServiceProvider();
        Assert.Throws<InvalidOperationException>(() => container.GetRequiredService<IDistributedLockProvider>());
    }

    [Fact]
    public void ABadBasePathIsReportedWhenTheProviderIsResolved()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new ZooKeeperClient("127.0.0.1:1"));
        services.AddZooKeeperDistributedLocks(o => o.BasePath = "locks");
        using var container = services.BuildServiceProvider();
        Assert.Throws<ArgumentException>(() => container.GetRequiredService<IDistributedLockProvider>());
    }
}
