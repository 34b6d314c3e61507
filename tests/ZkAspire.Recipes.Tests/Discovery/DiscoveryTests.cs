// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Client;
using ZkAspire.Recipes.Discovery;
using ZkAspire.Recipes.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Recipes.Tests.Discovery;

/// <summary>Service discovery: register, update, unregister, query, re-registration after session loss, the cache and providers.</summary>
/// <typeparam name="TServer">The server under test.</typeparam>
public abstract class DiscoveryTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task InstancesAreRegisteredUpdatedQueriedAndUnregistered()
    {
        var basePath = Server.UniquePath("services");
        await using var client = await Server.ConnectAsync();
        await using var discovery = new ServiceDiscovery<Dictionary<string, string>>(client, basePath);
        await discovery.StartAsync(Ct);
        var first = Instance("api", "a1", 8080);
        var second = Instance("api", "a2", 8081);
        await discovery.RegisterServiceAsync(first, Ct);
        await discovery.RegisterServiceAsync(second, Ct);
        await discovery.RegisterServiceAsync(Instance("worker", "w1", 9000), Ct);

        Assert.Equal(["api", "worker"], (await discovery.QueryForNamesAsync(Ct)).Order(StringComparer.Ordinal));
        Assert.Equal(["a1", "a2"], (await discovery.QueryForInstancesAsync("api", Ct)).Select(i => i.Id).Order(StringComparer.Ordinal));
        var node = await client.GetDataAsync(basePath + "/api/a1", Ct);
        Assert.Equal(client.SessionId, node.Stat.EphemeralOwner);
        Assert.StartsWith("{\"name\":\"api\",\"id\":\"a1\",\"address\":\"127.0.0.1\",\"port\":8080,", Encoding.UTF8.GetString(node.Data!), StringComparison.Ordinal);
        var read = await discovery.QueryForInstanceAsync("api", "a1", Ct);
        Assert.Equal("blue", read!.Payload!["color"]);

        await discovery.UpdateServiceAsync(first with { Port = 9090 }, Ct);
        Assert.Equal(9090, (await discovery.QueryForInstanceAsync("api", "a1", Ct))!.Port);
        await Assert.ThrowsAsync<InvalidOperationException>(() => discovery.UpdateServiceAsync(Instance("api", "nope", 1), Ct));

        await discovery.UnregisterServiceAsync(second, Ct);
        await discovery.UnregisterServiceAsync(second, Ct);
        Assert.Equal(["a1"], (await discovery.QueryForInstancesAsync("api", Ct)).Select(i => i.Id));
        Assert.Null(await discovery.QueryForInstanceAsync("api", "a2", Ct));
        Assert.Empty(await discovery.QueryForInstancesAsync("none", Ct));

        await discovery.DisposeAsync();
        Assert.Empty(await client.ChildrenAsync(basePath + "/api"));
    }

    [Fact]
    public async Task UnregisteringWithoutAConnectionIsLeftToTheBackground()
    {
        var basePath = Server.UniquePath("services-gone");
        await using var observer = await Server.ConnectAsync();
        await using var proxy = new NetworkProxy(Server.Port);

        // A connection timeout far beyond the test's bound: a dispose that waited for the
        // connection to come back (as before) would not end within it.
        var options = Server.Options(proxy.ConnectionString);
        options.ConnectionTimeout = TimeSpan.FromMinutes(5);
        options.SessionTimeout = TimeSpan.FromSeconds(30);
        await using var client = await ZooKeeperClient.ConnectAsync(options, Ct);
        await using var discovery = new ServiceDiscovery<Dictionary<string, string>>(client, basePath);
        await discovery.StartAsync(Ct);
        var unregistered = Instance("api", "a1", 8080);
        await discovery.RegisterServiceAsync(unregistered, Ct);
        await discovery.RegisterServiceAsync(Instance("api", "a2", 8081), Ct);

        // The servers are gone, as when a whole application stops at once: an unregistering (what
        // a stopping host does) and the dispose return without waiting for them.
        var states = new Recorder<ConnectionStateChange>();
        client.ConnectionStateChanged += (_, change) => states.Add(change);
        proxy.Refuse();
        await states.WaitForAsync(s => s.State == ConnectionState.Suspended);
        await discovery.UnregisterServiceAsync(unregistered, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await discovery.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // The client deletes the ephemeral nodes once it is connected again.
        Assert.Equal(2, (await observer.ChildrenAsync(basePath + "/api")).Count);
        proxy.Forward();
        await observer.WaitForChildrenAsync(basePath + "/api", 0);
    }

    [Fact]
    public async Task AnInstanceIsRegisteredAgainAfterItsSessionWasLost()
    {
        var basePath = Server.UniquePath("services-lost");
        await using var observer = await Server.ConnectAsync();
        await using var proxy = new NetworkProxy(Server.Port);
        await using var client = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        await using var discovery = new ServiceDiscovery<Dictionary<string, string>>(client, basePath);
        await discovery.StartAsync(Ct);
        await discovery.RegisterServiceAsync(Instance("api", "a1", 8080), Ct);
        var oldSession = client.SessionId;

        await client.KillSessionAsync(Server.ConnectionString, proxy, reconnect: false);
        Assert.Empty(await observer.ChildrenAsync(basePath + "/api"));
        proxy.Forward();
        await observer.WaitForChildrenAsync(basePath + "/api", 1);
        var node = await observer.GetDataAsync(basePath + "/api/a1", Ct);
        Assert.NotEqual(oldSession, node.Stat.EphemeralOwner);
        Assert.Equal(client.SessionId, node.Stat.EphemeralOwner);

        // A plain reconnect keeps the node as it is (no delete-and-create churn for the watchers).
        var czxid = node.Stat.Czxid;
        var states = new Recorder<ConnectionStateChange>();
        client.ConnectionStateChanged += (_, change) => states.Add(change);
        proxy.Drop();
        await states.WaitForAsync(s => s.State == ConnectionState.Reconnected);
        await discovery.QueryForNamesAsync(Ct);
        Assert.Equal(czxid, (await observer.ExistsAsync(basePath + "/api/a1", Ct))!.Value.Czxid);
    }

    [Fact]
    public async Task TheCacheAndTheProvidersFollowTheInstances()
    {
        var basePath = Server.UniquePath("services-cache");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        await using var discoveryA = new ServiceDiscovery<Dictionary<string, string>>(a, basePath);
        await using var discoveryB = new ServiceDiscovery<Dictionary<string, string>>(b, basePath);
        await discoveryA.StartAsync(Ct);
        await discoveryB.StartAsync(Ct);
        await discoveryA.RegisterServiceAsync(Instance("api", "a1", 1), Ct);

        await using var roundRobin = discoveryB.CreateServiceProvider("api");
        await using var random = discoveryB.CreateServiceProvider("api", new RandomStrategy<Dictionary<string, string>>());
        var changes = new Recorder<int>();
        roundRobin.Cache.CacheChanged += (_, _) => changes.Add(roundRobin.Cache.Instances.Count);
        await roundRobin.StartAsync(Ct);
        await random.StartAsync(Ct);
        Assert.Equal("a1", roundRobin.GetInstance()!.Id);

        await discoveryB.RegisterServiceAsync(Instance("api", "b1", 2), Ct);
        await discoveryB.RegisterServiceAsync(Instance("api", "b2", 3) with { Enabled = false }, Ct);
        await changes.WaitForAsync(count => count == 3);
        var picks = Enumerable.Range(0, 4).Select(_ => roundRobin.GetInstance()!.Id).ToList();
        Assert.Equal(picks[0], picks[2]);
        Assert.Equal(picks[1], picks[3]);
        Assert.NotEqual(picks[0], picks[1]);
        Assert.Equal(["a1", "b1"], roundRobin.GetAllInstances().Select(i => i.Id).Order(StringComparer.Ordinal));
        await Eventually(() =>
        {
            Assert.Equal(2, random.GetAllInstances().Count);
            return Task.CompletedTask;
        });
        Assert.Contains(random.GetInstance()!.Id, new[] { "a1", "b1" });

        await discoveryA.DisposeAsync();
        await changes.WaitForAsync(count => count == 2);
        Assert.Equal("b1", roundRobin.GetInstance()!.Id);
    }

    [Fact]
    public async Task ACacheHoldsTheInstancesAsSoonAsItsStartCompletes()
    {
        var basePath = Server.UniquePath("services-start");
        await using var client = await Server.ConnectAsync();
        await using var discovery = new ServiceDiscovery<Dictionary<string, string>>(client, basePath);
        await discovery.StartAsync(Ct);
        await discovery.RegisterServiceAsync(Instance("api", "a1", 1), Ct);
        await discovery.RegisterServiceAsync(Instance("api", "a2", 2), Ct);

        // Several caches, since the start completing before the initial event is a race.
        for (var i = 0; i < 10; i++)
        {
            await using var cache = discovery.CreateServiceCache("api");
            await cache.StartAsync(Ct);
            Assert.Equal(["a1", "a2"], cache.Instances.Select(instance => instance.Id).Order(StringComparer.Ordinal));
        }
    }

    private static ServiceInstance<Dictionary<string, string>> Instance(string name, string id, int port) =>
        new(name, id)
        {
            Address = "127.0.0.1",
            Port = port,
            Payload = new() { ["color"] = "blue" },
            RegistrationTimeUtc = 1_700_000_000_000,
        };
}
