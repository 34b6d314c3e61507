// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZkAspire.Client;
using ZkAspire.Extensions.Configuration;
using ZkAspire.Extensions.Tests.Infrastructure;
using static ZkAspire.Extensions.Tests.Infrastructure.ExtensionsTestHelpers;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.Tests.Configuration;

/// <summary>The configuration provider's behaviour, run against ZkAspire's server and Apache ZooKeeper.</summary>
/// <typeparam name="TServer">The server.</typeparam>
public abstract class ConfigurationProviderContract<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    /// <summary>Gets the watch mode the tests ask for.</summary>
    protected virtual ZooKeeperConfigurationWatchMode WatchMode => ZooKeeperConfigurationWatchMode.Auto;

    /// <summary>Gets the watch mode the provider ends up with: both servers have addWatch.</summary>
    protected virtual ZooKeeperConfigurationWatchMode ExpectedWatchMode => ZooKeeperConfigurationWatchMode.PersistentRecursive;

    [Fact]
    public async Task MapsTheSubtreeToKeysJoinedWithColons()
    {
        var root = Server.UniquePath();
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync(
            (root, null),
            (root + "/Title", "Ticket office"),
            (root + "/Logging/LogLevel/Default", "Warning"),
            (root + "/Empty", string.Empty),
            (root + "/Unicode", "Zürich ✓"));

        using var configuration = Build(root);

        Assert.Equal("Ticket office", configuration["Title"]);
        Assert.Equal("Warning", configuration["Logging:LogLevel:Default"]);
        Assert.Equal("Warning", configuration["logging:loglevel:default"]);
        Assert.Equal(string.Empty, configuration["Empty"]);
        Assert.Equal("Zürich ✓", configuration["Unicode"]);
        Assert.Null(configuration["Missing"]);
    }

    [Fact]
    public async Task BoundOptionsChangeAndOnChangeFiresAfterASet()
    {
        var root = Server.UniquePath();
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root, null), (root + "/Seats", "100"), (root + "/Venue", "Hall A"));

        using var configuration = Build(root);
        var services = new ServiceCollection().Configure<OfficeOptions>(configuration).BuildServiceProvider();
        await using var _ = services;
        var monitor = services.GetRequiredService<IOptionsMonitor<OfficeOptions>>();
        Assert.Equal(100, monitor.CurrentValue.Seats);

        var changed = new TaskCompletionSource<OfficeOptions>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = monitor.OnChange(o => changed.TrySetResult(o));
        var stopwatch = Stopwatch.StartNew();
        await writer.SetDataAsync(root + "/Seats", Bytes("120"), cancellationToken: Ct);

        var options = await changed.Task.Soon();
        Assert.Equal(120, options.Seats);
        Assert.Equal("Hall A", options.Venue);
        Assert.Equal(120, monitor.CurrentValue.Seats);
        TestContext.Current.TestOutputHelper?.WriteLine($"OnChange after {stopwatch.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task AMultiNodeChangeFiresOneReload()
    {
        var root = Server.UniquePath();
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root, null), (root + "/A", "1"), (root + "/B", "1"), (root + "/C", "1"), (root + "/Sentinel", "0"));

        using var configuration = Build(root);
        var reloads = 0;
        using var subscription = Microsoft.Extensions.Primitives.ChangeToken.OnChange(configuration.GetReloadToken, () => Interlocked.Increment(ref reloads));

        var first = configuration.NextReload();
        await writer.Transaction()
            .SetData(root + "/A", Bytes("2"))
            .SetData(root + "/B", Bytes("2"))
            .Create(root + "/D", Bytes("2"))
            .Delete(root + "/C")
            .CommitAsync(Ct);
        await first.Soon();
        Assert.Equal(("2", "2", (string?)null, "2"), (configuration["A"], configuration["B"], configuration["C"], configuration["D"]));

        // Events are delivered in order: a second reload from the multi would come before the
        // sentinel's, so two reloads in all prove there was one for the multi.
        await writer.SetDataAsync(root + "/Sentinel", Bytes("1"), cancellationToken: Ct);
        // The new values are visible a moment before the reload callbacks run: wait for both.
        await configuration.UntilAsync(c => c["Sentinel"] == "1" && Volatile.Read(ref reloads) >= 2);
        Assert.Equal(2, Volatile.Read(ref reloads));
    }

    [Fact]
    public async Task ASetThatChangesNothingDoesNotReload()
    {
        var root = Server.UniquePath();
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root, null), (root + "/Same", "x"), (root + "/Sentinel", "0"));

        using var configuration = Build(root);
        var reloads = 0;
        using var subscription = Microsoft.Extensions.Primitives.ChangeToken.OnChange(configuration.GetReloadToken, () => Interlocked.Increment(ref reloads));

        await writer.SetDataAsync(root + "/Same", Bytes("x"), cancellationToken: Ct);
        await writer.SetDataAsync(root + "/Sentinel", Bytes("1"), cancellationToken: Ct);
        // The new values are visible a moment before the reload callbacks run: wait for both.
        await configuration.UntilAsync(c => c["Sentinel"] == "1" && Volatile.Read(ref reloads) >= 1);
        Assert.Equal(1, Volatile.Read(ref reloads));
    }

    [Fact]
    public async Task DeletedNodesLeaveTheConfiguration()
    {
        var root = Server.UniquePath();
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root, null), (root + "/Keep", "k"), (root + "/Gone/Deep", "d"), (root + "/Gone/Other", "o"));

        using var configuration = Build(root);
        Assert.Equal("d", configuration["Gone:Deep"]);

        await writer.DeleteAsync(root + "/Gone", new DeleteOptions { DeleteChildren = true }, Ct);
        await configuration.UntilAsync(c => c["Gone:Deep"] is null);

        Assert.Null(configuration["Gone:Other"]);
        Assert.Empty(configuration.GetSection("Gone").GetChildren());
        Assert.Equal("k", configuration["Keep"]);
    }

    [Fact]
    public async Task NewNodesAppear()
    {
        var root = Server.UniquePath();
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root, null));

        using var configuration = Build(root);
        await writer.CreateTreeAsync((root + "/Later/Key", "v"));
        await configuration.UntilAsync(c => c["Later:Key"] == "v");
    }

    [Fact]
    public async Task EveryChangeToANodeIsSeenNotOnlyTheFirst()
    {
        // One-time watches must be set again by each read; a persistent watch stays.
        var root = Server.UniquePath();
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root, null), (root + "/Seats", "100"));

        using var configuration = Build(root);
        for (var seats = 101; seats <= 105; seats++)
        {
            await writer.SetDataAsync(root + "/Seats", Bytes(seats.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken: Ct);
            await configuration.UntilAsync(c => c["Seats"] == seats.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task NestedNodesCreatedLaterAreWatchedAndASubtreeCanComeAndGoAgain()
    {
        var root = Server.UniquePath();
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root, null));

        using var configuration = Build(root);
        await writer.CreateTreeAsync((root + "/Pricing/Adult/Weekday", "10"));
        await configuration.UntilAsync(c => c["Pricing:Adult:Weekday"] == "10");

        // The new deep node and its new parent are watched: a change and a new sibling show.
        await writer.SetDataAsync(root + "/Pricing/Adult/Weekday", Bytes("11"), cancellationToken: Ct);
        await writer.CreateTreeAsync((root + "/Pricing/Adult/Weekend", "14"));
        await configuration.UntilAsync(c => c["Pricing:Adult:Weekday"] == "11" && c["Pricing:Adult:Weekend"] == "14");

        await writer.DeleteAsync(root + "/Pricing", new DeleteOptions { DeleteChildren = true }, Ct);
        await configuration.UntilAsync(c => !c.GetSection("Pricing").GetChildren().Any());

        await writer.CreateTreeAsync((root + "/Pricing/Child", "5"));
        await configuration.UntilAsync(c => c["Pricing:Child"] == "5");
        await writer.SetDataAsync(root + "/Pricing/Child", Bytes("6"), cancellationToken: Ct);
        await configuration.UntilAsync(c => c["Pricing:Child"] == "6");
        Assert.Null(configuration["Pricing:Adult:Weekday"]);
    }

    [Fact]
    public async Task JsonNodesAreFlattenedAsTheJsonProviderDoes()
    {
        var root = Server.UniquePath();
        const string json = """
            {
              // comments and trailing commas, as appsettings.json allows
              "Prices": { "Adult": 12.5, "Child": 6 },
              "Days": [ "Fri", "Sat" ],
              "Open": true,
              "Note": null,
              "Nothing": {},
            }
            """;
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root, null), (root + "/Tariff.json", json), (root + "/Plain", "p"));

        using var configuration = Build(root, s => s.JsonNodeSuffix = ".json");

        var expected = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Bytes(json))).Build();
        foreach (var (key, value) in expected.AsEnumerable())
        {
            Assert.Equal(value, configuration["Tariff:" + key]);
        }

        Assert.Equal("12.5", configuration["Tariff:Prices:Adult"]);
        Assert.Equal("Sat", configuration["Tariff:Days:1"]);
        Assert.Equal("p", configuration["Plain"]);

        await writer.SetDataAsync(root + "/Tariff.json", Bytes("""{ "Prices": { "Adult": 14 } }"""), cancellationToken: Ct);
        await configuration.UntilAsync(c => c["Tariff:Prices:Adult"] == "14");
        Assert.Null(configuration["Tariff:Prices:Child"]);
        Assert.Null(configuration["Tariff:Days:0"]);
    }

    [Fact]
    public async Task AJsonRootPutsTheDocumentAtTheTopLevel()
    {
        var root = Server.UniquePath() + ".json";
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root, """{ "Seats": 80, "Venue": "Hall B" }"""));

        using var configuration = Build(root, s => s.JsonNodeSuffix = ".json");
        Assert.Equal("80", configuration["Seats"]);
        Assert.Equal("Hall B", configuration.Get<OfficeOptions>()!.Venue);
    }

    [Fact]
    public async Task InvalidJsonOnReloadKeepsTheNodesLastGoodKeys()
    {
        var root = Server.UniquePath();
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root, null), (root + "/App.json", """{ "A": "1" }"""), (root + "/Sentinel", "0"));

        using var configuration = Build(root, s => s.JsonNodeSuffix = ".json");
        await writer.SetDataAsync(root + "/App.json", Bytes("{ not json"), cancellationToken: Ct);
        await writer.SetDataAsync(root + "/Sentinel", Bytes("1"), cancellationToken: Ct);
        await configuration.UntilAsync(c => c["Sentinel"] == "1");
        Assert.Equal("1", configuration["App:A"]);
    }

    [Fact]
    public async Task InvalidJsonAtStartupFailsTheBuildNamingTheNode()
    {
        var root = Server.UniquePath();
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root, null), (root + "/App.json", "[1, 2"));

        var e = Assert.Throws<InvalidDataException>(() => Build(root, s => s.JsonNodeSuffix = ".json"));
        Assert.Contains(root + "/App.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodesTheClientMayNotReadAreLeftOut()
    {
        var root = Server.UniquePath();
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root, null), (root + "/Public", "p"));
        var secret = new ZkAspire.Protocol.ACL(ZkAspire.Protocol.Perms.All, DigestAuthentication.CreateId("office", "s3cret"));
        await writer.CreateAsync(root + "/Secret", Bytes("s"), CreateOptions.Persistent with { Acl = [secret] }, Ct);

        using var configuration = Build(root);
        Assert.Equal("p", configuration["Public"]);
        Assert.Null(configuration["Secret"]);

        await writer.SetDataAsync(root + "/Public", Bytes("q"), cancellationToken: Ct);
        await configuration.UntilAsync(c => c["Public"] == "q");
    }

    [Fact]
    public async Task ARequiredRootThatIsMissingFailsTheBuildClearly()
    {
        var root = Server.UniquePath();
        var stopwatch = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidOperationException>(() => Build(root, s => s.StartupTimeout = TimeSpan.FromSeconds(5)));
        Assert.Contains(root, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task AnOptionalRootThatIsMissingAppearsWhenCreated()
    {
        var root = Server.UniquePath();
        using var configuration = Build(root, s => s.Optional = true);
        Assert.Empty(configuration.AsEnumerable());

        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root + "/Seats", "42"));
        await configuration.UntilAsync(c => c["Seats"] == "42");

        await writer.DeleteAsync(root, new DeleteOptions { DeleteChildren = true }, Ct);
        await configuration.UntilAsync(c => c["Seats"] is null);
    }

    [Fact]
    public async Task TheConnectionStringComesFromConfigurationAddedBefore()
    {
        var root = Server.UniquePath();
        await using var writer = await Server.ConnectAsync();
        await writer.CreateTreeAsync((root + "/Key", "from-cs"));

        // A plain builder (read through the earlier sources) and a ConfigurationManager (read directly).
        using var built = (ConfigurationRoot)new ConfigurationBuilder()
            .AddInMemoryCollection([new("ConnectionStrings:zk", Server.ConnectionString)])
            .AddZooKeeper("zk", root)
            .Build();
        Assert.Equal("from-cs", built["Key"]);

        using var manager = new ConfigurationManager();
        manager.AddInMemoryCollection([new("ConnectionStrings:config-zk", Server.ConnectionString)]);
        manager.AddZooKeeper("config-zk", root);
        Assert.Equal("from-cs", manager["Key"]);
    }

    [Fact]
    public void AMissingConnectionStringIsAClearError()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new ConfigurationBuilder().AddZooKeeper("nowhere", "/config").Build());
        Assert.Contains("ConnectionStrings:nowhere", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABorrowedClientIsLeftOpenAndAnOwnedOneIsClosed()
    {
        var root = Server.UniquePath();
        await using var client = await Server.ConnectAsync();
        await client.CreateTreeAsync((root + "/Key", "v"));

        var borrowed = (ConfigurationRoot)new ConfigurationBuilder()
            .AddZooKeeper(s =>
            {
                s.Client = client;
                s.RootPath = root;
                s.WatchMode = WatchMode;
            })
            .Build();
        var provider = Assert.IsType<ZooKeeperConfigurationProvider>(Assert.Single(borrowed.Providers));
        Assert.False(provider.OwnsClient);
        Assert.Equal(ExpectedWatchMode, provider.WatchMode);
        Assert.Equal("v", borrowed["Key"]);
        Assert.True(await client.CheckWatchesAsync(root, ZkAspire.Protocol.WatcherType.Any, local: true, Ct));
        borrowed.Dispose();
        Assert.False(client.IsClosed);
        Assert.False(await client.CheckWatchesAsync(root, ZkAspire.Protocol.WatcherType.Any, local: true, Ct));
        Assert.False(await client.CheckWatchesAsync(root + "/Key", ZkAspire.Protocol.WatcherType.Any, local: true, Ct));
        Assert.NotNull(await client.ExistsAsync(root, Ct));

        var owned = Build(root);
        Assert.True(Assert.IsType<ZooKeeperConfigurationProvider>(Assert.Single(owned.Providers)).OwnsClient);
        owned.Dispose();
    }

    /// <summary>Builds a configuration over a subtree with the provider's own client.</summary>
    protected ConfigurationRoot Build(string root, Action<ZooKeeperConfigurationSource>? configure = null) =>
        (ConfigurationRoot)new ConfigurationBuilder()
            .AddZooKeeper(s =>
            {
                s.ConnectionString = Server.ConnectionString;
                s.RootPath = root;
                s.WatchMode = WatchMode;
                configure?.Invoke(s);
            })
            .Build();
}

