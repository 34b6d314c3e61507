// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZkAspire.Client;
using ZkAspire.Extensions.ServiceDiscovery.Tests.Infrastructure;
using ZkAspire.TestInfrastructure.Contract;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.ServiceDiscovery.Tests;

/// <summary>The DI registrations.</summary>
public sealed class RegistrationTests(ZkAspireServer server)
{
    [Fact]
    public async Task AWorkerWithoutAServerAdvertisesItsConfiguredEndpointsOverAKeyedClient()
    {
        var basePath = server.UniquePath("services-worker");
        await using var unkeyed = await server.ConnectAsync();
        await using var keyed = await server.ConnectAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(unkeyed);
        builder.Services.AddKeyedSingleton("zk", keyed);
        builder.Services.AddZooKeeperMembership(o =>
        {
            o.BasePath = basePath;
            o.ClientServiceKey = "zk";
            o.ServiceName = "worker";
            o.InstanceId = "w1";
            o.Endpoints.Add(new Uri("https://worker.internal:8443"));
        });
        using var host = builder.Build();
        await host.StartAsync(Ct);

        var membership = host.Services.GetRequiredService<IZooKeeperMembership>();
        Assert.Same(membership, host.Services.GetRequiredService<ZooKeeperMembership>());
        var member = Assert.Single(await membership.GetMembersAsync("worker", Ct));
        Assert.Equal([new Uri("https://worker.internal:8443")], member.Endpoints);
        var stat = await unkeyed.ExistsAsync(basePath + "/worker/w1", Ct);
        Assert.Equal(keyed.SessionId, stat!.Value.EphemeralOwner);

        await host.StopAsync(Ct);
        Assert.Null(await unkeyed.ExistsAsync(basePath + "/worker/w1", Ct));
    }

    [Fact]
    public void AWildcardListeningHostIsAdvertisedAsTheConfiguredHost()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["urls"] = "http://+:5000;http://0.0.0.0:5001;http://[::]:5002;http://localhost:0;http://10.1.2.3:5003";
        builder.Services.AddSingleton(new ZooKeeperClient("127.0.0.1:1"));
        builder.Services.AddZooKeeperMembership(o => o.AdvertisedHost = "node7.example");
        using var host = builder.Build();
        var service = host.Services.GetServices<IHostedService>().OfType<ZooKeeperMembershipService>().Single();

        Assert.Equal(
            ["http://node7.example:5000/", "http://node7.example:5001/", "http://node7.example:5002/", "http://10.1.2.3:5003/"],
            service.AdvertisedEndpoints(host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ZooKeeperMembershipOptions>>().Value).Select(u => u.ToString()));
    }
}
