// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// What a restart brings back: sessions with their timeouts and ephemerals, which expire on
/// schedule from the restart unless their clients reconnect; not watches, which clients
/// re-register with setWatches (ZooKeeper's ZKDatabase.loadDataBase and SessionTrackerImpl).
/// </summary>
public sealed class RestoreTests
{
    private static byte[] Snapshot(Replica replica)
    {
        using var buffer = new JuteWriter();
        var snapshot = replica.BeginSnapshot();
        while (!snapshot.WriteChunk(buffer, 1000))
        {
        }

        return buffer.ToArray();
    }

    private static TestServer Restart(TestServer before, long nowMs, byte[]? snapshot = null, IEnumerable<TxnLogEntry>? log = null)
    {
        var recovery = new ReplicaRecovery(before.Options);
        if (snapshot is not null)
        {
            recovery.LoadSnapshotChunk(snapshot);
            recovery.EndSnapshot();
        }

        foreach (var entry in log ?? [])
        {
            recovery.Replay(entry);
        }

        return new TestServer(before.Options, recovery: recovery, nowMs: nowMs);
    }

    [Fact]
    public void ThousandsOfSessionsComeBackWithTheirEphemeralsAndExpireOnScheduleUnlessTheyReconnect()
    {
        var before = new TestServer(new ReplicaOptions { TickTimeMs = 2000, SessionIdSeed = 0x0100_0000_0000_0001, SessionSecret = [7, 7, 7] });
        var clients = new List<TestClient>();
        for (var i = 0; i < 3000; i++)
        {
            var client = before.Connect(timeoutMs: i % 2 == 0 ? 10_000 : 30_000);
            client.Create($"/e{i}", [(byte)i], CreateMode.Ephemeral);
            clients.Add(client);
        }

        for (var i = 0; i < clients.Count; i++)
        {
            clients[i].GetData($"/e{i}", watch: true);
            clients[i].Children($"/e{i}", watch: true);
        }

        Assert.Equal(6000, before.Replica.GetStats().WatchCount);
        var restartMs = before.NowMs + 3_600_000;
        var after = Restart(before, restartMs, Snapshot(before.Replica));

        var stats = after.Replica.GetStats();
        Assert.Equal(3000, stats.SessionCount);
        Assert.Equal(3000, stats.EphemeralCount);
        Assert.Equal(0, stats.WatchCount);
        Assert.All(after.Replica.GetSessions(), s => Assert.Equal(restartMs + s.TimeoutMs + 2000, s.ExpiresAtMs));

        // Every third client reconnects with its session id and password (the secret is the same)
        // and re-registers its watch, seeing the node unchanged since its last zxid.
        var resumed = new List<(TestClient Client, int Index)>();
        for (var i = 0; i < clients.Count; i += 3)
        {
            var client = after.Open();
            client.SendConnect(new ConnectRequest(0, before.Replica.LastProcessedZxid, clients[i].NegotiatedTimeout, clients[i].SessionId, clients[i].Password, false));
            client.ExpectConnected();
            Assert.Equal(clients[i].SessionId, client.SessionId);
            Assert.Equal(KeeperErrorCode.Ok, client.Call(OpCode.SetWatches, new SetWatches(before.Replica.LastProcessedZxid, [$"/e{i}"], [], [])).Header.Error);
            client.NoMoreFrames();
            resumed.Add((client, i));
        }

        Assert.Equal(1000, after.Replica.GetStats().WatchCount);

        // Past the 30 s timeout and its tick: the others are gone with their ephemerals; the
        // resumed ones stay as long as they keep talking.
        for (var elapsed = 0; elapsed < 40_000; elapsed += 8000)
        {
            after.Advance(8000);
            foreach (var (client, _) in resumed)
            {
                client.Call(OpCode.Ping);
            }
        }

        Assert.Equal(1000, after.Replica.GetStats().SessionCount);
        Assert.Equal(1000, after.Replica.GetStats().EphemeralCount);
        var (first, index) = resumed[1];
        Assert.Equal(new byte[] { (byte)index }, first.GetData($"/e{index}").Data);
        first.NoMoreFrames();
        var deleter = after.Connect();
        deleter.Delete($"/e{index}");
        Assert.Equal(EventType.NodeDeleted, first.NextEvent().Type);
    }

    [Fact]
    public void ASessionCreatedAfterTheSnapshotComesBackFromTheLogAndExpires()
    {
        var before = new TestServer(hostPersistence: true);
        var snapshot = Snapshot(before.Replica);
        var client = before.Open();
        client.SendConnect(new ConnectRequest(0, 0, 10_000, 0, new byte[16], false));
        before.PersistAll();
        client.ExpectConnected();
        client.Create("/eph", null, CreateMode.Ephemeral);

        var after = Restart(before, before.NowMs, snapshot, before.Persistence!.Appended);
        Assert.Equal(["/eph"], Assert.Single(after.Replica.GetSessions()).Ephemerals);
        after.Advance(12_000);
        Assert.Empty(after.Replica.GetSessions());
        var watcher = after.Connect();
        Assert.Equal(KeeperErrorCode.NoNode, watcher.Call(OpCode.Exists, new ExistsRequest("/eph", false)).Header.Error);
    }

    [Fact]
    public void ASnapshotSkipsASessionWhoseCreateSessionIsNotYetDurable()
    {
        var server = new TestServer(hostPersistence: true);
        var waiting = server.Open();
        waiting.SendConnect(new ConnectRequest(0, 0, 10_000, 0, new byte[16], false));
        var recovery = new ReplicaRecovery(server.Options);
        recovery.LoadSnapshotChunk(Snapshot(server.Replica));
        recovery.EndSnapshot();
        Assert.Equal(0, recovery.SessionCount);
    }

    [Fact]
    public void AHistoryThatDeletesAParentUnderItsChildrenLeavesNoOrphanAndSaysSo()
    {
        var before = new TestServer();
        var client = before.Connect();
        client.Create("/p");
        client.Create("/p/c", null, CreateMode.Ephemeral);
        var recovery = new ReplicaRecovery(before.Options);
        recovery.LoadSnapshotChunk(Snapshot(before.Replica));
        recovery.EndSnapshot();

        // No server writes this (Prep refuses NotEmpty); a damaged log might.
        recovery.Replay(new TxnLogEntry(new TxnHeader(client.SessionId, 9, before.Replica.LastProcessedZxid + 1, before.NowMs, (int)OpCode.Delete), new DeleteTxn("/p")));
        var restored = recovery.CreateReplica(new RecordingOutput(), null, before.NowMs);

        Assert.Contains("Removed znode /p/c, whose parent does not list it.", recovery.Warnings);
        Assert.DoesNotContain(restored.DumpState(), line => line.StartsWith("/p", StringComparison.Ordinal));
        Assert.Equal(0, restored.GetStats().EphemeralCount);
    }

    [Fact]
    public void AnEmptyRecoveryIsANewServer()
    {
        var fresh = new TestServer();
        var restored = new ReplicaRecovery(fresh.Options).CreateReplica(new RecordingOutput(), null, fresh.NowMs);
        Assert.Equal(fresh.Replica.DumpState(), restored.DumpState());
        Assert.Equal(5, restored.GetStats().NodeCount);
    }
}
