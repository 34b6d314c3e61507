// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Core;
using ZkAspire.Server.Storage;

namespace ZkAspire.Server.Storage.Tests;

/// <summary>The txn log: segments round-trip, group commit shares syncs, and segments roll.</summary>
public sealed class TxnLogTests : IDisposable
{
    private readonly TempDataDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Crc32CMatchesTheCastagnoliCheckValue() =>
        Assert.Equal(0xE306_9283u, Crc32C.Compute("123456789"u8));

    [Fact]
    public void AppendedTxnsReadBackInOrderByteForByte()
    {
        var options = _dir.Options();
        var listener = new RecordingListener();
        var entries = Enumerable.Range(1, 500).Select(i => Txns.Create(i, "/n" + i, i % 50)).ToList();
        using (var log = new FileTxnLog(options, listener))
        {
            foreach (var entry in entries)
            {
                log.Append(entry);
            }

            listener.WaitFor(500);
        }

        var segments = StorageRecovery.ListSegments(LocalFileSystem.Instance, options);
        var read = new List<TxnLogEntry>();
        foreach (var (zxid, path) in segments)
        {
            var scan = TxnLogSegmentScan.Read(LocalFileSystem.Instance, path, zxid, -1, long.MaxValue, (e, _) => read.Add(e));
            Assert.True(scan.IsIntact, scan.DamageReason ?? scan.HeaderProblem);
        }

        Assert.Equal(entries.Select(Txns.Encode), read.Select(Txns.Encode));
        Assert.Equal(1, segments[0].Zxid);
    }

