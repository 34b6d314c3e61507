// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Storage;

namespace ZkAspire.Server.Storage.Tests;

/// <summary>When snapshots are taken (ZooKeeper's SyncRequestProcessor.shouldSnapshot) and how the writer keeps up.</summary>
public sealed class SnapshotDriverTests : IDisposable
{
    private readonly TempDataDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TheTriggerIsRandomizedPerServerIntoTheUpperHalfOfSnapCount()
    {
        var options = _dir.Options(o => o.SnapCount = 1000);
        var thresholds = new HashSet<long>();
        for (var seed = 0; seed < 50; seed++)
        {
            using var driver = new SnapshotDriver(options, new Random(seed));
            Assert.InRange(driver.Threshold, 501, 1000);
            Assert.False(driver.ShouldSnapshot(driver.Threshold - 1));
            Assert.True(driver.ShouldSnapshot(driver.Threshold));
            thresholds.Add(driver.Threshold);
        }

        Assert.True(thresholds.Count > 10);
    }

    [Fact]
    public void NoSecondSnapshotWhileOneIsInProgressAndANewThresholdAfterEach()
    {
        using var server = new DurableServer(_dir.Options(o => o.SnapCount = 10));
        var connection = server.Connect();
        for (var i = 0; i < 8; i++)
        {
            server.Call(connection, OpCode.Create, new CreateRequest("/n" + i, null, Acls.OpenAclUnsafe, 0));
        }

        server.BeginSnapshot();
        Assert.True(server.Snapshots.InProgress);
        Assert.False(server.Snapshots.ShouldSnapshot(1_000_000));
        Assert.Throws<InvalidOperationException>(() => server.Snapshots.Begin(server.Replica.BeginSnapshot()));
        var info = server.FinishSnapshot();
        Assert.False(server.Snapshots.InProgress);
        Assert.InRange(server.Snapshots.Threshold, 6, 10);
        Assert.Equal(server.Replica.LastProcessedZxid, info.StartZxid);
        Assert.Equal(StorageLayout.SnapshotName(info.StartZxid), Path.GetFileName(info.Path));
        Assert.Equal(new FileInfo(info.Path).Length, info.Bytes);
        Assert.Equal(4 + 8, info.Nodes);
    }

    [Fact]
    public async Task ChunkProductionWaitsForASlowWriter()
    {
        using var server = new DurableServer(_dir.Options(o =>
        {
            o.SnapshotChunkRecords = 1;
            o.SnapshotMaxQueuedChunks = 2;
        }));
        var connection = server.Connect();
        for (var i = 0; i < 30; i++)
        {
            server.Call(connection, OpCode.Create, new CreateRequest("/n" + i, new byte[100], Acls.OpenAclUnsafe, 0));
        }

        server.BeginSnapshot();
        var results = new List<SnapshotStepResult>();
        SnapshotStepResult step;
        do
        {
            step = server.Snapshots.Step();
            results.Add(step);
        }
        while (step != SnapshotStepResult.Produced);

        var info = await server.Snapshots.Completion!.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(36, results.Count(r => r is SnapshotStepResult.MoreWork or SnapshotStepResult.Produced));
        Assert.True(StorageTools.VerifySnapshot(info.Path).IsValid);
    }

    [Fact]
    public void TheSnapshotFileIsWrittenAndSyncedOffTheThreadPool()
    {
        // Blocking writes and syncs on a thread-pool thread hold up the connections' and the
        // event loop's work behind them (ZooKeeper's snapshot has a thread of its own too).
        var fileSystem = new TestFileSystem();
        using var server = new DurableServer(
            _dir.Options(o =>
            {
                o.SnapshotChunkRecords = 10;
                o.SnapshotBytesPerSync = 4096;
            }),
            fileSystem);
        var connection = server.Connect();
        for (var i = 0; i < 200; i++)
        {
            server.Call(connection, OpCode.Create, new CreateRequest("/n" + i, new byte[100], Acls.OpenAclUnsafe, 0));
        }

        // The test itself runs on the pool: count from here, while only the snapshot writes.
        var syncsBefore = fileSystem.Syncs;
        var poolIoBefore = fileSystem.IoOnThreadPool;
        server.BeginSnapshot();
        var info = server.FinishSnapshot();
        Assert.True(fileSystem.Syncs - syncsBefore > 3, "the snapshot file was synced as it was written");
        Assert.Equal(poolIoBefore, fileSystem.IoOnThreadPool);
        Assert.True(StorageTools.VerifySnapshot(info.Path).IsValid);
    }

    [Fact]
    public void ChunkBuffersReusedWithinAndAcrossSnapshotsCarryNoStaleBytes()
    {
        // Few records per chunk and few queued: every chunk buffer is filled many times, with
        // payloads longer and shorter than the last, and the same buffers serve the next snapshot.
        var options = _dir.Options(o =>
        {
            o.SnapshotChunkRecords = 7;
            o.SnapshotMaxQueuedChunks = 2;
        });
        List<string> live;
        using (var server = new DurableServer(options))
        {
            var connection = server.Connect();
            for (var i = 0; i < 150; i++)
            {
                server.Call(connection, OpCode.Create, new CreateRequest("/n" + i, new byte[(i * 37) % 700], Acls.OpenAclUnsafe, 0));
            }

            server.BeginSnapshot();
            var first = server.FinishSnapshot();
            Assert.True(StorageTools.VerifySnapshot(first.Path).IsValid);

            for (var i = 0; i < 150; i += 3)
            {
                server.Call(connection, OpCode.SetData, new SetDataRequest("/n" + i, new byte[(i * 53) % 900], -1));
                server.Call(connection, OpCode.Delete, new DeleteRequest("/n" + (i + 1), -1));
            }

            server.BeginSnapshot();
            var second = server.FinishSnapshot();
            Assert.True(StorageTools.VerifySnapshot(second.Path).IsValid);
            Assert.Equal(first.Nodes - 50, second.Nodes);
            live = server.Replica.DumpState();
        }

        // The second snapshot alone (the log before it removed) restores the state.
        foreach (var log in Directory.GetFiles(options.LogDirectory, StorageLayout.LogPrefix + "*"))
        {
            File.Delete(log);
        }

        using var restarted = new DurableServer(options);
        Assert.NotNull(restarted.Recovered.SnapshotPath);
        Assert.Equal(live, restarted.Replica.DumpState());
    }
}
