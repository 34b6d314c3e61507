// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ZkAspire.Hosting.Internal;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Hosting.Tests;

/// <summary><c>AsExisting</c>: the connect string's servers and the health check that opens a session on them.</summary>
public sealed class ExistingEnsembleTests
{
    [Fact]
    public void TheConnectStringsServersAreReadAsZooKeeperReadsThem()
    {
        Assert.Equal([("zk1", 2181), ("zk2", 2182)], ConnectString.ParseServers("zk1,zk2:2182/app/chroot"));
        Assert.Equal([("::1", 2181), ("10.0.0.1", 2181), ("fe80::1", 7000)], ConnectString.ParseServers(" [::1] , 10.0.0.1:2181 ,[fe80::1]:7000"));
        Assert.Throws<FormatException>(() => ConnectString.ParseServers("/only-a-chroot"));
        Assert.Throws<FormatException>(() => ConnectString.ParseServers("zk1:0"));
        Assert.Throws<FormatException>(() => ConnectString.ParseServers("zk1:http"));
        Assert.Throws<FormatException>(() => ConnectString.ParseServers("[::1:2181"));
        Assert.Throws<FormatException>(() => ConnectString.ParseServers(":2181"));
    }

    [Fact]
    public void AnExistingEnsembleGetsTheSessionHealthCheck()
    {
        var builder = CreateBuilder();
        var zk = builder.AddZooKeeper("zk").AsExisting("zk1.example:2181");

        Assert.Equal("zk_check", Assert.Single(zk.Resource.Annotations.OfType<HealthCheckAnnotation>()).Key);
        using var app = builder.Build();
        Assert.IsType<ZooKeeperExistingEnsembleHealthCheck>(HealthCheckOf(app, "zk_check"));

        // Without AsExisting the same key checks the local replicas.
        var local = CreateBuilder();
        local.AddZooKeeper("zk");
        using var localApp = local.Build();
        Assert.IsType<ZooKeeperEnsembleHealthCheck>(HealthCheckOf(localApp, "zk_check"));
    }

    [Fact]
    public async Task TheExistingEnsembleIsHealthyWhenApacheZooKeeperOpensASession()
    {
        var token = TestContext.Current.CancellationToken;
        await using var apache = await ApacheZooKeeper.StartAsync();

        // The first server listed does not answer; the second, Apache ZooKeeper, opens a session
        // (through a chroot, which the probe ignores). Given by a parameter, as in the docs.
        var closedPort = FreePort.Get();
        var builder = CreateBuilder();
        builder.Configuration["Parameters:zk-connection"] = $"127.0.0.1:{closedPort},{apache.ConnectionString}/app";
        var zk = builder.AddZooKeeper("zk").AsExisting(builder.AddParameter("zk-connection"));
        var result = await new ZooKeeperExistingEnsembleHealthCheck(zk.Resource).CheckHealthAsync(new HealthCheckContext(), token);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(apache.ConnectionString, result.Data["server"]);
        Assert.Equal($"127.0.0.1:{closedPort}", result.Data["unreachable"]);

        // The probe closed its session (the closeSession txn is applied before its reply), rather
        // than leaving it to expire.
        var mntr = await Internal.FourLetterWordClient.SendAsync(apache.Port, "mntr", ReplicaProbe.Timeout, token);
        Assert.Contains("zk_global_sessions\t0\n", mntr, StringComparison.Ordinal);

        // Once the server is gone, nothing opens a session.
        await apache.DisposeAsync();
        var down = await new ZooKeeperExistingEnsembleHealthCheck(zk.Resource).CheckHealthAsync(new HealthCheckContext(), token);
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains(apache.ConnectionString, down.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConnectStringThatIsNotOneIsUnhealthy()
    {
        var zk = CreateBuilder().AddZooKeeper("zk").AsExisting("zk1:not-a-port");
        var result = await new ZooKeeperExistingEnsembleHealthCheck(zk.Resource).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("not a number", result.Description, StringComparison.Ordinal);
    }

    private static IDistributedApplicationBuilder CreateBuilder() =>
        DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = [], DisableDashboard = true });

    private static IHealthCheck HealthCheckOf(DistributedApplication app, string key) =>
        app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single(r => r.Name == key).Factory(app.Services);
}