    [Fact]
    public void ConcurrentAppendsShareOneSync()
    {
        var fs = new TestFileSystem();
        var options = _dir.Options();
        var listener = new RecordingListener();
        using var gate = new ManualResetEventSlim();
        using var log = new FileTxnLog(options, listener, fs);

        // The writer is held in a sync while handling the first append (the new segment's
        // header); 999 more arrive meanwhile, as from many clients.
        fs.SyncGate = gate;
        log.Append(Txns.Create(1, "/first"));
        Assert.True(fs.SyncWaiting.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        for (var i = 2; i <= 1000; i++)
        {
            log.Append(Txns.Create(i, "/n" + i));
        }

        gate.Set();
        listener.WaitFor(1000);

        // The header, the first txn's batch, then one write and one sync for all 999 others.
        Assert.Equal(2, log.BatchesWritten);
        Assert.Equal(3, fs.Syncs);
        Assert.Equal(1000, log.TxnsWritten);
    }

    [Fact]
    public void BatchesAreCappedAndEachIsOneSync()
    {
        var fs = new TestFileSystem();
        var options = _dir.Options(o => o.MaxBatchTxns = 100);
        var listener = new RecordingListener();
        using var gate = new ManualResetEventSlim();
        using var log = new FileTxnLog(options, listener, fs);
        fs.SyncGate = gate;
        log.Append(Txns.Create(1, "/first"));
        Assert.True(fs.SyncWaiting.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        for (var i = 2; i <= 1000; i++)
        {
            log.Append(Txns.Create(i, "/n" + i));
        }

        gate.Set();
        listener.WaitFor(1000);
        Assert.Equal(11, log.BatchesWritten);
    }

    [Fact]
    public void RollLogStartsANewSegmentCutToItsDataAndRecoveryReadsAcrossThem()
    {
        var options = _dir.Options();
        var listener = new RecordingListener();
        using (var log = new FileTxnLog(options, listener))
        {
            for (var i = 1; i <= 30; i++)
            {
                log.Append(Txns.Create(i, "/n" + i));
                if (i % 10 == 0)
                {
                    listener.WaitFor(i);
                    log.RollLog();
                    Assert.Equal(0, log.TxnsSinceRoll);
                }
            }

            listener.WaitFor(30);
        }

        var segments = StorageRecovery.ListSegments(LocalFileSystem.Instance, options);
        Assert.Equal([1L, 11L, 21L], segments.Select(s => s.Zxid));
        Assert.All(segments.SkipLast(1), s => Assert.True(new FileInfo(s.Path).Length < options.PreAllocSizeBytes));
        Assert.Equal(options.PreAllocSizeBytes, new FileInfo(segments[^1].Path).Length);

        var recovered = StorageRecovery.Recover(options, new ReplicaOptions());
        Assert.Equal(30, recovered.LastZxid);
        Assert.Equal(30, recovered.Recovery.TxnsReplayed);
    }

    [Fact]
    public void ASegmentGrowsInPreallocatedBlocks()
    {
        var options = _dir.Options(o => o.PreAllocSizeBytes = 4096);
        var listener = new RecordingListener();
        using (var log = new FileTxnLog(options, listener))
        {
            for (var i = 1; i <= 200; i++)
            {
                log.Append(Txns.Create(i, "/n" + i, 100));
            }

            listener.WaitFor(200);
        }

        var (_, path) = Assert.Single(StorageRecovery.ListSegments(LocalFileSystem.Instance, options));
        Assert.Equal(0, new FileInfo(path).Length % 4096);
        Assert.True(new FileInfo(path).Length > 4096);
        Assert.Equal(200, StorageRecovery.Recover(options, new ReplicaOptions()).LastZxid);
    }

    [Fact]
    public void AnEpochChangeStartsANewSegment()
    {
        var options = _dir.Options();
        var listener = new RecordingListener();
        var last = ZkAspire.Protocol.Zxid.From(1, 1).Value;
        using (var log = new FileTxnLog(options, listener))
        {
            log.Append(Txns.Create(0xFFFF_FFFD, "/a"));
            log.Append(Txns.Create(0xFFFF_FFFE, "/b"));
            log.Append(Txns.Create(last, "/c"));
            listener.WaitFor(last);
        }

        var segments = StorageRecovery.ListSegments(LocalFileSystem.Instance, options);
        Assert.Equal([0xFFFF_FFFDL, last], segments.Select(s => s.Zxid));

        // The two segments read as one gapless log across the epoch change.
        Assert.True(StorageTools.VerifyDataDirectory(options).IsValid);
    }

    [Fact]
    public void ASegmentRollsAtTheSizeLimit()
    {
        var options = _dir.Options(o =>
        {
            o.PreAllocSizeBytes = 4096;
            o.SegmentSizeLimitBytes = 8192;
        });
        var listener = new RecordingListener();
        using (var log = new FileTxnLog(options, listener))
        {
            for (var i = 1; i <= 300; i++)
            {
                log.Append(Txns.Create(i, "/n" + i, 50));
                if (i % 7 == 0)
                {
                    listener.WaitFor(i);
                }
            }

            listener.WaitFor(300);
        }

        var segments = StorageRecovery.ListSegments(LocalFileSystem.Instance, options);
        Assert.True(segments.Count > 3);
        Assert.All(segments, s => Assert.True(new FileInfo(s.Path).Length <= 8192));
        var recovered = StorageRecovery.Recover(options, new ReplicaOptions());
        Assert.Equal(300, recovered.LastZxid);
        Assert.Equal(300, recovered.Recovery.NodeCount - 4);
    }

    [Fact]
    public void SyncIsSkippedWithForceSyncOffAndTheSegmentSaysSo()
    {
        var fs = new TestFileSystem();
        var options = _dir.Options(o => o.ForceSync = false);
        var listener = new RecordingListener();
        using (var log = new FileTxnLog(options, listener, fs))
        {
            for (var i = 1; i <= 20; i++)
            {
                log.Append(Txns.Create(i, "/n" + i));
            }

            listener.WaitFor(20);
        }

        Assert.Equal(0, fs.Syncs);
        var (zxid, path) = Assert.Single(StorageRecovery.ListSegments(fs, options));
        Assert.True(TxnLogSegmentScan.Read(fs, path, zxid, -1, long.MaxValue, null).Header.WrittenWithoutSync);
    }
}
