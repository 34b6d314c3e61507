// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// zxids: epoch in the high 32 bits, counter in the low 32. When the counter is exhausted a
/// standalone server moves to the next epoch (ZooKeeper's leader forces a re-election there,
/// XidRolloverException), and the new epoch is durable with the first txn that carries it.
/// </summary>
public sealed class ZxidTests
{
    [Theory]
    [InlineData(0L, 1L)]
    [InlineData(0x0000_0000_FFFF_FFFDL, 0x0000_0000_FFFF_FFFEL)]
    [InlineData(0x0000_0000_FFFF_FFFEL, 0x0000_0001_0000_0001L)]
    [InlineData(0x0000_0007_FFFF_FFFEL, 0x0000_0008_0000_0001L)]
    [InlineData(0x0000_0008_0000_0001L, 0x0000_0008_0000_0002L)]
    public void TheCounterNeverReachesAllOnes(long zxid, long next) => Assert.Equal(next, PrepStage.NextZxid(zxid));

    [Fact]
    public void TheLastEpochCannotRollOver() =>
        Assert.Throws<InvalidOperationException>(() => PrepStage.NextZxid(Zxid.From(int.MaxValue, 0xFFFF_FFFE).Value));

    [Fact]
    public void WritesCrossIntoTheNextEpochAndARestartReplaysThem()
    {
        // A snapshot taken near the end of epoch 0: its Begin record carries the start zxid.
        var before = new TestServer();
        before.Connect().Create("/a");
        using var buffer = new JuteWriter();
        Assert.True(before.Replica.BeginSnapshot().WriteChunk(buffer, 100));
        var snapshot = buffer.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(snapshot.AsSpan(5), 0x0000_0000_FFFF_FFFCL);

        var recovery = new ReplicaRecovery(before.Options);
        recovery.LoadSnapshotChunk(snapshot);
        recovery.EndSnapshot();
        var server = new TestServer(before.Options, hostPersistence: true, recovery: recovery);
        var client = server.Open();
        client.SendConnect(new ConnectRequest(0, 0, 10_000, 0, new byte[16], false));
        server.PersistAll();
        client.ExpectConnected();
        client.Create("/b");
        client.Create("/c");
        Assert.Equal(
            [0x0000_0000_FFFF_FFFDL, 0x0000_0000_FFFF_FFFEL, 0x0000_0001_0000_0001L],
            server.Persistence!.Appended.Select(e => e.Zxid));
        Assert.Equal(0x0000_0001_0000_0001L, client.Stat("/c").Czxid);

        var restarted = new ReplicaRecovery(before.Options);
        restarted.LoadSnapshotChunk(snapshot);
        restarted.EndSnapshot();
        foreach (var entry in server.Persistence.Appended)
        {
            Assert.True(restarted.Replay(entry));
        }

        Assert.Equal(new Zxid(0x0000_0001_0000_0001L), new Zxid(restarted.LastZxid));
        Assert.Equal(server.Replica.DumpState(), restarted.CreateReplica(new RecordingOutput(), null, server.NowMs).DumpState());
    }
}
