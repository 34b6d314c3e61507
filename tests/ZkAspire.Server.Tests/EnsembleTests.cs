// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>
/// Three (or more) <see cref="ZooKeeperServer"/>s in this process form one ensemble over real
/// peer links on 127.0.0.1: election, broadcast, failover, catch-up, restart, observers, and the
/// loss and return of a quorum.
/// </summary>
public sealed class EnsembleTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ALeaderIsElectedAndSrvrStatAndMntrSaySo()
    {
        await using var ensemble = await TestEnsemble.StartAsync();
        var leader = await ensemble.WaitForLeaderAsync();

        var modes = await Task.WhenAll(ensemble.Servers.Select(TestEnsemble.ModeAsync));
        Assert.Equal(1, modes.Count(m => m == "leader"));
        Assert.Equal(2, modes.Count(m => m == "follower"));

        var mntr = await FourLetterWordClient.SendAsync(leader.Port, "mntr");
        Assert.Contains("zk_server_state\tleader\n", mntr, StringComparison.Ordinal);
        Assert.Contains("zk_peer_state\tleading - broadcast\n", mntr, StringComparison.Ordinal);
        Assert.Contains("zk_synced_followers\t2\n", mntr, StringComparison.Ordinal);
        Assert.Contains("zk_learners\t2\n", mntr, StringComparison.Ordinal);
        var follower = ensemble.Servers.First(s => s != leader);
        var stat = await FourLetterWordClient.SendAsync(follower.Port, "stat");
        Assert.Contains("Mode: follower\n", stat, StringComparison.Ordinal);
        Assert.Contains("zk_peer_state\tfollowing - broadcast\n", await FourLetterWordClient.SendAsync(follower.Port, "mntr"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WritesOnAFollowerAreVisibleOnEveryServer()
    {
        await using var ensemble = await TestEnsemble.StartAsync();
        var leader = await ensemble.WaitForLeaderAsync();
        var follower = ensemble.Servers.First(s => s != leader);

        await using (var client = await ConnectAsync(follower))
        {
            await client.CreateAsync("/app", [1], cancellationToken: Token);
            await client.SetDataAsync("/app", [2], cancellationToken: Token);
            await client.CreateAsync("/app/child", [3], cancellationToken: Token);
        }

        foreach (var server in ensemble.Servers)
        {
            await using var reader = await ConnectAsync(server);
            await reader.SyncAsync("/app", Token);
            Assert.Equal([2], (await reader.GetDataAsync("/app", Token)).Data);
            Assert.Equal(["child"], await reader.GetChildrenAsync("/app", Token));
        }

        // /zookeeper/config holds the ensemble's server lines, as ZooKeeper writes them.
        await using var config = await ConnectAsync(leader);
        var text = System.Text.Encoding.UTF8.GetString((await config.GetConfigAsync(Token)).Data!);
        Assert.Contains("server.1=127.0.0.1:", text, StringComparison.Ordinal);
        Assert.EndsWith("version=0", text, StringComparison.Ordinal);
    }

    internal static async Task<ZooKeeperClient> ConnectAsync(ZooKeeperServer server, string? connectionString = null, int sessionTimeoutMs = 4000)
    {
        return await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions
            {
                ConnectionString = connectionString ?? "127.0.0.1:" + server.Port,
                SessionTimeout = TimeSpan.FromMilliseconds(sessionTimeoutMs),
            },
            Token);
    }
}
