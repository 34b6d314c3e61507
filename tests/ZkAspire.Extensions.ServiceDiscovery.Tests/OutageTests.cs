// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.DependencyInjection;
using ZkAspire.Client;
using ZkAspire.Extensions.ServiceDiscovery.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;
using ZkAspire.TestInfrastructure.Contract;
using ZkAspire.Testing;

namespace ZkAspire.Extensions.ServiceDiscovery.Tests;

/// <summary>A host that starts while ZooKeeper is out of reach.</summary>
public sealed class OutageTests
{
    [Fact]
    public async Task AHostStartsWhileZooKeeperIsDownAndRegistersOnceItIsUp()
    {
        var port = FreePort.Get();
        var client = new ZooKeeperClient(new ZooKeeperClientOptions
        {
            ConnectionString = $"127.0.0.1:{port}",
            SessionTimeout = TimeSpan.FromSeconds(10),
            ConnectionTimeout = TimeSpan.FromSeconds(1),
            RetryPolicy = new RetryNTimes(1, TimeSpan.FromMilliseconds(100)),
        });
        await using var host = await TestHost.StartAsync(client, "/services", "ticket-office", "a");
        var membership = host.Services.GetRequiredService<IZooKeeperMembership>();
        Assert.Null(membership.Self);

        await using var zooKeeper = await ZooKeeperTestServer.StartAsync(o => o.ClientPort = port, cancellationToken: TestContext.Current.CancellationToken);
        await using var observerClient = await ZooKeeperClient.ConnectAsync(zooKeeper.ConnectionString, TestContext.Current.CancellationToken);
        await using var observer = new ZooKeeperMembership(observerClient, "/services");
        using var watch = await MemberWatch.StartAsync(observer, "ticket-office");

        var member = Assert.Single(await watch.WaitForAsync(members => members.Count == 1));
        Assert.Equal([host.Address], member.Endpoints);
        Assert.Equal("a", membership.Self?.InstanceId);

        await host.StopAsync();
        await watch.WaitForAsync(members => members.Count == 0);
    }
}
