// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Protocol;
using ZkAspire.Server.Consensus;
using ZkAspire.Server.Core;

namespace ZkAspire.Simulation.Tests;

/// <summary>
/// Scripted runs of full replicas without random faults: what each role does for clients
/// (forwarding, sessions that move, expiry, quorum sync, observers), checked by the same
/// invariant checkers as the random runs.
/// </summary>
public sealed class ScenarioTests
{
    [Fact]
    public void RunWithoutFaultsElectsOnceAndAgrees()
    {
        var sim = new Simulation(new SimulationOptions { Seed = 42, Faults = false, FaultyMs = 0, CalmMs = 6_000, Clients = 4 });
        sim.Run();
        Assert.Equal(1, sim.Checker.EpochsEstablished);
        Assert.True(sim.Checker.AppliedTxns > 100, $"only {sim.Checker.AppliedTxns} txns");
    }

    [Fact]
    public void FollowerForwardsWritesAndServesReadsFromItsOwnTree()
    {
        var sim = Ensemble(3);
        var leader = Leader(sim);
        var follower = sim.Servers.First(s => s != leader);
        Assert.Equal(ServerMode.Follower, follower.Replica!.Mode);

        var client = new ScriptedClient(sim);
        client.Connect(follower);
        Assert.True(client.IsConnected);
        var created = client.Call(OpCode.Create, new CreateRequest("/a", Data("x"), Acls.OpenAclUnsafe, 0));
        Assert.Equal(0, created!.Header.Err);
        var read = client.Call(OpCode.GetData, new GetDataRequest("/a", false));
        Assert.Equal("x", Text(read));

        sim.RunFor(200);
        foreach (var server in sim.Servers)
        {
            Assert.Equal("x", Encoding.UTF8.GetString(server.Replica!.Tree.GetNode("/a")!.Data!));
        }

        var stats = leader.Replica!.GetStats();
        Assert.Equal(ServerMode.Leader, stats.Mode);
        Assert.Equal(2, stats.Quorum!.SyncedFollowers);
        Assert.Equal(ServerState.Leading, stats.Quorum.State);
        Assert.Equal(ServerMode.Follower, follower.Replica.GetStats().Mode);
    }

    [Fact]
    public void ConfigNodeHoldsTheEnsemble()
    {
        var sim = Ensemble(3, observers: 1);
        var client = new ScriptedClient(sim);
        client.Connect(sim.Servers[3]);
        Assert.Equal(ServerMode.Observer, sim.Servers[3].Replica!.Mode);
        var config = Text(client.Call(OpCode.GetData, new GetDataRequest("/zookeeper/config", false)));
        Assert.Equal("server.1=sim1:2888:3888:participant\nserver.2=sim2:2888:3888:participant\nserver.3=sim3:2888:3888:participant\nserver.4=sim4:2888:3888:observer\nversion=0", config);
    }

    [Fact]
    public void ObserverForwardsWritesAndServesReads()
    {
        var sim = Ensemble(3, observers: 1);
        var observer = sim.Servers[3];
        var client = new ScriptedClient(sim);
        client.Connect(observer);
        Assert.Equal(0, client.Call(OpCode.Create, new CreateRequest("/o", Data("1"), Acls.OpenAclUnsafe, 0))!.Header.Err);
        Assert.Equal(0, client.Call(OpCode.SetData, new SetDataRequest("/o", Data("2"), 0))!.Header.Err);
        Assert.Equal("2", Text(client.Call(OpCode.GetData, new GetDataRequest("/o", false))));

        // The observer never voted: the leader counts two synced followers, not three.
        Assert.Equal(2, Leader(sim).Replica!.GetStats().Quorum!.SyncedFollowers);
    }

