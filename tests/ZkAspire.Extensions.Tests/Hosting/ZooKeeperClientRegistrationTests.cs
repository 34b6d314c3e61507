// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ZkAspire.Client;
using ZkAspire.Extensions.Configuration;
using ZkAspire.Extensions.Hosting;
using ZkAspire.Extensions.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;
using static ZkAspire.Extensions.Tests.Infrastructure.ExtensionsTestHelpers;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.Tests.Hosting;

/// <summary>DI conformance, modelled on Aspire's client-integration ConformanceTests.</summary>
public sealed class ZooKeeperClientRegistrationTests(ZkAspireServer server)
{
    [Fact]
    public async Task TheClientIsOneLazySingletonStartedByTheHostAndClosedWithIt()
    {
        var created = 0;
        var builder = Builder(("ConnectionStrings:zk", server.ConnectionString));
        builder.AddZooKeeperClient("zk", configureOptions: _ => Interlocked.Increment(ref created));
        var host = builder.Build();
        Assert.Equal(0, created);

        await host.StartAsync(Ct);
        var client = host.Services.GetRequiredService<ZooKeeperClient>();
        Assert.Same(client, host.Services.GetRequiredService<ZooKeeperClient>());
        Assert.Equal(1, created);
        Assert.True(client.IsConnected);
        Assert.NotNull(await client.ExistsAsync("/", Ct));

        await host.StopAsync(Ct);
        Assert.False(client.IsClosed);
        host.Dispose();
        Assert.True(client.IsClosed);
    }

    [Fact]
    public async Task KeyedClientsAreSeparateSingletonsPerName()
    {
        var builder = Builder(
            ("ConnectionStrings:zk", server.ConnectionString),
            ("ConnectionStrings:orders", server.ConnectionString + "/orders"),
            ("ConnectionStrings:audit", server.ConnectionString + "/audit"));
        builder.AddZooKeeperClient("zk");
        builder.AddKeyedZooKeeperClient("orders");
        builder.AddKeyedZooKeeperClient("audit");
        using var host = builder.Build();
        await host.StartAsync(Ct);

        var unkeyed = host.Services.GetRequiredService<ZooKeeperClient>();
        var orders = host.Services.GetRequiredKeyedService<ZooKeeperClient>("orders");
        var audit = host.Services.GetRequiredKeyedService<ZooKeeperClient>("audit");
        Assert.Same(orders, host.Services.GetRequiredKeyedService<ZooKeeperClient>("orders"));
        Assert.Equal(3, new HashSet<ZooKeeperClient>([unkeyed, orders, audit]).Count);
        Assert.Null(unkeyed.ConnectionString.ChrootPath);
        Assert.Equal("/orders", orders.ConnectionString.ChrootPath);
        Assert.Equal("/audit", audit.ConnectionString.ChrootPath);
        Assert.All([unkeyed, orders, audit], c => Assert.True(c.IsConnected));

        await host.StopAsync(Ct);
        host.Dispose();
        Assert.All([unkeyed, orders, audit], c => Assert.True(c.IsClosed));
    }

    [Fact]
    public void OnlyKeyedRegistrationsLeaveTheUnkeyedClientUnregistered()
    {
        var builder = Builder(("ConnectionStrings:orders", server.ConnectionString));
        builder.AddKeyedZooKeeperClient("orders");
        using var host = builder.Build();
        Assert.Null(host.Services.GetService<ZooKeeperClient>());
    }

