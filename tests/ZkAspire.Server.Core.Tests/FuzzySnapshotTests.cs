// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// Fuzzy snapshots (ZooKeeper's FileTxnSnapLog.save while writes go on): written a few records at
/// a time between requests, then restored by loading them and replaying the log from their start
/// zxid, they give exactly the state of the unbroken run, every Stat field included
/// (ZOOKEEPER-3145, ZOOKEEPER-3249: parent cversion and pzxid survive the overlap).
/// </summary>
public sealed class FuzzySnapshotTests
{
    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EverySnapshotTakenDuringWritesRestoresToTheLiveState(int seed)
    {
        var disk = new SimulatedDisk();
        var harness = new DurabilityHarness(seed, disk, DurabilityHarness.NewOptions(0x0100_0000_0000_0001), null, TestServer.StartMs)
        {
            // Some seeds also run out of disk now and then: failed txns must leave no trace.
            DiskFullToggleProbability = seed % 3 == 0 ? 0.03 : 0,
        };
        harness.Run(600, syncProbability: 0.35);
        harness.FinishSnapshot();
        harness.Quiesce();
        Assert.True(harness.SnapshotsTaken > 0);

        var live = harness.Replica.DumpState();
        var fromLogOnly = disk.Recover(harness.Options, useSnapshot: false).CreateReplica(new RecordingOutput(), null, harness.NowMs).DumpState();
        Assert.Equal(live, fromLogOnly);

        // Each snapshot, with the log after its start zxid, must land on the same state.
        var snapshots = disk.Snapshots.ToArray();
        var overlaps = 0L;
        foreach (var (startZxid, records) in snapshots)
        {
            disk.Snapshots.Clear();
            disk.Snapshots.Add((startZxid, records));
            var recovery = disk.Recover(harness.Options);
            Assert.Equal(harness.Replica.LastProcessedZxid, recovery.LastZxid);
            Assert.Empty(recovery.Warnings);
            overlaps += recovery.FuzzyOverlaps;
            var restored = recovery.CreateReplica(new RecordingOutput(), null, harness.NowMs).DumpState();
            Assert.Equal(live, restored);
        }

        // The workload makes the overlap real: replayed creates of nodes the snapshot already holds.
        Assert.True(overlaps > 0, $"seed {seed}: {snapshots.Length} snapshots and no fuzzy overlap");
    }

    [Fact]
    public void AChildDeletedAndRecreatedAfterItsParentWasWrittenKeepsTheParentsCounters_ZOOKEEPER_3249()
    {
        var (server, client) = ConnectedServer();
        client.Create("/p");
        client.Create("/p/a");
        client.Create("/p/b");
        var snapshot = server.Replica.BeginSnapshot();
        using var buffer = new ZkAspire.Protocol.JuteWriter();

        // The root, /p (with a and b listed) and nothing more.
        snapshot.WriteChunk(buffer, 2);
        snapshot.WriteChunk(buffer, 1);
        client.Delete("/p/a");
        client.Create("/p/a", [9]);
        client.Create("/p/c");
        client.SetData("/p/b", [7]);
        while (!snapshot.WriteChunk(buffer, 1))
        {
        }

        var recovery = AssertRestoresToTheLiveState(server, buffer);
        Assert.True(recovery.FuzzyOverlaps > 0);
    }

    [Fact]
    public void AParentDeletedAndMadeAgainWhileItsChildrenWaitToBeWrittenRestoresToTheLiveState()
    {
        var (server, client) = ConnectedServer();
        client.Create("/p");
        client.Create("/p/x", [1]);
        client.Create("/p/x/a", [2]);
        client.Create("/p/x/b", [3]);
        var snapshot = server.Replica.BeginSnapshot();
        using var buffer = new ZkAspire.Protocol.JuteWriter();

        // The root, /p and /p/x (with a and b listed): the walk holds the old /p/x's node.
        snapshot.WriteChunk(buffer, 2);
        snapshot.WriteChunk(buffer, 1);
        snapshot.WriteChunk(buffer, 1);
        client.Delete("/p/x/a");
        client.Delete("/p/x/b");
        client.Delete("/p/x");
        client.Create("/p/x", [4]);
        client.Create("/p/x/a", [5]);
        client.Create("/p/x/c", [6]);
        while (!snapshot.WriteChunk(buffer, 1))
        {
        }

        AssertRestoresToTheLiveState(server, buffer);
    }

