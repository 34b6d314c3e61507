// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Net.Sockets;
using ZkAspire.Client;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests.Ensemble;

/// <summary>
/// Three real server processes on loopback, configured as ZooKeeper's pseudo-cluster tutorial
/// does, under faults done to the processes themselves (issue 4, "Real processes" and "Faults"):
/// kill -9 of the leader under write load, SIGSTOP of a follower, loss and return of a majority.
/// Written once and run against each implementation (one small concrete class per server). No
/// acknowledged write may be lost and every member must end with identical data (ZooKeeper
/// Internals, "Guarantees": a committed transaction survives any leader change).
/// </summary>
public abstract class EnsembleProcessTests
{
    private static readonly TimeSpan Election = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Progress = TimeSpan.FromSeconds(30);

    /// <summary>Gets the server program under test.</summary>
    protected abstract EnsembleServerKind Kind { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KilledLeaderUnderWriteLoad_IsReplaced_RejoinsAsFollower_AndNoAcknowledgedWriteIsLost()
    {
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(Kind, cancellationToken: Ct);
        var leader = await ensemble.WaitUntilServingAsync(Election, Ct);
        await using var load = await EnsembleWriteLoad.StartAsync(ensemble.ConnectionString, "/load", clients: 4, Ct);
        await load.WaitForMoreAsync(100, Progress, "before the kill");

        await leader.KillAsync();
        var successor = await ensemble.WaitUntilServingAsync(Election, Ct);
        Assert.NotEqual(leader.Id, successor.Id);
        await load.WaitForMoreAsync(100, Progress, $"after kill -9 of the leader server.{leader.Id}");

        // The old leader comes back on its ports and dataDir and follows: its higher id does not
        // make it take over (the vote compares epoch and zxid first).
        leader.Start();
        await ensemble.WaitForModeAsync(leader, "follower", Election, Ct);
        Assert.Equal("leader", await successor.ModeAsync(Ct));
        await load.WaitForMoreAsync(100, Progress, $"after server.{leader.Id} rejoined");

        await load.StopAsync();
        Assert.Empty(load.Unexpected);
        var znodes = await MemberData.AssertIdenticalAsync(ensemble, load.AcknowledgedPaths, Ct);
        Assert.True(znodes > load.AcknowledgedPaths.Count);
    }

    [Fact]
    public async Task PausedFollowerUnderWriteLoad_ServiceContinues_AndItCatchesUpWhenResumed()
    {
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(Kind, cancellationToken: Ct);
        var leader = await ensemble.WaitUntilServingAsync(Election, Ct);
        var follower = ensemble.Members.First(m => m != leader);
        await using var load = await EnsembleWriteLoad.StartAsync(ensemble.ConnectionString, "/load", clients: 4, Ct);
        await load.WaitForMoreAsync(100, Progress, "before the pause");

        await follower.PauseAsync();
        Assert.Null(await follower.ModeAsync(Ct));

        // The leader and the other follower are a majority: a write through the leader commits.
        await using (var direct = await ZooKeeperClient.ConnectAsync(EnsembleWriteLoad.Options(leader.ConnectionString), Ct))
        {
            await direct.CreateAsync("/while-paused", "x"u8.ToArray(), CreateOptions.Persistent, Ct).WaitAsync(Progress, Ct);
        }

        await load.WaitForMoreAsync(100, Progress, $"while server.{follower.Id} was paused");

        await follower.ResumeAsync();
        await ensemble.WaitForModeAsync(follower, "follower", Election, Ct);
        await load.WaitForMoreAsync(100, Progress, $"after server.{follower.Id} resumed");

        await load.StopAsync();
        Assert.Empty(load.Unexpected);
        await MemberData.AssertIdenticalAsync(ensemble, [.. load.AcknowledgedPaths], Ct);
        var onFollower = await MemberData.ReadAsync(follower, Ct);
        Assert.True(onFollower.ContainsKey("/while-paused"));
    }

    [Fact]
    public async Task FollowerPausedPastSyncLimit_IsDroppedByTheLeader_AndResyncsWhenResumed()
    {
        // tickTime 500 ms: syncLimit (5 ticks) is 2.5 s, after which the leader gives up on a
        // follower that has not acknowledged (ZooKeeper Administrator's Guide, syncLimit).
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(Kind, new EnsembleOptions { TickTime = 500 }, Ct);
        var leader = await ensemble.WaitUntilServingAsync(Election, Ct);
        var follower = ensemble.Members.First(m => m != leader);
        await using var load = await EnsembleWriteLoad.StartAsync(ensemble.ConnectionString, "/load", clients: 4, Ct);
        await load.WaitForMoreAsync(100, Progress, "before the pause");
        Assert.Equal(2, await SyncedFollowersAsync(leader));

        await follower.PauseAsync();
        await WaitUntilAsync(async () => await SyncedFollowersAsync(leader) == 1, Progress, $"the leader server.{leader.Id} to drop the paused server.{follower.Id}");
        await load.WaitForMoreAsync(100, Progress, $"after server.{follower.Id} was dropped");

        await follower.ResumeAsync();
        await WaitUntilAsync(async () => await SyncedFollowersAsync(leader) == 2, Election, $"server.{follower.Id} to sync with the leader again");
        await ensemble.WaitForModeAsync(follower, "follower", Election, Ct);
        Assert.Equal("leader", await leader.ModeAsync(Ct));
        await load.WaitForMoreAsync(100, Progress, $"after server.{follower.Id} resynced");

        await load.StopAsync();
        Assert.Empty(load.Unexpected);
        await MemberData.AssertIdenticalAsync(ensemble, load.AcknowledgedPaths, Ct);
    }

    [Fact]
    public async Task MajorityLost_ServiceStopsWithConnectionLoss_AndResumesWhenOneReturns()
    {
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(Kind, cancellationToken: Ct);
        var leader = await ensemble.WaitUntilServingAsync(Election, Ct);
        var options = EnsembleWriteLoad.Options(ensemble.ConnectionString);
        options.SessionTimeout = TimeSpan.FromSeconds(30);
        options.RetryPolicy = new RetryNTimes(0, TimeSpan.Zero);
        options.ConnectionTimeout = TimeSpan.FromSeconds(5);
        await using var client = await ZooKeeperClient.ConnectAsync(options, Ct);
        var suspended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionStateChanged += (_, change) =>
        {
            if (change.State == ConnectionState.Suspended)
            {
                suspended.TrySetResult();
            }
        };
        await client.CreateAsync("/before", "1"u8.ToArray(), CreateOptions.Persistent, Ct);

        // Both followers go: the leader alone is no majority and must stop serving.
        var followers = ensemble.Members.Where(m => m != leader).ToList();
        await followers[0].KillAsync();
        await followers[1].KillAsync();
        await ensemble.WaitUntilNotServingAsync(Election, Ct);
        await suspended.Task.WaitAsync(Progress, Ct);
        await Assert.ThrowsAsync<ConnectionLossException>(() => client.CreateAsync("/during", null, CreateOptions.Persistent, Ct).WaitAsync(Progress, Ct));

        // One follower back: two of three are a majority again, and the client finds them itself.
        followers[0].Start();
        await ensemble.WaitUntilServingAsync(Election, Ct);
        Assert.True(await client.WaitUntilConnectedAsync(Progress, Ct));
        await client.CreateAsync("/after", "2"u8.ToArray(), CreateOptions.Persistent, Ct);
        Assert.Equal("1"u8.ToArray(), (await client.GetDataAsync("/before", Ct)).Data);

        followers[1].Start();
        await ensemble.WaitUntilServingAsync(Election, Ct);
        await MemberData.AssertIdenticalAsync(ensemble, [], Ct);
    }

    [Fact]
    public async Task FourLetterWordsReportEachMembersMode_AndTheJavaZkCliWorksWithTheWholeConnectionString()
    {
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(Kind, cancellationToken: Ct);
        var leader = await ensemble.WaitUntilServingAsync(Election, Ct);
        foreach (var member in ensemble.Members)
        {
            var expected = member == leader ? "leader" : "follower";
            Assert.Equal(expected, EnsembleMember.ParseMode(await member.FourLetterWordAsync("srvr")));
            Assert.Equal(expected, EnsembleMember.ParseMode(await member.FourLetterWordAsync("stat")));
            Assert.Equal(expected, EnsembleMember.ParseMode(await member.FourLetterWordAsync("mntr")));
        }

        var outputs = await JavaZkCli.RunScriptAsync(
            ensemble.ConnectionString,
            ["create /tutorial hello", "get /tutorial", "set /tutorial world", "ls /"],
            cancellationToken: Ct);
        Assert.Contains("Created /tutorial", outputs[0]);
        Assert.Contains("hello", outputs[1]);
        Assert.Contains(outputs[3], line => line.Contains("tutorial", StringComparison.Ordinal));

        // Written through whichever member zkCli picked, read from each member on its own.
        foreach (var member in ensemble.Members)
        {
            var tree = await MemberData.ReadAsync(member, Ct);
            Assert.StartsWith(Convert.ToHexString("world"u8), tree["/tutorial"], StringComparison.Ordinal);
        }
    }

    /// <summary>The leader's <c>zk_synced_followers</c> from mntr (-1 when it does not say).</summary>
    private static async Task<int> SyncedFollowersAsync(EnsembleMember leader)
    {
        var mntr = await leader.FourLetterWordAsync("mntr", TimeSpan.FromSeconds(5));
        var line = mntr.Split('\n').FirstOrDefault(l => l.StartsWith("zk_synced_followers\t", StringComparison.Ordinal));
        return line is null ? -1 : int.Parse(line["zk_synced_followers\t".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Polls an external process's state until it holds (bounded; the processes cannot notify the test).</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}.");
            }

            await Task.Delay(50, Ct);
        }
    }
}

/// <summary>The process tests against Apache ZooKeeper 3.8's three-node ensemble: the oracle.</summary>
public sealed class ApacheEnsembleProcessTests : EnsembleProcessTests
{
    /// <inheritdoc/>
    protected override EnsembleServerKind Kind => EnsembleServerKind.Apache;
}

/// <summary>The process tests against our three-node ensemble.</summary>
public sealed class ZkAspireEnsembleProcessTests : EnsembleProcessTests
{
    /// <inheritdoc/>
    protected override EnsembleServerKind Kind => EnsembleServerKind.ZkAspire;

    // The fixture's own guard: a member restarted on its ports while something else holds one
    // (another test process probing it) fails to bind and exits; the ensemble's waits start it
    // again once that is over, instead of failing the test that restarted it.
    [Fact]
    public async Task MemberWhosePortWasHeldDuringItsRestart_IsStartedAgain()
    {
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(Kind, cancellationToken: TestContext.Current.CancellationToken);
        var leader = await ensemble.WaitUntilServingAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        var follower = ensemble.Members.First(m => m != leader);
        await follower.KillAsync();
        using (var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            holder.Bind(new IPEndPoint(IPAddress.Loopback, follower.ClientPort));
            holder.Listen();
            follower.Start();
            await Poll.UntilAsync(() => !follower.IsRunning, TimeSpan.FromSeconds(30), what: "the member did not exit on its taken port");
        }

        Assert.Contains("Address already in use", follower.Log, StringComparison.Ordinal);
        await ensemble.WaitForModeAsync(follower, "follower", TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Contains("a port was in use; starting again", follower.Log, StringComparison.Ordinal);
    }
}