    [Fact]
    public void SessionMovesToAnotherServerAndTheOldConnectionGetsSessionMoved()
    {
        var sim = Ensemble(3);
        var leader = Leader(sim);
        var (first, second) = (sim.Servers.First(s => s != leader), sim.Servers.Last(s => s != leader));

        var old = new ScriptedClient(sim);
        old.Connect(first);
        Assert.Equal(0, old.Call(OpCode.Create, new CreateRequest("/eph", [], Acls.OpenAclUnsafe, (int)CreateMode.Ephemeral))!.Header.Err);

        // The same session resumed on another server: REVALIDATE with the leader, same session id.
        var moved = new ScriptedClient(sim);
        moved.Connect(second, old.SessionId, old.Password, lastZxidSeen: 0);
        Assert.True(moved.IsConnected);
        Assert.Equal(old.SessionId, moved.SessionId);
        Assert.Equal(0, moved.Call(OpCode.SetData, new SetDataRequest("/eph", Data("m"), -1))!.Header.Err);

        // A write still arriving on the old connection: SessionMoved, and that connection closes.
        var stale = old.Call(OpCode.SetData, new SetDataRequest("/eph", Data("stale"), -1));
        Assert.Equal((int)KeeperErrorCode.SessionMoved, stale!.Header.Err);
        sim.RunUntil(() => old.ClosedReason is not null, 1_000);
        Assert.NotNull(old.ClosedReason);
        Assert.Equal("m", Text(moved.Call(OpCode.GetData, new GetDataRequest("/eph", false))));

        sim.RunFor(200);
        foreach (var server in sim.Servers)
        {
            Assert.Contains("/eph", server.Replica!.Tree.GetEphemerals(moved.SessionId));
        }
    }

    /// <summary>
    /// A forwarded write that the network delivers twice, the copy after the client reconnected
    /// (a new client handle, whose xids start at 1 again), is applied once: the leader binds the
    /// session to the owner's connection and drops stragglers of closed connections. (Found by
    /// the simulation: the copy used to be prepped again and the write applied twice.)
    /// </summary>
    [Fact]
    public void ADuplicatedForwardedWriteIsAppliedOnceEvenAfterAReconnect()
    {
        var sim = Ensemble(3);
        var leader = Leader(sim);
        var follower = sim.Servers.First(s => s != leader);
        var first = new ScriptedClient(sim);
        first.Connect(follower);
        Assert.Equal(0, first.Call(OpCode.Create, new CreateRequest("/dup", Data("0"), Acls.OpenAclUnsafe, 0))!.Header.Err);

        sim.Network.DuplicateWhen = (from, to, message) => from == follower.Id && message is LearnerRequest;
        var set = first.Call(OpCode.SetData, new SetDataRequest("/dup", Data("1"), -1));
        sim.Network.DuplicateWhen = null;
        Assert.Equal(1, Assert.IsType<SetDataResponse>(set!.Body).Stat.Version);

        // The same session on a new connection of the same follower, before the copy arrives.
        var second = new ScriptedClient(sim);
        second.Connect(follower, first.SessionId, first.Password);
        Assert.True(second.IsConnected);
        Assert.Equal(0, second.Call(OpCode.Exists, new ExistsRequest("/dup", false))!.Header.Err);
        sim.RunFor(1_000);

        foreach (var server in sim.Servers)
        {
            Assert.Equal(1, server.Replica!.Tree.GetNode("/dup")!.Stat.Version);
        }
    }

    [Fact]
    public void OnlyTheLeaderExpiresSessionsAndTheirEphemeralsGoEverywhere()
    {
        var sim = Ensemble(3);
        var follower = sim.Servers.First(s => s != Leader(sim));
        var client = new ScriptedClient(sim);
        client.Connect(follower, timeoutMs: 400);
        Assert.Equal(0, client.Call(OpCode.Create, new CreateRequest("/gone", [], Acls.OpenAclUnsafe, (int)CreateMode.Ephemeral))!.Header.Err);
        var session = client.SessionId;

        // The client falls silent (no pings): the leader expires the session after its timeout.
        sim.RunUntil(() => sim.Servers.All(s => s.Replica!.Tree.GetNode("/gone") is null), 3_000);
        foreach (var server in sim.Servers)
        {
            Assert.Null(server.Replica!.Tree.GetNode("/gone"));
            Assert.DoesNotContain(server.Replica.GetSessions(), s => s.SessionId == session);
        }

        sim.RunUntil(() => client.ClosedReason is not null, 1_000);
        Assert.Equal("session expired", client.ClosedReason);
        var again = new ScriptedClient(sim);
        again.Connect(sim.Servers[0], session, client.Password);
        Assert.Equal(0, again.Response!.TimeOut);
    }