    private static (TestServer Server, TestClient Client) ConnectedServer()
    {
        var server = new TestServer(hostPersistence: true);
        var client = server.Open();
        client.SendConnect(new ZkAspire.Protocol.ConnectRequest(0, 0, 30_000, 0, new byte[16], false));
        server.PersistAll();
        client.ExpectConnected();
        return (server, client);
    }

    // Loads the snapshot's records, replays the whole log over them, and checks that the result
    // is the live state, with no warning.
    private static ReplicaRecovery AssertRestoresToTheLiveState(TestServer server, ZkAspire.Protocol.JuteWriter snapshot)
    {
        var recovery = new ReplicaRecovery(server.Options);
        recovery.LoadSnapshotChunk(snapshot.WrittenSpan);
        recovery.EndSnapshot();
        foreach (var entry in server.Persistence!.Appended)
        {
            recovery.Replay(entry);
        }

        Assert.Empty(recovery.Warnings);
        Assert.Equal(server.Replica.DumpState(), recovery.CreateReplica(new RecordingOutput(), null, server.NowMs).DumpState());
        return recovery;
    }

    [Fact]
    public void ChunksHoldAtMostTheRecordBudget()
    {
        var server = new TestServer();
        var client = server.Connect();
        for (var i = 0; i < 50; i++)
        {
            client.Create("/n" + i);
        }

        var snapshot = server.Replica.BeginSnapshot();
        Assert.Equal(1, snapshot.SessionCount);
        var chunks = 0;
        var recovery = new ReplicaRecovery(server.Options);
        bool done;
        do
        {
            using var buffer = new ZkAspire.Protocol.JuteWriter();
            done = snapshot.WriteChunk(buffer, 7);
            recovery.LoadSnapshotChunk(buffer.WrittenSpan);
            chunks++;
        }
        while (!done);

        recovery.EndSnapshot();

        // 1 session + 55 znodes (/, /zookeeper, quota, config, 50 nodes, and none else) in 7s.
        Assert.Equal(55, snapshot.NodesWritten + 1);
        Assert.Equal(8, chunks);
        Assert.Equal(server.Replica.DumpState(), recovery.CreateReplica(new RecordingOutput(), null, server.NowMs).DumpState());
    }

    [Fact]
    public void ChunksStopTakingRecordsPastTheByteBudget()
    {
        var server = new TestServer();
        var client = server.Connect();
        for (var i = 0; i < 20; i++)
        {
            client.Create("/big" + i, new byte[100_000]);
        }

        var snapshot = server.Replica.BeginSnapshot();
        var recovery = new ReplicaRecovery(server.Options);
        var chunks = 0;
        bool done;
        do
        {
            using var buffer = new ZkAspire.Protocol.JuteWriter();
            done = snapshot.WriteChunk(buffer, 1000, maxBytes: 250_000);
            Assert.True(buffer.Length < 250_000 + 100_100, $"a chunk of {buffer.Length} bytes");
            recovery.LoadSnapshotChunk(buffer.WrittenSpan);
            chunks++;
        }
        while (!done);

        recovery.EndSnapshot();
        Assert.InRange(chunks, 7, 10);
        Assert.Equal(server.Replica.DumpState(), recovery.CreateReplica(new RecordingOutput(), null, server.NowMs).DumpState());
    }

    [Fact]
    public void ATruncatedOrCorruptRecordStreamIsRejected()
    {
        var server = new TestServer();
        server.Connect().Create("/x", [1, 2, 3]);
        using var buffer = new ZkAspire.Protocol.JuteWriter();
        Assert.True(server.Replica.BeginSnapshot().WriteChunk(buffer, 100));
        var bytes = buffer.ToArray();

        var withoutEnd = new ReplicaRecovery(server.Options);
        withoutEnd.LoadSnapshotChunk(bytes.AsSpan(0, bytes.Length - 17));
        Assert.Throws<SnapshotFormatException>(withoutEnd.EndSnapshot);

        var badTag = (byte[])bytes.Clone();
        badTag[0] = 99;
        Assert.Throws<SnapshotFormatException>(() => new ReplicaRecovery(server.Options).LoadSnapshotChunk(badTag));

        var cut = bytes.AsSpan(0, bytes.Length - 20).ToArray();
        Assert.Throws<SnapshotFormatException>(() => new ReplicaRecovery(server.Options).LoadSnapshotChunk(cut));
    }
}
