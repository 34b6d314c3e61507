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
        var conf = await FourLetterWordClient.SendAsync(follower.Port, "conf");
        Assert.Contains("syncLimit=5\nelectionAlg=3\n", conf, StringComparison.Ordinal);
        Assert.Contains("membership: \nserver.1=127.0.0.1:", conf, StringComparison.Ordinal);
        Assert.Equal("rw", await FourLetterWordClient.SendAsync(follower.Port, "isro"));
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

    [Fact]
    public async Task StoppingTheLeaderElectsANewOneWritesResumeAndTheOldLeaderComesBackAsAFollower()
    {
        await using var ensemble = await TestEnsemble.StartAsync();
        var leader = await ensemble.WaitForLeaderAsync();
        var other = ensemble.Servers.First(s => s != leader);
        await using (var client = await ConnectAsync(other))
        {
            await client.CreateAsync("/before", [1], cancellationToken: Token);
        }

        await leader.StopAsync(Token);
        var newLeader = await ensemble.WaitForLeaderAsync();
        Assert.NotSame(leader, newLeader);
        await using (var client = await ConnectAsync(newLeader))
        {
            Assert.Equal([1], (await client.GetDataAsync("/before", Token)).Data);
            await client.CreateAsync("/after", [2], cancellationToken: Token);
        }

        await leader.StartAsync(Token);
        Assert.Same(newLeader, await ensemble.WaitForLeaderAsync());
        Assert.Equal("follower", await TestEnsemble.ModeAsync(leader));
        await using var back = await ConnectAsync(leader);
        await back.SyncAsync("/", Token);
        Assert.Equal([2], (await back.GetDataAsync("/after", Token)).Data);
    }

    [Fact]
    public async Task AStoppedFollowerCatchesUpWithADiffAndOneFarBehindGetsASnapshot()
    {
        var logs = new CapturingLoggerFactory();
        await using var ensemble = await TestEnsemble.StartAsync(configure: o => o.CommitLogCount = 5, loggerFactory: logs);
        var leader = await ensemble.WaitForLeaderAsync();
        var followers = ensemble.Servers.Where(s => s != leader).ToList();
        await using var client = await ConnectAsync(leader);

        // A few writes behind: the leader still has them in memory (DIFF), no snapshot is sent.
        await followers[0].StopAsync(Token);
        for (var i = 0; i < 3; i++)
        {
            await client.CreateAsync("/diff" + i, [(byte)i], cancellationToken: Token);
        }

        await followers[0].StartAsync(Token);
        await TestEnsemble.WaitServingAsync(followers[0]);
        await AssertSeesAsync(followers[0], "/diff2", [2]);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("Installing the leader's snapshot", StringComparison.Ordinal));

        // Far behind (more than commitLogCount applied txns): the leader sends its state (SNAP).
        await followers[1].StopAsync(Token);
        for (var i = 0; i < 40; i++)
        {
            await client.CreateAsync("/snap" + i, [(byte)i], cancellationToken: Token);
        }

        await followers[1].StartAsync(Token);
        await logs.WaitForLineAsync("Installing the leader's snapshot", TimeSpan.FromSeconds(30));
        await TestEnsemble.WaitServingAsync(followers[1]);
        await AssertSeesAsync(followers[1], "/snap39", [39]);
        await AssertSeesAsync(followers[1], "/diff0", [0]);

        // The installed snapshot is its durable state: a restart recovers it.
        await followers[1].StopAsync(Token);
        await followers[1].StartAsync(Token);
        await TestEnsemble.WaitServingAsync(followers[1]);
        await AssertSeesAsync(followers[1], "/snap20", [20]);
    }

    [Fact]
    public async Task AnOldLeadersUncommittedTailIsTruncatedWhenItRejoins()
    {
        var logs = new CapturingLoggerFactory();
        await using var ensemble = await TestEnsemble.StartAsync(loggerFactory: logs);
        var leader = await ensemble.WaitForLeaderAsync();
        var followers = ensemble.Servers.Where(s => s != leader).ToList();
        var client = await ConnectAsync(leader);
        await client.CreateAsync("/committed", [1], cancellationToken: Token);

        // The followers freeze (their event loops block, as under SIGSTOP): the leader still
        // proposes what its client sends and logs it, but no quorum acknowledges it.
        using var frozen = new ManualResetEventSlim();
        var pauses = followers.Select(f => f.InvokeAsync(_ => frozen.Wait(TimeSpan.FromSeconds(60)))).ToList();
        try
        {
            var lost = client.CreateAsync("/uncommitted", [9], cancellationToken: Token);
            await Poll.UntilAsync(
                async () =>
                {
                    var mntr = await FourLetterWordClient.SendAsync(leader.Port, "mntr");
                    var logged = mntr.Split('\n').FirstOrDefault(l => l.StartsWith("zk_last_logged_zxid", StringComparison.Ordinal));
                    var committed = mntr.Split('\n').FirstOrDefault(l => l.StartsWith("zk_committed_zxid", StringComparison.Ordinal));
                    return logged is not null && committed is not null && logged.Split('\t')[1] != committed.Split('\t')[1];
                },
                TimeSpan.FromSeconds(30));
            await client.DisposeAsync();
            await leader.StopAsync(Token);
            _ = lost.ContinueWith(t => t.Exception, TaskScheduler.Default);

            // The frozen followers' transports have seen the leader's links close, so the
            // proposal waiting in their loops is dropped when they thaw, not logged.
            await Poll.UntilAsync(() => Task.FromResult(followers.All(f => f.PeerLinkCount == 1)), TimeSpan.FromSeconds(30));
        }
        finally
        {
            frozen.Set();
        }

        await Task.WhenAll(pauses);
        await Task.WhenAll(followers.Select(f => f.StopAsync(Token)));

        // The followers elect a new leader of a new epoch and go on without that txn.
        await Task.WhenAll(followers.Select(f => f.StartAsync(Token)));
        var newLeader = await ensemble.WaitForLeaderAsync();
        await using (var writer = await ConnectAsync(newLeader))
        {
            await writer.CreateAsync("/next", [2], cancellationToken: Token);
        }

        await leader.StartAsync(Token);
        await ensemble.WaitForLeaderAsync();
        foreach (var server in ensemble.Servers)
        {
            await using var reader = await ConnectAsync(server);
            await reader.SyncAsync("/", Token);
            Assert.Null(await reader.ExistsAsync("/uncommitted", Token));
            Assert.Equal([1], (await reader.GetDataAsync("/committed", Token)).Data);
            Assert.Equal([2], (await reader.GetDataAsync("/next", Token)).Data);
        }

        // The old leader cut the tail off its log: after another restart it is still gone.
        Assert.Contains(logs.Lines, l => l.Contains("(TRUNC)", StringComparison.Ordinal));
        await leader.StopAsync(Token);
        await leader.StartAsync(Token);
        await ensemble.WaitForLeaderAsync();
        await using var again = await ConnectAsync(leader);
        await again.SyncAsync("/", Token);
        Assert.Null(await again.ExistsAsync("/uncommitted", Token));
    }

    [Fact]
    public async Task RestartingAllThreeKeepsEveryAcknowledgedWrite()
    {
        await using var ensemble = await TestEnsemble.StartAsync(configure: o => o.ForceSync = true);
        await ensemble.WaitForLeaderAsync();
        var acknowledged = new List<string>();
        await using (var client = await ConnectAsync(ensemble.Servers[0], ensemble.ConnectionString))
        {
            for (var i = 0; i < 50; i++)
            {
                acknowledged.Add(await client.CreateAsync("/n" + i, [(byte)i], cancellationToken: Token));
            }
        }

        await Task.WhenAll(ensemble.Servers.Select(s => s.StopAsync(Token)));
        await Task.WhenAll(ensemble.Servers.Select(s => s.StartAsync(Token)));
        await ensemble.WaitForLeaderAsync();
        foreach (var server in ensemble.Servers)
        {
            await using var reader = await ConnectAsync(server);
            await reader.SyncAsync("/", Token);
            var children = await reader.GetChildrenAsync("/", Token);
            Assert.All(acknowledged, path => Assert.Contains(path.TrimStart('/'), children));
        }
    }

    [Fact]
    public async Task ObserversServeReadsAndForwardWritesButNeverVote()
    {
        await using var ensemble = await TestEnsemble.StartAsync(count: 4, observers: 1);
        await ensemble.WaitForLeaderAsync();
        var observer = ensemble.Servers[3];
        Assert.Equal("observer", await TestEnsemble.ModeAsync(observer));
        Assert.Contains("zk_peer_state\tobserving - broadcast\n", await FourLetterWordClient.SendAsync(observer.Port, "mntr"), StringComparison.Ordinal);
        await using (var client = await ConnectAsync(observer))
        {
            await client.CreateAsync("/via-observer", [5], cancellationToken: Token);
            Assert.Equal([5], (await client.GetDataAsync("/via-observer", Token)).Data);
        }

        // Two of three participants gone: one participant and the observer are no quorum.
        var participants = ensemble.Servers.Take(3).ToList();
        await participants[0].StopAsync(Token);
        await participants[1].StopAsync(Token);
        await Poll.UntilAsync(async () => await TestEnsemble.ModeAsync(participants[2]) == "looking" && await TestEnsemble.ModeAsync(observer) == "looking", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AMinorityRefusesServiceAndRecoversWhenAMajorityReturns()
    {
        await using var ensemble = await TestEnsemble.StartAsync();
        var leader = await ensemble.WaitForLeaderAsync();
        var followers = ensemble.Servers.Where(s => s != leader).ToList();
        await using (var client = await ConnectAsync(leader))
        {
            await client.CreateAsync("/kept", [1], cancellationToken: Token);
        }

        await followers[0].StopAsync(Token);
        await followers[1].StopAsync(Token);
        await Poll.UntilAsync(async () => await TestEnsemble.ModeAsync(leader) == "looking", TimeSpan.FromSeconds(30));
        Assert.Equal("null", await FourLetterWordClient.SendAsync(leader.Port, "isro"));
        Assert.Equal("This ZooKeeper instance is not currently serving requests\n", await FourLetterWordClient.SendAsync(leader.Port, "mntr"));

        // Not serving: a client's connection is closed, as ZooKeeper closes it.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => RawZooKeeperConnection.ConnectAsync(leader.Port, cancellationToken: Token));
        Assert.Contains("closed the connection", refused.Message, StringComparison.Ordinal);

        await followers[0].StartAsync(Token);
        await ensemble.WaitForLeaderAsync();
        await using var again = await ConnectAsync(leader);
        await again.SyncAsync("/", Token);
        Assert.Equal([1], (await again.GetDataAsync("/kept", Token)).Data);
    }

    [Fact]
    public async Task OurClientWithAllThreeServersSurvivesTheLeadersStop()
    {
        await using var ensemble = await TestEnsemble.StartAsync();
        var leader = await ensemble.WaitForLeaderAsync();
        await using var client = await ConnectAsync(leader, ensemble.ConnectionString, sessionTimeoutMs: 4000);
        await client.CreateAsync("/owner", [1], CreateOptions.Ephemeral, Token);
        await client.CreateAsync("/counter", [0], cancellationToken: Token);
        var session = client.SessionId;

        await leader.StopAsync(Token);
        await ensemble.WaitForLeaderAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await client.SetDataAsync("/counter", [1], cancellationToken: Token);
                break;
            }
            catch (KeeperException e) when (e is ConnectionLossException && DateTime.UtcNow < deadline)
            {
                await client.WaitUntilConnectedAsync(TimeSpan.FromSeconds(10), Token);
            }
        }

        Assert.Equal(session, client.SessionId);
        Assert.Equal([1], (await client.GetDataAsync("/counter", Token)).Data);
        Assert.Equal(session, (await client.ExistsAsync("/owner", Token))!.Value.EphemeralOwner);
    }

    [Fact]
    public async Task AMemberWhoseDiskFailsStopsAndTheOthersGoOn()
    {
        var disks = new Dictionary<ZooKeeperServer, BreakableFileSystem>();
        await using var ensemble = await TestEnsemble.StartAsync(prepare: s => s.StorageFileSystem = disks[s] = new BreakableFileSystem());
        var leader = await ensemble.WaitForLeaderAsync();
        var follower = ensemble.Servers.First(s => s != leader);

        // A member cannot refuse writes as a standalone server does (its acknowledgments would
        // not be on disk): it stops, as ZooKeeper exits, and reports why.
        disks[follower].Broken = true;
        await using var client = await ConnectAsync(leader);
        await client.CreateAsync("/written", [1], cancellationToken: Token);
        var fault = await follower.Fault.WaitAsync(TimeSpan.FromSeconds(30), Token);
        Assert.IsType<IOException>(fault);
        await Poll.UntilAsync(() => Task.FromResult(!follower.IsRunning), TimeSpan.FromSeconds(30));

        await client.CreateAsync("/still-served", [2], cancellationToken: Token);
        Assert.Equal("leader", await TestEnsemble.ModeAsync(leader));
    }

    private static async Task AssertSeesAsync(ZooKeeperServer server, string path, byte[] data)
    {
        await using var reader = await ConnectAsync(server);
        await reader.SyncAsync("/", Token);
        Assert.Equal(data, (await reader.GetDataAsync(path, Token)).Data);
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
