// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using ZkAspire.Client;
using ZkAspire.Extensions.Configuration;
using ZkAspire.Extensions.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;
using ZkAspire.Testing;
using static ZkAspire.Extensions.Tests.Infrastructure.ExtensionsTestHelpers;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.Tests.Configuration;

/// <summary>
/// Outages, reconnects, restarts and session expiry: each test has a ZkAspire server of its own
/// (100 ms ticks, so sessions of 200 ms to 2 s) and cuts the provider's network with a proxy.
/// </summary>
public sealed class ConfigurationProviderFaultTests
{
    [Theory]
    [InlineData(ZooKeeperConfigurationWatchMode.Auto)]
    [InlineData(ZooKeeperConfigurationWatchMode.OneTime)]
    public async Task LastGoodValuesSurviveAServerStopAndChangesFlowAgainAfterTheRestart(ZooKeeperConfigurationWatchMode mode)
    {
        await using var server = await ZooKeeperTestServer.StartWithDataDirectoryAsync(configure: o => o.TickTimeMs = 100, cancellationToken: Ct);
        await using var writer = await ConnectAsync(server.ConnectionString);
        await writer.CreateTreeAsync(("/office", null), ("/office/Seats", "100"));
        await using var client = await ConnectAsync(server.ConnectionString, TimeSpan.FromSeconds(2));
        using var configuration = Build(client, "/office", mode);

        var suspended = client.NextState(ConnectionState.Suspended);
        await server.StopAsync(Ct);
        await suspended.Soon();
        Assert.Equal("100", configuration["Seats"]);

        var reconnected = client.NextState(ConnectionState.Reconnected);
        await server.StartAsync(Ct);
        await reconnected.Soon();
        Assert.Equal("100", configuration["Seats"]);

        await writer.SetDataAsync("/office/Seats", Bytes("120"), cancellationToken: Ct);
        await configuration.UntilAsync(c => c["Seats"] == "120");
    }

    [Theory]
    [InlineData(ZooKeeperConfigurationWatchMode.Auto)]
    [InlineData(ZooKeeperConfigurationWatchMode.OneTime)]
    public async Task ChangesMissedWhileDisconnectedArriveAfterTheReconnect(ZooKeeperConfigurationWatchMode mode)
    {
        await using var server = await ZooKeeperTestServer.StartAsync(o => o.TickTimeMs = 100, cancellationToken: Ct);
        await using var proxy = new NetworkProxy(server.Port);
        await using var writer = await ConnectAsync(server.ConnectionString);
        await writer.CreateTreeAsync(("/office", null), ("/office/Seats", "100"), ("/office/Old", "o"));
        await using var client = await ConnectAsync(proxy.ConnectionString, TimeSpan.FromSeconds(2));
        using var configuration = Build(client, "/office", mode);

        var suspended = client.NextState(ConnectionState.Suspended);
        proxy.Refuse();
        await suspended.Soon();

        // Persistent watches get no catch-up events after a reconnect: only the re-read finds these
        // (one-time watches get them from setWatches, and the re-read too).
        await writer.SetDataAsync("/office/Seats", Bytes("150"), cancellationToken: Ct);
        await writer.CreateTreeAsync(("/office/New", "n"));
        await writer.DeleteAsync("/office/Old", cancellationToken: Ct);
        Assert.Equal("100", configuration["Seats"]);

        var reconnected = client.NextState(ConnectionState.Reconnected);
        proxy.Forward();
        Assert.False((await reconnected.Soon()).IsNewSession);
        await configuration.UntilAsync(c => c["Seats"] == "150" && c["New"] == "n" && c["Old"] is null);
    }

