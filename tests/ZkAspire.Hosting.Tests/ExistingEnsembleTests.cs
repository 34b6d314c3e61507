// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
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

    [Fact]
    public async Task AServerThatClosesTheConnectionWithoutASessionIsNotHealthy()
    {
        // What a ZooKeeper server without a quorum (or a read-only one, asked for a read-write
        // session) does with a ConnectRequest: it closes the socket without an answer (wire
        // protocol §4.2).
        var token = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var refusing = Task.Run(
            async () =>
            {
                using var socket = await listener.AcceptSocketAsync(token);
                var request = new byte[49];
                var read = 0;
                while (read < request.Length && await socket.ReceiveAsync(request.AsMemory(read), SocketFlags.None, token) is > 0 and var n)
                {
                    read += n;
                }

                socket.Shutdown(SocketShutdown.Both);
                return request;
            },
            token);

        var zk = CreateBuilder().AddZooKeeper("zk").AsExisting($"127.0.0.1:{port}");
        var result = await new ZooKeeperExistingEnsembleHealthCheck(zk.Resource).CheckHealthAsync(new HealthCheckContext(), token);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);

        // The probe sent a ConnectRequest for a new read-write session (offsets after the 4-byte
        // frame length): protocolVersion 0, lastZxidSeen 0, timeOut, sessionId 0, a 16-byte
        // zero passwd, readOnly false.
        var sent = await refusing;
        Assert.Equal(45, BinaryPrimitives.ReadInt32BigEndian(sent));
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(sent.AsSpan(4)));
        Assert.Equal(0, BinaryPrimitives.ReadInt64BigEndian(sent.AsSpan(8)));
        Assert.Equal(10_000, BinaryPrimitives.ReadInt32BigEndian(sent.AsSpan(16)));
        Assert.Equal(0, BinaryPrimitives.ReadInt64BigEndian(sent.AsSpan(20)));
        Assert.Equal(16, BinaryPrimitives.ReadInt32BigEndian(sent.AsSpan(28)));
        Assert.All(sent[32..48], b => Assert.Equal(0, b));
        Assert.Equal(0, sent[48]);
    }

    private static IDistributedApplicationBuilder CreateBuilder() =>
        DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = [], DisableDashboard = true });

    private static IHealthCheck HealthCheckOf(DistributedApplication app, string key) =>
        app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single(r => r.Name == key).Factory(app.Services);
}