    [Fact]
    public void ALearnerTouchesItsSessionsThroughPingRepliesSoTheyLive()
    {
        var sim = Ensemble(3);
        var follower = sim.Servers.First(s => s != Leader(sim));
        var client = new ScriptedClient(sim);
        client.Connect(follower, timeoutMs: 400);
        for (var i = 0; i < 20; i++)
        {
            // Pings reach only the follower; the leader hears of them in ping replies.
            client.Frames.Clear();
            Assert.NotNull(client.Call(OpCode.Ping, null));
            sim.RunFor(100);
        }

        Assert.True(client.IsConnected);
        Assert.Contains(Leader(sim).Replica!.GetSessions(), s => s.SessionId == client.SessionId);
    }

    [Fact]
    public void AServerBehindTheClientRefusesIt()
    {
        var sim = Ensemble(3);
        var leader = Leader(sim);
        var behind = sim.Servers.First(s => s != leader);

        // The follower stops hearing the leader; for a moment it still serves, behind.
        sim.Network.Block(leader.Id, behind.Id);
        var writer = new ScriptedClient(sim);
        writer.Connect(leader);
        var reply = writer.Call(OpCode.Create, new CreateRequest("/new", [], Acls.OpenAclUnsafe, 0));
        Assert.True(behind.Replica!.IsServing);

        var client = new ScriptedClient(sim);
        client.Connect(behind, lastZxidSeen: reply!.Header.Zxid);
        Assert.Null(client.Response);
        Assert.Contains("try another server", client.ClosedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void AServerThatIsNotServingClosesConnections()
    {
        var sim = Ensemble(3);
        var isolated = sim.Servers.First(s => s != Leader(sim));
        foreach (var other in sim.Servers.Where(s => s != isolated))
        {
            sim.Network.Block(other.Id, isolated.Id);
            sim.Network.Block(isolated.Id, other.Id);
        }

        sim.RunUntil(() => !isolated.Replica!.IsServing, 2_000);
        Assert.Equal(ServerMode.Looking, isolated.Replica!.Mode);
        var client = new ScriptedClient(sim);
        client.Connect(isolated);
        Assert.Null(client.Response);
        Assert.Contains("not serving", client.ClosedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void SyncOnAFollowerWaitsForTheLeadersCommitPoint()
    {
        var sim = Ensemble(3);
        var leader = Leader(sim);
        var follower = sim.Servers.First(s => s != leader);
        var writer = new ScriptedClient(sim);
        writer.Connect(leader);
        var reader = new ScriptedClient(sim);
        reader.Connect(follower);
        Assert.Equal(0, writer.Call(OpCode.Create, new CreateRequest("/s", Data("0"), Acls.OpenAclUnsafe, 0))!.Header.Err);

        for (var i = 1; i <= 20; i++)
        {
            // Each write is acknowledged before the sync starts: the read after it must see it.
            Assert.Equal(0, writer.Call(OpCode.SetData, new SetDataRequest("/s", Data(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), -1))!.Header.Err);
            var sync = reader.Send(OpCode.Sync, new SyncRequest("/s"));
            var get = reader.Send(OpCode.GetData, new GetDataRequest("/s", false));
            sim.RunUntil(() => reader.ReplyTo(get) is not null, 2_000);
            Assert.Equal(0, reader.ReplyTo(sync)!.Header.Err);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(reader.ReplyTo(get)));
        }
    }

    /// <summary>
    /// ZOOKEEPER-1675: with Apache ZooKeeper, a paused old leader (or a follower still attached
    /// to it) may answer a sync and then serve a read older than a write another leader committed
    /// after it was deposed. Here the old leader's timers are frozen, so it believes it still
    /// leads; a new leader is elected and commits a write; a plain read through the old side is
    /// stale (allowed: reads are sequentially consistent), but a sync never completes there, so
    /// sync+read never returns the stale value. Once its timers run, the old leader steps down
    /// and its clients see connection loss.
    /// </summary>
    [Fact]
    public void AStaleSyncAndReadThroughADeposedLeaderCannotHappen()
    {
        var sim = Ensemble(5);
        var old = Leader(sim);
        var attached = sim.Servers.First(s => s != old);
        var writer = new ScriptedClient(sim);
        writer.Connect(old);
        Assert.Equal(0, writer.Call(OpCode.Create, new CreateRequest("/x", Data("1"), Acls.OpenAclUnsafe, 0))!.Header.Err);
        var onOld = new ScriptedClient(sim);
        onOld.Connect(old);
        var onAttached = new ScriptedClient(sim);
        onAttached.Connect(attached);
        sim.RunFor(100);

        // The old leader and one follower are cut off, and their timers stall (a long pause of
        // the process): neither notices that it lost the quorum.
        old.TicksSuspended = true;
        attached.TicksSuspended = true;
        var majority = sim.Servers.Where(s => s != old && s != attached).ToList();
        foreach (var a in new[] { old, attached })
        {
            foreach (var b in majority)
            {
                sim.Network.Block(a.Id, b.Id);
                sim.Network.Block(b.Id, a.Id);
            }
        }

        // The majority elects a new leader, which commits x=2 and acknowledges it.
        Assert.True(sim.RunUntil(() => majority.Count(s => s.Replica!.Mode == ServerMode.Leader) == 1 && majority.All(s => s.Replica!.IsServing), 5_000));
        var newLeader = majority.Single(s => s.Replica!.Mode == ServerMode.Leader);
        var writer2 = new ScriptedClient(sim);
        writer2.Connect(newLeader);
        Assert.Equal(0, writer2.Call(OpCode.SetData, new SetDataRequest("/x", Data("2"), -1))!.Header.Err);

        // The old side still serves, and a plain read there is stale.
        Assert.Equal(ServerMode.Leader, old.Replica!.Mode);
        Assert.Equal("1", Text(onOld.Call(OpCode.GetData, new GetDataRequest("/x", false))));

        // sync+read through the old leader and through its follower: no answer at all.
        var syncOld = onOld.Send(OpCode.Sync, new SyncRequest("/x"));
        var readOld = onOld.Send(OpCode.GetData, new GetDataRequest("/x", false));
        var syncAttached = onAttached.Send(OpCode.Sync, new SyncRequest("/x"));
        var readAttached = onAttached.Send(OpCode.GetData, new GetDataRequest("/x", false));
        sim.RunFor(2_000);
        Assert.Null(onOld.ReplyTo(syncOld));
        Assert.Null(onOld.ReplyTo(readOld));
        Assert.Null(onAttached.ReplyTo(syncAttached));
        Assert.Null(onAttached.ReplyTo(readAttached));

        // Time runs again: the old leader steps down and closes its connections; the sync and
        // the read are never answered with stale data.
        old.TicksSuspended = false;
        attached.TicksSuspended = false;
        sim.RunUntil(() => onOld.ClosedReason is not null && onAttached.ClosedReason is not null, 2_000);
        Assert.NotNull(onOld.ClosedReason);
        Assert.NotNull(onAttached.ClosedReason);
        Assert.Null(onOld.ReplyTo(readOld));
        Assert.Null(onAttached.ReplyTo(readAttached));
    }

    [Fact]
    public void AFormerLeaderThatComesBackFollows()
    {
        var sim = Ensemble(3);
        var old = Leader(sim);
        old.Crash();
        Assert.True(sim.RunUntil(() => sim.Servers.Count(s => s.Replica?.Mode == ServerMode.Leader) == 1, 5_000));
        var newLeader = Leader(sim);
        old.Start();
        Assert.True(sim.RunUntil(() => old.Replica!.IsServing, 5_000));
        Assert.Equal(ServerMode.Follower, old.Replica!.Mode);
        Assert.Equal(newLeader, Leader(sim));
    }

    private static Simulation Ensemble(int servers, int observers = 0)
    {
        var sim = new Simulation(new SimulationOptions { Seed = 7, Servers = servers, Observers = observers, Clients = 0, Faults = false });
        sim.StartServers();
        Assert.True(
            sim.RunUntil(() => sim.Servers.All(s => s.Replica!.IsServing) && sim.Servers.Count(s => s.Replica!.Mode == ServerMode.Leader) == 1, 10_000),
            "the ensemble did not form");
        return sim;
    }

    private static SimServer Leader(Simulation sim) => sim.Servers.Single(s => s.Replica?.Mode == ServerMode.Leader);

    private static byte[] Data(string text) => Encoding.UTF8.GetBytes(text);

    private static string? Text(ServerFrame? frame) =>
        frame?.Body is GetDataResponse data ? Encoding.UTF8.GetString(data.Data ?? []) : null;
}