public sealed class OfficeOptions
{
    public int Seats { get; set; }

    public string? Venue { get; set; }
}

public sealed class ZkAspireConfigurationProviderTests(ZkAspireServer server) : ConfigurationProviderContract<ZkAspireServer>(server);

public sealed class ApacheConfigurationProviderTests(ApacheServer server) : ConfigurationProviderContract<ApacheServer>(server);

/// <summary>The same behaviour with one-time watches (what servers before 3.6 get), on ZkAspire's server.</summary>
public sealed class ZkAspireOneTimeWatchConfigurationProviderTests(ZkAspireServer server) : ConfigurationProviderContract<ZkAspireServer>(server)
{
    protected override ZooKeeperConfigurationWatchMode WatchMode => ZooKeeperConfigurationWatchMode.OneTime;

    protected override ZooKeeperConfigurationWatchMode ExpectedWatchMode => ZooKeeperConfigurationWatchMode.OneTime;
}

/// <summary>The same behaviour with one-time watches, on Apache ZooKeeper.</summary>
public sealed class ApacheOneTimeWatchConfigurationProviderTests(ApacheServer server) : ConfigurationProviderContract<ApacheServer>(server)
{
    protected override ZooKeeperConfigurationWatchMode WatchMode => ZooKeeperConfigurationWatchMode.OneTime;

    protected override ZooKeeperConfigurationWatchMode ExpectedWatchMode => ZooKeeperConfigurationWatchMode.OneTime;
}
