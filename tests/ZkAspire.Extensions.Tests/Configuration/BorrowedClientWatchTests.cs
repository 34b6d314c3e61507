// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Configuration;
using ZkAspire.Client;
using ZkAspire.Extensions.Configuration;
using ZkAspire.Extensions.Tests.Infrastructure;
using ZkAspire.Protocol;
using static ZkAspire.Extensions.Tests.Infrastructure.ExtensionsTestHelpers;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.Tests.Configuration;

/// <summary>
/// A provider disposed while its long-lived borrowed client lives on takes its persistent watch off
/// the server, so the server stops sending that client the subtree's changes, but leaves the
/// registration when another watcher of the client still uses it. Run against ZkAspire's server
/// and Apache ZooKeeper 3.8 (which removes with WatcherType Any only, §24).
/// </summary>
/// <typeparam name="TServer">The server.</typeparam>
public abstract class BorrowedClientWatchContract<TServer>(TServer server)
    where TServer : ServerFixture
{
    [Fact]
    public async Task DisposingRemovesTheServersPersistentWatch()
    {
        var root = server.UniquePath();
        await using var client = await server.ConnectAsync();
        await client.CreateTreeAsync((root + "/Key", "v"));

        var configuration = Build(client, root);
        Assert.Equal("v", configuration["Key"]);
        Assert.True(await client.CheckWatchesAsync(root, WatcherType.Any, cancellationToken: Ct));

        configuration.Dispose();
        Assert.False(client.IsClosed);
        Assert.False(await client.CheckWatchesAsync(root, WatcherType.Any, local: true, Ct));
        Assert.False(await client.CheckWatchesAsync(root, WatcherType.Any, cancellationToken: Ct));
    }

    [Fact]
    public async Task DisposingKeepsTheServersWatchWhileAnotherWatcherOfTheClientUsesIt()
    {
        var root = server.UniquePath();
        await using var client = await server.ConnectAsync();
        await client.CreateTreeAsync((root + "/Key", "v"));
        var events = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Other(WatchedEvent e)
        {
            if (e.Type == EventType.NodeDataChanged)
            {
                events.TrySetResult(e);
            }
        }

        await client.AddWatchAsync(root, AddWatchMode.PersistentRecursive, Other, Ct);

        var configuration = Build(client, root);
        configuration.Dispose();
        Assert.True(await client.CheckWatchesAsync(root, WatcherType.PersistentRecursive, local: true, Ct));
        Assert.True(await client.CheckWatchesAsync(root, WatcherType.Any, cancellationToken: Ct));

        await using var writer = await server.ConnectAsync();
        await writer.SetDataAsync(root + "/Key", Bytes("w"), cancellationToken: Ct);
        Assert.Equal(root + "/Key", (await events.Task.Soon()).Path);
    }

    private static ConfigurationRoot Build(ZooKeeperClient client, string root) =>
        (ConfigurationRoot)new ConfigurationBuilder()
            .AddZooKeeper(s =>
            {
                s.Client = client;
                s.RootPath = root;
                s.WatchMode = ZooKeeperConfigurationWatchMode.PersistentRecursive;
            })
            .Build();
}

public sealed class ZkAspireBorrowedClientWatchTests(ZkAspireServer server) : BorrowedClientWatchContract<ZkAspireServer>(server);

public sealed class ApacheBorrowedClientWatchTests(ApacheServer server) : BorrowedClientWatchContract<ApacheServer>(server);