    [Fact]
    public void SettingsBindInAspireOrder()
    {
        var builder = Builder(
            ("ZkAspire:ZooKeeper:Client:ConnectionString", "section:1"),
            ("ZkAspire:ZooKeeper:Client:SessionTimeout", "00:00:05"),
            ("ZkAspire:ZooKeeper:Client:Namespace", "shared"),
            ("ZkAspire:ZooKeeper:Client:DisableMetrics", "true"),
            ("ZkAspire:ZooKeeper:Client:zk:Namespace", "named"),
            ("ZkAspire:ZooKeeper:Client:zk:StartupTimeout", "00:00:03"),
            ("ZkAspire:ZooKeeper:Client:other:Namespace", "not-mine"),
            ("ConnectionStrings:zk", server.ConnectionString));
        ZooKeeperClientSettings? seen = null;
        builder.AddZooKeeperClient("zk", settings =>
        {
            seen = settings;
            settings.ConnectionTimeout = TimeSpan.FromSeconds(7);
        });

        Assert.NotNull(seen);
        Assert.Equal(server.ConnectionString, seen.ConnectionString);
        Assert.Equal(TimeSpan.FromSeconds(5), seen.SessionTimeout);
        Assert.Equal("named", seen.Namespace);
        Assert.Equal(TimeSpan.FromSeconds(3), seen.StartupTimeout);
        Assert.True(seen.DisableMetrics);
        Assert.False(seen.DisableTracing);
        Assert.False(seen.DisableHealthChecks);

        using var host = builder.Build();
        var client = host.Services.GetRequiredService<ZooKeeperClient>();
        Assert.Equal("/named", client.Namespace);
    }

    [Fact]
    public void TheSectionsConnectionStringIsUsedWithoutAConnectionStringsEntry()
    {
        var builder = Builder(("ZkAspire:ZooKeeper:Client:zk:ConnectionString", server.ConnectionString + "/from-section"));
        builder.AddZooKeeperClient("zk");
        using var host = builder.Build();
        Assert.Equal("/from-section", host.Services.GetRequiredService<ZooKeeperClient>().ConnectionString.ChrootPath);
    }