    [Theory]
    [InlineData(ZooKeeperConfigurationWatchMode.Auto)]
    [InlineData(ZooKeeperConfigurationWatchMode.OneTime)]
    public async Task AfterSessionExpiryTheWatchIsAddedAgainAndTheSubtreeReadAgain(ZooKeeperConfigurationWatchMode mode)
    {
        await using var server = await ZooKeeperTestServer.StartAsync(o => o.TickTimeMs = 100, cancellationToken: Ct);
        await using var proxy = new NetworkProxy(server.Port);
        await using var writer = await ConnectAsync(server.ConnectionString);
        await writer.CreateTreeAsync(("/office", null), ("/office/Seats", "100"));
        await using var client = await ConnectAsync(proxy.ConnectionString, TimeSpan.FromSeconds(1));
        using var configuration = Build(client, "/office", mode);
        var provider = (ZooKeeperConfigurationProvider)configuration.Providers.Single();
        var appliedBefore = provider.LastAppliedZxid;

        var lost = client.NextState(ConnectionState.Lost);
        proxy.Refuse();
        await lost.Soon();
        await writer.SetDataAsync("/office/Seats", Bytes("200"), cancellationToken: Ct);
        Assert.Equal("100", configuration["Seats"]);

        var reconnected = client.NextState(ConnectionState.Reconnected);
        proxy.Forward();
        Assert.True((await reconnected.Soon()).IsNewSession);
        await configuration.UntilAsync(c => c["Seats"] == "200");
        Assert.True(provider.LastAppliedZxid > appliedBefore);

        // The new session's watch works.
        await writer.SetDataAsync("/office/Seats", Bytes("300"), cancellationToken: Ct);
        await configuration.UntilAsync(c => c["Seats"] == "300");
    }

    [Fact]
    public async Task ARequiredSourceFailsWithinTheStartupTimeoutWhenNoServerAnswers()
    {
        var port = FreePort.Get();
        var stopwatch = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidOperationException>(() => new ConfigurationBuilder()
            .AddZooKeeper(s =>
            {
                s.ConnectionString = "127.0.0.1:" + port;
                s.RootPath = "/office";
                s.StartupTimeout = TimeSpan.FromSeconds(1);
            })
            .Build());
        Assert.Contains("could not be loaded within 1 s", e.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(8), $"took {stopwatch.Elapsed}");
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData(ZooKeeperConfigurationWatchMode.Auto)]
    [InlineData(ZooKeeperConfigurationWatchMode.OneTime)]
    public async Task AnOptionalSourceStartsEmptyWithoutAServerAndLoadsWhenItAnswers(ZooKeeperConfigurationWatchMode mode)
    {
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: Ct);
        await using var writer = await ConnectAsync(server.ConnectionString);
        await writer.CreateTreeAsync(("/office/Seats", "100"));
        await using var proxy = new NetworkProxy(server.Port);
        proxy.Refuse();

        using var configuration = (ConfigurationRoot)new ConfigurationBuilder()
            .AddZooKeeper(s =>
            {
                s.ConnectionString = proxy.ConnectionString;
                s.RootPath = "/office";
                s.Optional = true;
                s.WatchMode = mode;
                s.StartupTimeout = TimeSpan.FromMilliseconds(500);
                s.ConfigureClient = o => o.ConnectionTimeout = TimeSpan.FromSeconds(30);
            })
            .Build();
        Assert.Null(configuration["Seats"]);

        proxy.Forward();
        await configuration.UntilAsync(c => c["Seats"] == "100");
        await writer.SetDataAsync("/office/Seats", Bytes("101"), cancellationToken: Ct);
        await configuration.UntilAsync(c => c["Seats"] == "101");
    }

    private static Task<ZooKeeperClient> ConnectAsync(string connectionString, TimeSpan? sessionTimeout = null) =>
        ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions
            {
                ConnectionString = connectionString,
                SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(10),
                ConnectionTimeout = TimeSpan.FromSeconds(10),
                RetryPolicy = new RetryNTimes(5, TimeSpan.FromMilliseconds(100)),
                DefaultData = null,
            },
            Ct);

    private static ConfigurationRoot Build(ZooKeeperClient client, string root, ZooKeeperConfigurationWatchMode mode) =>
        (ConfigurationRoot)new ConfigurationBuilder()
            .AddZooKeeper(s =>
            {
                s.Client = client;
                s.RootPath = root;
                s.WatchMode = mode;
            })
            .Build();
}
