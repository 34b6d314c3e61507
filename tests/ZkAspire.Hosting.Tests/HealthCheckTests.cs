// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Net.Sockets;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Hosting.Internal;

namespace ZkAspire.Hosting.Tests;

/// <summary>
/// The health checks against servers that answer <c>srvr</c> as ZooKeeper does (canned answers from
/// Apache ZooKeeper 3.8's formats), so each verdict can be set up exactly.
/// </summary>
public sealed class HealthCheckTests
{
    private const string LeaderAnswer = "Zookeeper version: 3.9.3-zkaspire\nLatency min/avg/max: 0/0.0/0\nReceived: 3\nSent: 2\nConnections: 1\nOutstanding: 0\nZxid: 0x100000004\nMode: leader\nNode count: 5\nProposal sizes last/min/max: -1/-1/-1\n";
    private const string FollowerAnswer = "Zookeeper version: 3.9.3-zkaspire\nLatency min/avg/max: 0/0.0/0\nReceived: 3\nSent: 2\nConnections: 1\nOutstanding: 0\nZxid: 0x100000004\nMode: follower\nNode count: 5\n";
    private const string NotServingAnswer = ServerStatus.NotServing + "\n";

    [Fact]
    public void ServerStatusReadsModeAndZxid()
    {
        var status = ServerStatus.Parse(LeaderAnswer);
        Assert.True(status.Serving);
        Assert.Equal("leader", status.Mode);
        Assert.Equal("0x100000004", status.Zxid);
        Assert.Equal(0x100000004, status.ZxidValue);

        var notServing = ServerStatus.Parse(NotServingAnswer);
        Assert.False(notServing.Serving);
        Assert.Null(notServing.Mode);
        Assert.Null(notServing.ZxidValue);
    }

    [Fact]
    public async Task TheEnsembleIsHealthyWithEveryReplicaServing()
    {
        await using var servers = await CannedServers.StartAsync(LeaderAnswer, FollowerAnswer, FollowerAnswer);
        var ensemble = servers.Ensemble;

        var result = await new ZooKeeperEnsembleHealthCheck(ensemble).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("zk-1", result.Data["leader"]);

        var replica = await new ZooKeeperReplicaHealthCheck(ensemble, "zk-2").CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, replica.Status);
        Assert.Equal("follower", replica.Data["mode"]);

