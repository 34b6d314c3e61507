// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ZkAspire.Hosting.Tests;

/// <summary>The app model AddZooKeeper builds, checked without starting anything.</summary>
public sealed class AppModelTests
{
    private static IDistributedApplicationBuilder CreateBuilder() =>
        DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = [], DisableDashboard = true });

    [Fact]
    public void AddZooKeeperAddsAnEnsembleOfThreeParticipants()
    {
        var builder = CreateBuilder();
        var zk = builder.AddZooKeeper("zk");

        var ensemble = Assert.Single(builder.Resources.OfType<ZooKeeperEnsembleResource>());
        Assert.Same(zk.Resource, ensemble);
        var replicas = builder.Resources.OfType<ZooKeeperReplicaResource>().ToList();
        Assert.Equal(["zk-1", "zk-2", "zk-3"], replicas.Select(r => r.Name));
        Assert.Equal(replicas, ensemble.Replicas);
        Assert.Equal([1, 2, 3], replicas.Select(r => r.ServerId));
        Assert.All(replicas, r =>
        {
            Assert.Same(ensemble, r.Parent);
            Assert.Equal(ZooKeeperLearnerType.Participant, r.LearnerType);
            var endpoints = r.Annotations.OfType<EndpointAnnotation>().ToList();
            Assert.Equal(["client", "quorum", "election"], endpoints.Select(e => e.Name));
            Assert.All(endpoints, e =>
            {
                Assert.False(e.IsProxied);
                Assert.Null(e.Port);
                Assert.Equal("tcp", e.UriScheme);
            });
        });
    }

    [Fact]
    public void WithReplicasAndObserversReplaceTheReplicas()
    {
        var builder = CreateBuilder();
        var zk = builder.AddZooKeeper("zk").WithObservers(2).WithReplicas(5);

        var replicas = builder.Resources.OfType<ZooKeeperReplicaResource>().ToList();
        Assert.Equal(7, replicas.Count);
        Assert.Equal(Enumerable.Range(1, 7), replicas.Select(r => r.ServerId));
        Assert.Equal(
            [.. Enumerable.Repeat(ZooKeeperLearnerType.Participant, 5), .. Enumerable.Repeat(ZooKeeperLearnerType.Observer, 2)],
            replicas.Select(r => r.LearnerType));
        Assert.Equal(5, zk.Resource.ParticipantCount);
        Assert.Equal(2, zk.Resource.ObserverCount);

        zk.WithReplicas(1).WithObservers(0);
        Assert.Equal(["zk-1"], builder.Resources.OfType<ZooKeeperReplicaResource>().Select(r => r.Name));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(257)]
    public void WithReplicasRefusesCountsThatAreNotOddOrTooLarge(int count)
    {
        var zk = CreateBuilder().AddZooKeeper("zk");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => zk.WithReplicas(count));
        Assert.Equal("count", e.ParamName);
        Assert.Equal(3, zk.Resource.Replicas.Count);
    }

    [Fact]
    public void WithObserversRefusesNegativeAndTooManyCounts()
    {
        var zk = CreateBuilder().AddZooKeeper("zk");
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => zk.WithObservers(-1)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => zk.WithObservers(253)).ParamName);
        zk.WithObservers(252);
        Assert.Equal(255, zk.Resource.Replicas.Count);
    }

    [Fact]
    public async Task EachReplicaGetsItsPortsDataDirectoryAndTheFullPeerList()
    {
        var builder = CreateBuilder();
        var zk = builder.AddZooKeeper("zk").WithObservers(1)
            .WithTickTime(TimeSpan.FromMilliseconds(500))
            .WithSetting("initLimit", "7")
            .WithServerLogLevel(LogLevel.Debug);
        Allocate(zk.Resource);

        var observer = zk.Resource.Replicas[3];
        var env = await EnvironmentOfAsync(observer);
        Assert.Equal("127.0.0.1", env["ZKASPIRE_clientPortAddress"]);
        Assert.Equal("10401", env["ZKASPIRE_clientPort"]);
        Assert.Equal("500", env["ZKASPIRE_tickTime"]);
        Assert.Equal("7", env["ZKASPIRE_initLimit"]);
        Assert.Equal("observer", env["ZKASPIRE_peerType"]);
        Assert.Equal("Debug", env["Logging__LogLevel__Default"]);
        Assert.Equal(ZooKeeperEnsembleResource.DefaultFourLetterWordWhitelist, env["ZKASPIRE_4lw_commands_whitelist"]);
        Assert.Equal("127.0.0.1:10102:10103:participant", env["ZKASPIRE_server_1"]);
        Assert.Equal("127.0.0.1:10202:10203:participant", env["ZKASPIRE_server_2"]);
        Assert.Equal("127.0.0.1:10302:10303:participant", env["ZKASPIRE_server_3"]);
        Assert.Equal("127.0.0.1:10402:10403:observer", env["ZKASPIRE_server_4"]);
        Assert.Equal("zk-4", Path.GetFileName(env["ZKASPIRE_dataDir"]));
        Assert.True(env.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT") || observer.Annotations.OfType<OtlpExporterAnnotation>().Any());

        var participant = await EnvironmentOfAsync(zk.Resource.Replicas[0]);
        Assert.False(participant.ContainsKey("ZKASPIRE_peerType"));
        Assert.Equal(env.Where(p => p.Key.StartsWith("ZKASPIRE_server_", StringComparison.Ordinal)), participant.Where(p => p.Key.StartsWith("ZKASPIRE_server_", StringComparison.Ordinal)));
        Assert.NotEqual(env["ZKASPIRE_dataDir"], participant["ZKASPIRE_dataDir"]);
        Assert.Equal(Path.GetDirectoryName(env["ZKASPIRE_dataDir"]), Path.GetDirectoryName(participant["ZKASPIRE_dataDir"]));
    }

    [Fact]
    public async Task WithSettingOverridesTheDefaultWhitelistAndWithDataDirectoryPlacesTheData()
    {
        var builder = CreateBuilder();
        var directory = Path.Combine(Path.GetTempPath(), "zkaspire-appmodel-test");
        var zk = builder.AddZooKeeper("zk").WithReplicas(1).WithSetting("4lw.commands.whitelist", "*").WithDataDirectory(directory);
        Allocate(zk.Resource);

        var env = await EnvironmentOfAsync(zk.Resource.Replicas[0]);
        Assert.Equal("*", env["ZKASPIRE_4lw_commands_whitelist"]);
        Assert.Equal(Path.Combine(directory, "zk-1"), env["ZKASPIRE_dataDir"]);
        Assert.Null(zk.Resource.FreshRunDataDirectory);
    }

    [Theory]
    [InlineData("clientPort")]
    [InlineData("CLIENTPORT")]
    [InlineData("dataDir")]
    [InlineData("server.2")]
    [InlineData("peerType")]
    public void WithSettingRefusesTheKeysTheEnsembleSets(string key)
    {
        var zk = CreateBuilder().AddZooKeeper("zk");
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => zk.WithSetting(key, "1")).ParamName);
    }

    [Theory]
    [InlineData("tick Time")]
    [InlineData("a=b")]
    public void WithSettingRefusesMalformedKeys(string key)
    {
        var zk = CreateBuilder().AddZooKeeper("zk");
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => zk.WithSetting(key, "1")).ParamName);
    }

    [Fact]
    public async Task ReplicasRunTheBundledServerProgramWithDotnet()
    {
        var zk = CreateBuilder().AddZooKeeper("zk");
        var replica = zk.Resource.Replicas[0];

        var args = await ArgumentsOfAsync(replica);
        var program = Assert.Single(args);
        Assert.Equal("zkaspire-server.dll", Path.GetFileName(program));
        Assert.True(File.Exists(program), $"The server program should be copied beside the assemblies: {program}");
        Assert.True(File.Exists(Path.ChangeExtension(program, ".runtimeconfig.json")));
        Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(replica.Command));
    }

    [Fact]
    public async Task WithServerProgramRunsAnExecutableDirectly()
    {
        var zk = CreateBuilder().AddZooKeeper("zk").WithServerProgram("/opt/zkaspire/zkaspire-server");
        var replica = zk.Resource.Replicas[0];
        Assert.Equal("/opt/zkaspire/zkaspire-server", replica.Command);
        Assert.Empty(await ArgumentsOfAsync(replica));
    }

    [Fact]
    public async Task TheConnectionStringListsEveryReplicasClientPort()
    {
        var zk = CreateBuilder().AddZooKeeper("zk").WithObservers(2);
        Allocate(zk.Resource);

        var connectionString = await zk.Resource.ConnectionStringExpression.GetValueAsync(TestContext.Current.CancellationToken);
        Assert.Equal("127.0.0.1:10101,127.0.0.1:10201,127.0.0.1:10301,127.0.0.1:10401,127.0.0.1:10501", connectionString);
        Assert.Equal(
            "{zk-1.bindings.client.host}:{zk-1.bindings.client.port},{zk-2.bindings.client.host}:{zk-2.bindings.client.port},{zk-3.bindings.client.host}:{zk-3.bindings.client.port},{zk-4.bindings.client.host}:{zk-4.bindings.client.port},{zk-5.bindings.client.host}:{zk-5.bindings.client.port}",
            zk.Resource.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public void EveryReplicaAndTheEnsembleHaveARegisteredHealthCheck()
    {
        var builder = CreateBuilder();
        var zk = builder.AddZooKeeper("zk").WithReplicas(5).WithReplicas(3);

        Assert.Equal("zk_check", Assert.Single(zk.Resource.Annotations.OfType<HealthCheckAnnotation>()).Key);
        foreach (var replica in zk.Resource.Replicas)
        {
            Assert.Equal(replica.Name + "_check", Assert.Single(replica.Annotations.OfType<HealthCheckAnnotation>()).Key);
        }

        using var app = builder.Build();
        var registrations = app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name).ToList();
        Assert.Equal(registrations.Distinct(), registrations);
        Assert.Contains("zk_check", registrations);
        Assert.Contains("zk-3_check", registrations);
    }

    [Fact]
    public void ReplicasHaveTheDashboardCommands()
    {
        var zk = CreateBuilder().AddZooKeeper("zk");
        var commands = zk.Resource.Replicas[0].Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name).ToList();
        Assert.Contains("zookeeper-srvr", commands);
        Assert.Contains("zookeeper-mntr", commands);
        Assert.Contains("zookeeper-status", zk.Resource.Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name));
    }

    [Fact]
    public void TheLeaderRestartIsOfferedOnlyWhileALeaderIsKnown()
    {
        var builder = CreateBuilder();
        var zk = builder.AddZooKeeper("zk");
        var command = zk.Resource.Annotations.OfType<ResourceCommandAnnotation>().Single(c => c.Name == "zookeeper-restart-leader");
        Assert.Equal("Restart the leader", command.DisplayName);
        Assert.Contains("no step-down", command.DisplayDescription, StringComparison.Ordinal);
        Assert.NotNull(command.ConfirmationMessage);
        using var services = new ServiceCollection().BuildServiceProvider();

        ResourceCommandState StateWith(string state, string? leader) => command.UpdateState(new UpdateCommandStateContext
        {
            ResourceSnapshot = new CustomResourceSnapshot
            {
                ResourceType = "ZooKeeper",
                State = new ResourceStateSnapshot(state, null),
                Properties = leader is null ? [] : [new ResourcePropertySnapshot("zookeeper.leader", leader)],
            },
            Services = services,
        });

        Assert.Equal(ResourceCommandState.Enabled, StateWith(KnownResourceStates.Running, "zk-2"));
        Assert.Equal(ResourceCommandState.Disabled, StateWith(KnownResourceStates.Running, "none"));
        Assert.Equal(ResourceCommandState.Disabled, StateWith(KnownResourceStates.Running, null));
        Assert.Equal(ResourceCommandState.Disabled, StateWith(KnownResourceStates.Starting, "zk-1"));

        // One replica runs standalone: no other could lead. An existing ensemble is not ours to restart.
        zk.WithReplicas(1);
        Assert.Equal(ResourceCommandState.Hidden, StateWith(KnownResourceStates.Running, "zk-1"));
        zk.WithReplicas(5);
        Assert.Equal(ResourceCommandState.Enabled, StateWith(KnownResourceStates.Running, "zk-5"));
        zk.AsExisting("zk1.example:2181");
        Assert.Equal(ResourceCommandState.Hidden, StateWith(KnownResourceStates.Running, "zk-1"));
    }

    [Fact]
    public async Task AsExistingStandsForAnEnsembleThatRunsElsewhere()
    {
        var builder = CreateBuilder();
        var zk = builder.AddZooKeeper("zk").AsExisting("zk1.example:2181,zk2.example:2181/app");

        Assert.Empty(builder.Resources.OfType<ZooKeeperReplicaResource>());
        Assert.Equal("zk_check", Assert.Single(zk.Resource.Annotations.OfType<HealthCheckAnnotation>()).Key);
        Assert.Equal("zk1.example:2181,zk2.example:2181/app", await zk.Resource.ConnectionStringExpression.GetValueAsync(TestContext.Current.CancellationToken));
        Assert.Throws<InvalidOperationException>(() => zk.WithReplicas(3));
        Assert.Throws<InvalidOperationException>(() => zk.WithObservers(1));
    }

    [Fact]
    public async Task AsExistingTakesTheConnectStringFromAParameter()
    {
        var builder = CreateBuilder();
        builder.Configuration["Parameters:zk-connection"] = "10.0.0.1:2181";
        var zk = builder.AddZooKeeper("zk").AsExisting(builder.AddParameter("zk-connection"));
        Assert.Equal("10.0.0.1:2181", await zk.Resource.ConnectionStringExpression.GetValueAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        IDistributedApplicationBuilder nullBuilder = null!;
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => nullBuilder.AddZooKeeper("zk")).ParamName);
        var builder = CreateBuilder();
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => builder.AddZooKeeper(null!)).ParamName);
        var blank = " ";
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => builder.AddZooKeeper(blank)).ParamName);

        var zk = builder.AddZooKeeper("zk");
        IResourceBuilder<ZooKeeperEnsembleResource> nullZk = null!;
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => nullZk.WithReplicas(3)).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => nullZk.WithObservers(1)).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => nullZk.WithDataDirectory("d")).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => nullZk.WithTickTime(TimeSpan.FromSeconds(1))).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => nullZk.WithSetting("a", "b")).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => nullZk.WithServerLogLevel(LogLevel.Debug)).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => nullZk.AsExisting("h:1")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => zk.WithDataDirectory("")).ParamName);
        Assert.Equal("tickTime", Assert.Throws<ArgumentOutOfRangeException>(() => zk.WithTickTime(TimeSpan.Zero)).ParamName);
        Assert.Equal("tickTime", Assert.Throws<ArgumentOutOfRangeException>(() => zk.WithTickTime(TimeSpan.FromTicks(15_000))).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => zk.WithSetting("tickTime", null!)).ParamName);
        Assert.Equal("level", Assert.Throws<ArgumentOutOfRangeException>(() => zk.WithServerLogLevel((LogLevel)42)).ParamName);
        Assert.Equal("interval", Assert.Throws<ArgumentOutOfRangeException>(() => zk.WithStatusPollInterval(TimeSpan.FromMilliseconds(10))).ParamName);
        Assert.Equal("interval", Assert.Throws<ArgumentOutOfRangeException>(() => zk.WithStatusPollInterval(TimeSpan.FromHours(1))).ParamName);
        Assert.Equal("connectionString", Assert.Throws<ArgumentException>(() => zk.AsExisting(" ")).ParamName);
    }

    private static async Task<IReadOnlyDictionary<string, string>> EnvironmentOfAsync(IResource resource)
    {
        var result = await ExecutionConfigurationBuilder.Create(resource).WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), NullLogger.Instance, TestContext.Current.CancellationToken);
        return result.EnvironmentVariables.ToDictionary(p => p.Key, p => p.Value);
    }

    private static async Task<IReadOnlyList<string>> ArgumentsOfAsync(IResource resource)
    {
        var result = await ExecutionConfigurationBuilder.Create(resource).WithArgumentsConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), NullLogger.Instance, TestContext.Current.CancellationToken);
        return result.Arguments.Select(a => a.Value).ToList();
    }

    /// <summary>Gives every replica's endpoints the ports the orchestrator would: replica i gets 10i01 (client), 10i02 (quorum), 10i03 (election).</summary>
    internal static void Allocate(ZooKeeperEnsembleResource ensemble)
    {
        foreach (var replica in ensemble.Replicas)
        {
            var offset = 1;
            foreach (var endpoint in replica.Annotations.OfType<EndpointAnnotation>())
            {
                endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, "localhost", 10000 + (replica.ServerId * 100) + offset++);
            }
        }
    }
}