    [Fact]
    public void AMissingConnectionStringIsAClearError()
    {
        var builder = Builder();
        builder.AddZooKeeperClient("zk");
        using var host = builder.Build();
        var e = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<ZooKeeperClient>());
        Assert.Contains("ConnectionStrings:zk", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(null, true)]
    [InlineData("orders", false)]
    [InlineData("orders", true)]
    public void DisableHealthChecksRemovesTheHealthCheck(string? key, bool disable)
    {
        var name = key ?? "zk";
        var builder = Builder(("ConnectionStrings:" + name, server.ConnectionString), ("ZkAspire:ZooKeeper:Client:DisableHealthChecks", disable ? "true" : "false"));
        if (key is null)
        {
            builder.AddZooKeeperClient(name);
        }
        else
        {
            builder.AddKeyedZooKeeperClient(name);
        }

        using var host = builder.Build();
        var registrations = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name).ToList();
        var expected = key is null ? "ZooKeeper" : "ZooKeeper_orders";
        if (disable)
        {
            Assert.DoesNotContain(expected, registrations);
        }
        else
        {
            Assert.Contains(expected, registrations);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DisableTracingRemovesTheClientsSpans(bool disable)
    {
        var exported = new List<Activity>();
        var builder = Builder(("ConnectionStrings:zk", server.ConnectionString));
        builder.AddZooKeeperClient("zk", s => s.DisableTracing = disable);
        builder.Services.AddOpenTelemetry().WithTracing(t => t.AddInMemoryExporter(exported));
        using var host = builder.Build();
        await host.StartAsync(Ct);

        var path = server.UniquePath("traced");
        await host.Services.GetRequiredService<ZooKeeperClient>().ExistsAsync(path, Ct);
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();

        bool Mine(Activity a) => a.Source.Name == ZooKeeperClientTelemetry.SourceName && Equals(a.GetTagItem(ZooKeeperClientTelemetry.Attributes.Path), path);
        lock (exported)
        {
            Assert.Equal(disable ? 0 : 1, exported.Count(Mine));
        }

        await host.StopAsync(Ct);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DisableMetricsRemovesTheClientsMetrics(bool disable)
    {
        var exported = new List<Metric>();
        var builder = Builder(("ConnectionStrings:zk", server.ConnectionString));
        builder.AddZooKeeperClient("zk", s => s.DisableMetrics = disable);
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddInMemoryExporter(exported));
        using var host = builder.Build();
        await host.StartAsync(Ct);

        await host.Services.GetRequiredService<ZooKeeperClient>().ExistsAsync("/", Ct);
        host.Services.GetRequiredService<MeterProvider>().ForceFlush();

        var names = exported.Where(m => m.MeterName == ZooKeeperClientTelemetry.SourceName).Select(m => m.Name).ToList();
        if (disable)
        {
            Assert.Empty(names);
        }
        else
        {
            Assert.Contains(ZooKeeperClientTelemetry.Instruments.OperationDuration, names);
        }

        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task AddZooKeeperInstrumentationSubscribesToTheConfigurationProvidersSpans()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddZooKeeperInstrumentation().AddInMemoryExporter(exported).Build();
        var root = server.UniquePath();
        await using var writer = await server.ConnectAsync();
        await writer.CreateTreeAsync((root + "/Key", "v"));

        using var configuration = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(s =>
        {
            s.ConnectionString = server.ConnectionString;
            s.RootPath = root;
        }).Build();
        await writer.SetDataAsync(root + "/Key", Bytes("w"), cancellationToken: Ct);
        await configuration.UntilAsync(c => c["Key"] == "w");
        tracing.ForceFlush();

        Activity[] mine;
        lock (exported)
        {
            mine = [.. exported.Where(a => Equals(a.GetTagItem(ZooKeeperConfigurationTelemetry.RootAttribute), root))];
        }

        Assert.Contains(mine, a => a.OperationName == ZooKeeperConfigurationTelemetry.LoadActivityName);
        Assert.Contains(mine, a => a.OperationName == ZooKeeperConfigurationTelemetry.ReloadActivityName && Equals(a.GetTagItem(ZooKeeperConfigurationTelemetry.ChangedAttribute), true));

        // The load's requests are client spans under the load span.
        var load = mine.First(a => a.OperationName == ZooKeeperConfigurationTelemetry.LoadActivityName);
        Assert.Contains(exported, a => a.Source.Name == ZooKeeperClientTelemetry.SourceName && a.ParentSpanId == load.SpanId);
    }

    [Fact]
    public async Task TheHostStartsWithinTheStartupTimeoutWhenNoServerAnswers()
    {
        var builder = Builder(("ConnectionStrings:zk", "127.0.0.1:" + FreePort.Get()), ("ZkAspire:ZooKeeper:Client:StartupTimeout", "00:00:00.500"));
        builder.AddZooKeeperClient("zk");
        using var host = builder.Build();
        var stopwatch = Stopwatch.StartNew();
        await host.StartAsync(Ct);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Unhealthy, health.Entries["ZooKeeper"].Status);
        Assert.Equal("NotConnected", health.Entries["ZooKeeper"].Data["state"]);
        await host.StopAsync(Ct);
    }

    [Fact]
    public void TheConfigurationSchemaDescribesEverySetting()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ConfigurationSchema.json")));
        var settings = schema.RootElement.GetProperty("definitions").GetProperty("zooKeeperClientSettings").GetProperty("properties");
        var described = settings.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        var actual = typeof(ZooKeeperClientSettings).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(actual, described);

        var path = schema.RootElement.GetProperty("properties").GetProperty("ZkAspire").GetProperty("properties").GetProperty("ZooKeeper").GetProperty("properties").GetProperty("Client");
        Assert.Equal("#/definitions/zooKeeperClientSettings", path.GetProperty("$ref").GetString());
        Assert.Equal(ZooKeeperClientSettings.DefaultConfigSectionName, "ZkAspire:ZooKeeper:Client");
        foreach (var flag in new[] { "DisableHealthChecks", "DisableTracing", "DisableMetrics" })
        {
            Assert.False(settings.GetProperty(flag).GetProperty("default").GetBoolean());
        }
    }

    private static HostApplicationBuilder Builder(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        return builder;
    }
}