        // Nothing in the text that changes while the replica stays healthy (the zxid, the role).
        Assert.Equal("zk-2 serves clients.", replica.Description);
    }

    [Fact]
    public async Task TheMonitorPublishesRolesAndZxidsAsHighlightedProperties()
    {
        var token = TestContext.Current.CancellationToken;
        await using var servers = await CannedServers.StartAsync(LeaderAnswer, FollowerAnswer, FollowerAnswer);
        using var services = new ServiceCollection().BuildServiceProvider();
        var notifications = new ResourceNotificationService(
            NullLogger<ResourceNotificationService>.Instance,
            new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance),
            services,
            new ResourceLoggerService());
        foreach (var replica in servers.Ensemble.Replicas)
        {
            await notifications.PublishUpdateAsync(replica, s => s with { State = KnownResourceStates.Running });
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var monitor = new ZooKeeperEnsembleMonitor(servers.Ensemble, notifications, NullLogger.Instance).RunAsync(stop.Token);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            var leader = await notifications.WaitForResourceAsync("zk-1", e => Property(e, ZooKeeperEnsembleMonitor.RoleProperty)?.Value as string == "leader", timeout.Token);
            var ensemble = await notifications.WaitForResourceAsync("zk", e => Property(e, ZooKeeperEnsembleMonitor.LeaderProperty)?.Value as string == "zk-1", timeout.Token);

            // The dashboard shows highlighted properties without "Show all properties".
            Assert.True(Property(leader, ZooKeeperEnsembleMonitor.RoleProperty)!.IsHighlighted);
            Assert.Equal("0x100000004", Property(leader, ZooKeeperEnsembleMonitor.ZxidProperty)!.Value);
            Assert.True(Property(leader, ZooKeeperEnsembleMonitor.ZxidProperty)!.IsHighlighted);
            Assert.False(Property(leader, ZooKeeperEnsembleMonitor.ServerIdProperty)!.IsHighlighted);
            Assert.True(Property(ensemble, ZooKeeperEnsembleMonitor.LeaderProperty)!.IsHighlighted);
        }
        finally
        {
            await stop.CancelAsync();
            await monitor;
        }

        static ResourcePropertySnapshot? Property(ResourceEvent e, string name) => e.Snapshot.Properties.FirstOrDefault(p => p.Name == name);
    }

    [Fact]
    public async Task TheEnsembleIsDegradedWithAQuorumAndUnhealthyWithout()
    {
        await using (var quorum = await CannedServers.StartAsync(LeaderAnswer, FollowerAnswer, null))
        {
            var result = await new ZooKeeperEnsembleHealthCheck(quorum.Ensemble).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
            Assert.Equal(HealthStatus.Degraded, result.Status);
            var down = await new ZooKeeperReplicaHealthCheck(quorum.Ensemble, "zk-3").CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
            Assert.Equal(HealthStatus.Unhealthy, down.Status);
        }

        await using var noQuorum = await CannedServers.StartAsync(NotServingAnswer, FollowerAnswer, null);
        var lost = await new ZooKeeperEnsembleHealthCheck(noQuorum.Ensemble).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Unhealthy, lost.Status);
        var notServing = await new ZooKeeperReplicaHealthCheck(noQuorum.Ensemble, "zk-1").CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Unhealthy, notServing.Status);
        Assert.Contains("not serving", notServing.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserversDoNotCountTowardsTheQuorum()
    {
        // One participant of three serves, plus both observers: no quorum, whatever the observers say.
        await using var servers = await CannedServers.StartAsync([LeaderAnswer, null, null, FollowerAnswer, FollowerAnswer], observers: 2);
        var result = await new ZooKeeperEnsembleHealthCheck(servers.Ensemble).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    [Fact]
    public async Task TheLeaderIsNotRestartedWithoutALeaderOrWhenTheOthersHaveNoQuorum()
    {
        var token = TestContext.Current.CancellationToken;

        // zk-1 leads, zk-2 follows, zk-3 is down: without zk-1 one participant of three is left.
        await using (var servers = await CannedServers.StartAsync(LeaderAnswer, FollowerAnswer, null))
        {
            var result = await RestartLeaderAsync(servers.Ensemble, token);
            Assert.False(result.Success);
            Assert.Equal("Without zk-1 only 1 of 3 participants would serve: no quorum to elect another leader, so zk-1 is left running.", result.Message);
        }

        await using var noLeader = await CannedServers.StartAsync(NotServingAnswer, FollowerAnswer, FollowerAnswer);
        var none = await RestartLeaderAsync(noLeader.Ensemble, token);
        Assert.False(none.Success);
        Assert.Contains("No replica leads", none.Message, StringComparison.Ordinal);
    }

    private static Task<ExecuteCommandResult> RestartLeaderAsync(ZooKeeperEnsembleResource ensemble, CancellationToken token)
    {
        var command = ensemble.Annotations.OfType<ResourceCommandAnnotation>().Single(c => c.Name == "zookeeper-restart-leader");
        using var services = new ServiceCollection().BuildServiceProvider();
        return command.ExecuteCommand(new ExecuteCommandContext
        {
            ResourceName = ensemble.Name,
            Services = services,
            CancellationToken = token,
            Logger = NullLogger.Instance,
            Arguments = new InteractionInputCollection([]),
        });
    }

    /// <summary>An ensemble whose replicas' client ports are loopback listeners that answer every connection with a fixed text; a null answer leaves that replica without a port.</summary>
    private sealed class CannedServers : IAsyncDisposable
    {
        private readonly List<TcpListener> _listeners = [];
        private readonly List<Task> _loops = [];
        private readonly CancellationTokenSource _stop = new();

        private CannedServers(ZooKeeperEnsembleResource ensemble) => Ensemble = ensemble;

        public ZooKeeperEnsembleResource Ensemble { get; }

        public static Task<CannedServers> StartAsync(params string?[] answers) => StartAsync(answers, observers: 0);

        public static Task<CannedServers> StartAsync(string?[] answers, int observers)
        {
            var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = [], DisableDashboard = true });
            var zk = builder.AddZooKeeper("zk").WithReplicas(answers.Length - observers).WithObservers(observers);
            var servers = new CannedServers(zk.Resource);
            for (var i = 0; i < answers.Length; i++)
            {
                if (answers[i] is not { } answer)
                {
                    continue;
                }

                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                servers._listeners.Add(listener);
                servers._loops.Add(servers.ServeAsync(listener, answer));
                var client = zk.Resource.Replicas[i].Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == ZooKeeperReplicaResource.ClientEndpointName);
                client.AllocatedEndpoint = new AllocatedEndpoint(client, "localhost", ((IPEndPoint)listener.LocalEndpoint).Port);
            }

            return Task.FromResult(servers);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            foreach (var listener in _listeners)
            {
                listener.Stop();
            }

            await Task.WhenAll(_loops);
            _stop.Dispose();
        }

        private async Task ServeAsync(TcpListener listener, string answer)
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var socket = await listener.AcceptSocketAsync(_stop.Token);
                    var word = new byte[4];
                    var read = 0;
                    while (read < 4)
                    {
                        var n = await socket.ReceiveAsync(word.AsMemory(read), SocketFlags.None, _stop.Token);
                        if (n == 0)
                        {
                            break;
                        }

                        read += n;
                    }

                    // As ZooKeeper's NIOServerCnxn: the answer, then the server closes the connection.
                    Assert.Equal("srvr", Encoding.ASCII.GetString(word, 0, read));
                    await socket.SendAsync(Encoding.ASCII.GetBytes(answer), SocketFlags.None, _stop.Token);
                    socket.Shutdown(SocketShutdown.Both);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
