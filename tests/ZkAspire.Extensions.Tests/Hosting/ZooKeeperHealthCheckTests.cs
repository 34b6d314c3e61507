// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using ZkAspire.Client;
using ZkAspire.Extensions.Hosting;
using ZkAspire.Testing;
using static ZkAspire.Extensions.Tests.Infrastructure.ExtensionsTestHelpers;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.Tests.Hosting;

/// <summary>The health check across a server stop, a session expiry and a restart.</summary>
public sealed class ZooKeeperHealthCheckTests
{
    [Fact]
    public async Task HealthFollowsTheConnectionAndTheSession()
    {
        // 100 ms ticks: the 1 s session expires on the client after a second without the server.
        await using var server = await ZooKeeperTestServer.StartAsync(o => o.TickTimeMs = 100, cancellationToken: Ct);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:zk", server.ConnectionString), new("ZkAspire:ZooKeeper:Client:SessionTimeout", "00:00:01")]);
        builder.AddKeyedZooKeeperClient("zk");
        using var host = builder.Build();
        await host.StartAsync(Ct);
        var client = host.Services.GetRequiredKeyedService<ZooKeeperClient>("zk");
        var health = host.Services.GetRequiredService<HealthCheckService>();

        async Task<HealthReportEntry> CheckAsync() => (await health.CheckHealthAsync(Ct)).Entries["ZooKeeper_zk"];

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);

        var suspended = client.NextState(ConnectionState.Suspended);
        var lost = client.NextState(ConnectionState.Lost);
        await server.StopAsync(Ct);
        await suspended.Soon();
        var degraded = await CheckAsync();
        if (!lost.IsCompleted)
        {
            Assert.Equal(HealthStatus.Degraded, degraded.Status);
            Assert.Equal("Suspended", degraded.Data["state"]);
        }

        await lost.Soon();
        var unhealthy = await CheckAsync();
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal("Lost", unhealthy.Data["state"]);

        var reconnected = client.NextState(ConnectionState.Reconnected);
        await server.StartAsync(Ct);
        Assert.True((await reconnected.Soon()).IsNewSession);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);

        await host.StopAsync(Ct);
        host.Dispose();
        var closed = await new ZooKeeperHealthCheck(client).CheckHealthAsync(
            new HealthCheckContext { Registration = new HealthCheckRegistration("zk", _ => null!, HealthStatus.Unhealthy, null) }, Ct);
        Assert.Equal(HealthStatus.Unhealthy, closed.Status);
        Assert.Contains("closed", closed.Description, StringComparison.Ordinal);
    }
}
