// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text.RegularExpressions;
using ZkAspire.Client;
using ZkAspire.Recipes.Leader;
using ZkAspire.Recipes.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Recipes.Tests.Leader;

/// <summary>LeaderLatch and LeaderSelector: one leader at a time, in order, given up on suspension, with the participant list.</summary>
/// <typeparam name="TServer">The server under test.</typeparam>
public abstract partial class LeaderTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task OneLatchLeadsAndTheNextTakesOverInOrder()
    {
        var path = Server.UniquePath("latch");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        await using var c = await Server.ConnectAsync();
        var first = new LeaderLatch(a, path, "first");
        var second = new LeaderLatch(b, path, "second");
        await using var third = new LeaderLatch(c, path, "third");
        var events = new Recorder<(string, bool)>();
        first.LeadershipChanged += (_, leader) => events.Add(("first", leader));
        second.LeadershipChanged += (_, leader) => events.Add(("second", leader));
        third.LeadershipChanged += (_, leader) => events.Add(("third", leader));

        await first.StartAsync(Ct);
        await second.StartAsync(Ct);
        await third.StartAsync(Ct);
        Assert.Equal(("first", true), await events.NextAsync());
        Assert.True(await first.AwaitLeadershipAsync(TimeSpan.Zero, Ct));
        Assert.False(second.HasLeadership);
        Assert.False(await third.AwaitLeadershipAsync(TimeSpan.FromMilliseconds(100), Ct));
        Assert.True(second.LeadershipToken.IsCancellationRequested);

        // Curator's layout: protected ephemeral-sequential latch- nodes holding the ids.
        var names = await a.ChildrenAsync(path);
        Assert.Equal(3, names.Count);
        Assert.All(names, name => Assert.Matches(LatchName(), name));
        Assert.Equal(
            [new Participant("first", true), new Participant("second", false), new Participant("third", false)],
            await third.GetParticipantsAsync(Ct));
        Assert.Equal(new Participant("first", true), await second.GetLeaderAsync(Ct));

        var term = first.LeadershipToken;
        await first.DisposeAsync();
        Assert.Equal(LeaderLatchState.Closed, first.State);
        Assert.True(term.IsCancellationRequested);
        Assert.Equal(("second", true), await events.NextAsync());
        Assert.False(third.HasLeadership);
        Assert.Equal(2, (await a.ChildrenAsync(path)).Count);

        await second.DisposeAsync();
        Assert.Equal(("third", true), await events.NextAsync());
        Assert.False(events.TryNext(out var extra), $"Unexpected {extra}");
    }

    [Fact]
    public async Task ALatchGivesUpLeadershipWhenSuspendedAndTakesItBackOnReconnect()
    {
        var path = Server.UniquePath("latch-suspend");
        await using var proxy = new NetworkProxy(Server.Port);
        await using var a = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        await using var b = await Server.ConnectAsync();
        await using var leader = new LeaderLatch(a, path, "a", LeaderLatchCloseMode.NotifyLeader);
        await using var follower = new LeaderLatch(b, path, "b");
        var events = new Recorder<bool>();
        leader.LeadershipChanged += (_, isLeader) => events.Add(isLeader);
        await leader.StartAsync(Ct);
        await follower.StartAsync(Ct);
        Assert.True(await events.NextAsync());
        var term = leader.LeadershipToken;

        proxy.Drop();
        Assert.False(await events.NextAsync());
        Assert.True(term.IsCancellationRequested);
        Assert.True(await events.NextAsync());
        Assert.True(leader.HasLeadership);
        Assert.False(follower.HasLeadership);

        await leader.DisposeAsync();
        Assert.False(await events.NextAsync());
        Assert.True(await follower.AwaitLeadershipAsync(Patience, Ct));
    }

    [Fact]
    public async Task SelectorsTakeTurnsAndNeverOverlap()
    {
        var path = Server.UniquePath("selector");
        var clients = new List<ZooKeeperClient>();
        var selectors = new List<LeaderSelector>();
        var leading = 0;
        var overlaps = 0;
        var terms = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var client = await Server.ConnectAsync();
                clients.Add(client);
                var id = "s" + i;
                selectors.Add(new LeaderSelector(
                    client,
                    path,
                    async token =>
                    {
                        if (Interlocked.Increment(ref leading) > 1)
                        {
                            Interlocked.Increment(ref overlaps);
                        }

                        lock (terms)
                        {
                            // Done once there were nine terms and every selector has led. The last selector to start can
                            // queue after the others have taken several turns, so nine terms alone do not mean all led.
                            terms.Add(id);
                            if (terms.Count >= 9 && terms.Distinct().Count() == 3)
                            {
                                done.TrySetResult();
                            }
                        }

                        await Task.Yield();
                        Interlocked.Decrement(ref leading);
                    },
                    new LeaderSelectorOptions { Id = id, AutoRequeue = true }));
            }

            foreach (var selector in selectors)
            {
                selector.Start();
            }

            // Every selector leads (or this times out), and no two terms overlap.
            await done.Task.Soon();
            Assert.Equal(0, Volatile.Read(ref overlaps));
        }
        finally
        {
            foreach (var selector in selectors)
            {
                await selector.DisposeAsync();
            }

            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ASelectorsLeadershipIsCancelledWhenSuspendedOrInterrupted()
    {
        var path = Server.UniquePath("selector-lost");
        await using var proxy = new NetworkProxy(Server.Port);
        await using var a = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        await using var b = await Server.ConnectAsync();
        var terms = new Recorder<CancellationToken>();
        var ended = new Recorder<string>();
        await using var selector = new LeaderSelector(
            a,
            path,
            async token =>
            {
                terms.Add(token);
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                finally
                {
                    ended.Add("ended");
                }
            },
            new LeaderSelectorOptions { Id = "a", AutoRequeue = true });
        await using var other = new LeaderSelector(b, path, token => Task.Delay(Timeout.Infinite, token), new LeaderSelectorOptions { Id = "b" });
        selector.Start();
        var first = await terms.NextAsync();
        other.Start();
        await a.WaitForChildrenAsync(path, 2);
        Assert.True(selector.HasLeadership);
        Assert.Equal([new Participant("a", true), new Participant("b", false)], await other.GetParticipantsAsync(Ct));

        // Suspended: the term ends and the node goes; b leads (and never gives up), a queues again.
        proxy.Drop();
        await first.CancelledSoon();
        Assert.Equal("ended", await ended.NextAsync());
        await Eventually(async () => Assert.Equal("b", (await selector.GetParticipantsAsync(Ct))[0].Id));
        Assert.False(selector.HasLeadership);

        await other.DisposeAsync();
        var second = await terms.NextAsync();
        selector.InterruptLeadership();
        await second.CancelledSoon();
        Assert.Equal("ended", await ended.NextAsync());
        var third = await terms.NextAsync();
        Assert.False(third.IsCancellationRequested);
    }

    [GeneratedRegex("^_c_[0-9a-f-]{36}-latch-[0-9]{10}$")]
    private static partial Regex LatchName();
}
