// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.Recipes.Discovery;
using ZkAspire.Recipes.Leader;
using ZkAspire.Recipes.Locks;
using ZkAspire.Recipes.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Recipes.Tests.Interop;

/// <summary>
/// Curator 5.4 (Debian's jars, in a JVM) and our recipes on the same paths: the locks exclude each
/// other both ways, a ticket sale shared by a Java process and .NET sessions sells every ticket
/// exactly once, the leader latches elect one leader, and each side's service discovery sees the
/// other's instances.
/// </summary>
/// <typeparam name="TServer">The server under test.</typeparam>
public abstract class CuratorInteropTests<TServer>(TServer server, CuratorFixture<TServer> curator)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    protected CuratorProcess Curator { get; } = curator.Curator;

    [Fact]
    public async Task CuratorsMutexAndOursExcludeEachOther()
    {
        var path = Server.UniquePath("interop-mutex");
        var key = "m" + Guid.NewGuid().ToString("N");
        await using var client = await Server.ConnectAsync();
        var mutex = new InterProcessMutex(client, path);

        Assert.Equal("true", await Curator.SendAsync($"mutex-acquire {key} {path} 5000"));
        Assert.Null(await mutex.TryAcquireAsync(TimeSpan.Zero, Ct));
        var waiting = mutex.AcquireAsync(Ct);
        await client.WaitForChildrenAsync(path, 2);
        await waiting.StillWaiting();

        // Curator sees our node as the second participant, and we see its node first.
        var participants = (await Curator.SendAsync($"mutex-participants {path}")).Split(' ');
        Assert.Equal(await mutex.GetParticipantNodesAsync(Ct), participants);
        await Curator.SendAsync($"mutex-release {key}");
        var handle = await waiting.Soon();

        Assert.Equal("false", await Curator.SendAsync($"mutex-acquire {key} {path} 200"));
        await Curator.SendAsync($"mutex-acquire-async {key} {path}");
        await client.WaitForChildrenAsync(path, 2);
        Assert.DoesNotContain("acquired " + key, Curator.Events.All);
        await handle.DisposeAsync();
        await Curator.Events.WaitForAsync(e => e == "acquired " + key);
        Assert.Null(await mutex.TryAcquireAsync(TimeSpan.Zero, Ct));
        await Curator.SendAsync($"mutex-release {key}");
        await using var again = await mutex.AcquireAsync(TimeSpan.Zero, Ct);
    }

    [Fact]
    public async Task CuratorsReadWriteLockAndOursExcludeEachOther()
    {
        var path = Server.UniquePath("interop-rw");
        var writer = "w" + Guid.NewGuid().ToString("N");
        var reader = "r" + Guid.NewGuid().ToString("N");
        await using var client = await Server.ConnectAsync();
        var rw = new InterProcessReadWriteLock(client, path);

        await using (var write = await rw.WriteLock.AcquireAsync(Ct))
        {
            Assert.Equal("false", await Curator.SendAsync($"read-acquire {reader} {path} 200"));
            Assert.Equal("false", await Curator.SendAsync($"write-acquire {writer} {path} 200"));
        }

        await using (var read = await rw.ReadLock.AcquireAsync(Ct))
        {
            Assert.Equal("true", await Curator.SendAsync($"read-acquire {reader} {path} 5000"));
            Assert.Equal("false", await Curator.SendAsync($"write-acquire {writer} {path} 200"));
            await Curator.SendAsync($"mutex-release {reader}");
        }

        Assert.Equal("true", await Curator.SendAsync($"write-acquire {writer} {path} 5000"));
        Assert.Null(await new InterProcessReadWriteLock(client, path).ReadLock.TryAcquireAsync(TimeSpan.Zero, Ct));
        Assert.Null(await new InterProcessReadWriteLock(client, path).WriteLock.TryAcquireAsync(TimeSpan.Zero, Ct));
        await Curator.SendAsync($"mutex-release {writer}");
        await using var mine = await new InterProcessReadWriteLock(client, path).WriteLock.AcquireAsync(TimeSpan.Zero, Ct);
    }

    [Fact]
    public async Task AJavaProcessAndDotNetSessionsSellEveryTicketExactlyOnce()
    {
        var sale = new TicketSale(Server.UniquePath("interop-tickets"), 60);
        var clients = new List<Client.ZooKeeperClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients.Add(await Server.ConnectAsync());
            }

            await sale.SetUpAsync(clients[0]);
            var sellers = new List<Task>();
            foreach (var (client, index) in clients.Select((c, i) => (c, i)))
            {
                var mutex = new InterProcessMutex(client, sale.LockPath);
                for (var task = 0; task < 3; task++)
                {
                    var seller = $"dotnet-{index}-{task}";
                    sellers.Add(Task.Run(() => sale.SellAsync(client, mutex, seller), Ct));
                }
            }

            var java = Curator.SendAsync($"tickets {sale.LockPath} {sale.CounterPath} {sale.TicketsPath} 3 60", TimeSpan.FromSeconds(60));
            await Task.WhenAll(sellers).Soon();
            var javaResult = (await java).Split(' ');
            Assert.Equal("0", javaResult[1]);
            await sale.VerifyAsync(clients[0], otherSold: int.Parse(javaResult[0], CultureInfo.InvariantCulture));
            Assert.Equal(0, sale.Overlaps);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task CuratorsLeaderLatchAndOursElectOneLeader()
    {
        var path = Server.UniquePath("interop-latch");
        var key = "l" + Guid.NewGuid().ToString("N");
        await using var client = await Server.ConnectAsync();
        await Curator.SendAsync($"latch-start {key} {path} java");
        await Curator.Events.WaitForAsync(e => e == $"leader {key} true");

        await using var latch = new LeaderLatch(client, path, "dotnet");
        await latch.StartAsync(Ct);
        Assert.False(latch.HasLeadership);
        Assert.Equal([new Participant("java", true), new Participant("dotnet", false)], await latch.GetParticipantsAsync(Ct));

        await Curator.SendAsync($"latch-close {key}");
        Assert.True(await latch.AwaitLeadershipAsync(Patience, Ct));
        await Curator.SendAsync($"latch-start {key} {path} java");
        await Eventually(async () => Assert.Equal(2, (await latch.GetParticipantsAsync(Ct)).Count));
        Assert.True(latch.HasLeadership);
        Assert.True(1 == Curator.Events.All.Count(e => e == $"leader {key} true"), string.Join(" / ", Curator.Events.All));
        await latch.DisposeAsync();
        await Curator.Events.WaitForAsync(e => e == $"leader {key} true");
        await Curator.SendAsync($"latch-close {key}");
    }

    [Fact]
    public async Task CuratorsServiceDiscoveryAndOursSeeEachOthersInstances()
    {
        var basePath = Server.UniquePath("interop-services");
        await using var client = await Server.ConnectAsync();
        await using var discovery = new ServiceDiscovery<Dictionary<string, string>>(client, basePath);
        await discovery.StartAsync(Ct);
        await using var cache = discovery.CreateServiceCache("orders");
        var changes = new Recorder<int>();
        cache.CacheChanged += (_, _) => changes.Add(cache.Instances.Count);
        await cache.StartAsync(Ct);

        // Java registers; we read its instance, payload included, and our cache sees it.
        await Curator.SendAsync($"sd-register {basePath} orders java-1 10.1.2.3 8080 zone=eu tier=gold");
        await changes.WaitForAsync(count => count == 1);
        var java = Assert.Single(await discovery.QueryForInstancesAsync("orders", Ct));
        Assert.Equal(("java-1", "10.1.2.3", (int?)8080, ServiceType.Dynamic), (java.Id, java.Address, java.Port, java.ServiceType));
        Assert.Equal(new Dictionary<string, string> { ["zone"] = "eu", ["tier"] = "gold" }, java.Payload);
        Assert.Equal("java-1", Assert.Single(cache.Instances).Id);

        // We register; Java reads our instance (a Map payload), and writes it back byte for byte.
        var ours = new ServiceInstance<Dictionary<string, string>>("orders", "dotnet-1")
        {
            Address = "10.9.8.7",
            Port = 9090,
            Payload = new() { ["zone"] = "us" },
            RegistrationTimeUtc = 1_700_000_000_000,
            UriSpec = new UriSpec("{scheme}://{address}:{port}"),
        };
        await discovery.RegisterServiceAsync(ours, Ct);
        var described = (await Curator.SendAsync($"sd-describe {basePath} orders")).Split(';').Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["dotnet-1|10.9.8.7|9090|DYNAMIC|java.util.LinkedHashMap:{zone=us}", "java-1|10.1.2.3|8080|DYNAMIC|java.util.LinkedHashMap:{zone=eu, tier=gold}"], described);
        var written = await Curator.SendAsync($"sd-query {basePath} orders");
        Assert.Contains(Encoding.UTF8.GetString(discovery.Serializer.Serialize(ours)), written, StringComparison.Ordinal);

        await Curator.SendAsync($"sd-unregister {basePath} orders java-1");
        await changes.WaitForAsync(count => count == 1);
        Assert.Equal("dotnet-1", Assert.Single(cache.Instances).Id);
    }
}
