// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;
using ZkAspire.Server.Storage;

namespace ZkAspire.Server.Storage.Tests;

/// <summary>
/// The storage of a member of an ensemble: epoch files, TRUNC across segments, a leader's
/// snapshot installed in place of the log, flushes reported in order after everything before
/// them, and recovery that hands the logged txns to consensus without applying them.
/// </summary>
public sealed class QuorumStorageTests : IDisposable
{
    private readonly TempDataDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EpochsAndTxnsAreDurableInOrderAndRecoveryDoesNotApplyTheLog()
    {
        var options = _dir.Options();
        var listener = new FlushListener();
        using (var log = new FileTxnLog(options, listener))
        {
            log.SetAcceptedEpoch(1);
            log.Flush(1);
            for (var i = 1; i <= 5; i++)
            {
                log.Append(Txns.Create(Zxid(1, i), "/a" + i));
            }

            log.SetCurrentEpoch(1);
            log.Flush(2);
            log.SetAcceptedEpoch(2);
            log.Flush(3);
            listener.WaitFor(3);
            Assert.Equal([1L, 2L, 3L], listener.Flushed);
        }

        Assert.Equal("1\n", File.ReadAllText(Path.Combine(options.SnapshotDirectory, QuorumFiles.CurrentEpochFile)));
        var recovered = Recover(options);
        Assert.Equal((2, 1), (recovered.AcceptedEpoch, recovered.CurrentEpoch));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => Zxid(1, i)), recovered.Log.Select(e => e.Zxid));
        Assert.Equal(Zxid(1, 5), recovered.LastZxid);

        // Not applied: the state is the (empty) snapshot's; consensus decides what is committed.
        Assert.Equal(0, recovered.Recovery.TxnsReplayed);
        Assert.Equal(0, recovered.Recovery.LastZxid);
    }

    [Fact]
    public void ANewMemberHasEpochZeroAndAnEpochFileThatIsNotANumberIsDamage()
    {
        var options = _dir.Options();
        var recovered = Recover(options);
        Assert.Equal((0, 0), (recovered.AcceptedEpoch, recovered.CurrentEpoch));
        Assert.Empty(recovered.Log);

        File.WriteAllText(Path.Combine(options.SnapshotDirectory, QuorumFiles.AcceptedEpochFile), "x\n");
        var e = Assert.Throws<StorageCorruptionException>(() => Recover(options));
        Assert.Contains("acceptedEpoch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncateCutsTheLogAcrossSegmentsAndAppendsContinueAfterIt()
    {
        var options = _dir.Options();
        var listener = new FlushListener();
        using (var log = new FileTxnLog(options, listener))
        {
            // Three epochs, three segments (a segment holds one epoch), each several batches.
            for (var epoch = 1; epoch <= 3; epoch++)
            {
                for (var i = 1; i <= 6; i++)
                {
                    log.Append(Txns.Create(Zxid(epoch, i), $"/e{epoch}/{i}"));
                    if (i % 2 == 0)
                    {
                        log.Flush((epoch * 10) + i);
                    }
                }
            }

            // An old epoch's uncommitted tail: the new leader has everything to 2:3 only.
            log.Truncate(Zxid(2, 3));
            log.Append(Txns.Create(Zxid(4, 1), "/e4/1"));
            log.Flush(100);
            listener.WaitFor(100);
        }

        var segments = StorageRecovery.ListSegments(LocalFileSystem.Instance, options).Select(s => s.Zxid).ToList();
        Assert.Equal([Zxid(1, 1), Zxid(2, 1), Zxid(4, 1)], segments);
        var recovered = Recover(options);
        Assert.Equal(
            [.. Enumerable.Range(1, 6).Select(i => Zxid(1, i)), Zxid(2, 1), Zxid(2, 2), Zxid(2, 3), Zxid(4, 1)],
            recovered.Log.Select(e => e.Zxid));
        Assert.Empty(recovered.Messages);
    }

    [Fact]
    public void TruncateToTheLastZxidOrBeforeTheWholeLogKeepsWhatItMust()
    {
        var options = _dir.Options();
        var listener = new FlushListener();
        using (var log = new FileTxnLog(options, listener))
        {
            for (var i = 1; i <= 4; i++)
            {
                log.Append(Txns.Create(Zxid(1, i), "/n" + i));
            }

            log.Truncate(Zxid(1, 4));
            log.Flush(1);
            listener.WaitFor(1);
            Assert.Equal(4, Recover(options).Log.Count);

            log.Truncate(0);
            log.Flush(2);
            listener.WaitFor(2);
        }

        Assert.Empty(Recover(options).Log);
        Assert.Empty(StorageRecovery.ListSegments(LocalFileSystem.Instance, options));
    }

    [Fact]
    public void AnInstalledSnapshotReplacesTheLogAndNewerSnapshots()
    {
        var options = _dir.Options();
        var snapshot = SnapshotAt(Zxid(2, 3), out var nodes);
        var listener = new FlushListener();
        using (var log = new FileTxnLog(options, listener))
        {
            for (var i = 1; i <= 8; i++)
            {
                log.Append(Txns.Create(Zxid(1, i), "/old" + i));
            }

            // A local snapshot newer than the leader's would hide it at recovery.
            QuorumFiles.WriteSnapshotFile(LocalFileSystem.Instance, options, Zxid(3, 0), SnapshotAt(Zxid(3, 0), out _), 0);
            log.InstallSnapshot(Zxid(2, 3), snapshot);
            log.Append(Txns.Create(Zxid(2, 4), "/new"));
            log.Flush(1);
            listener.WaitFor(1);
        }

        Assert.Equal([Zxid(2, 3)], StorageRecovery.ListSnapshots(LocalFileSystem.Instance, options).Select(s => s.Zxid));
        var recovered = Recover(options);
        Assert.Equal(Zxid(2, 3), recovered.Recovery.SnapshotZxid);
        Assert.Equal(nodes, recovered.Recovery.NodeCount);
        Assert.Equal([Zxid(2, 4)], recovered.Log.Select(e => e.Zxid));
    }

    [Fact]
    public void AnInstallCutShortBeforeTheOldLogWasDeletedRecoversTheSnapshot()
    {
        var options = _dir.Options();
        var listener = new FlushListener();
        using (var log = new FileTxnLog(options, listener))
        {
            for (var i = 1; i <= 3; i++)
            {
                log.Append(Txns.Create(Zxid(1, i), "/old" + i));
            }

            log.Flush(1);
            listener.WaitFor(1);
        }

        // The snapshot was renamed into place, the old segments not yet deleted.
        QuorumFiles.WriteSnapshotFile(LocalFileSystem.Instance, options, Zxid(2, 5), SnapshotAt(Zxid(2, 5), out _), 0);
        var recovered = Recover(options);
        Assert.Empty(recovered.Log);
        Assert.Equal(Zxid(2, 5), recovered.LastZxid);
    }

    [Fact]
    public void AFailedEpochWriteIsReportedAndNothingAfterItLands()
    {
        var fs = new TestFileSystem();
        var options = _dir.Options();
        var listener = new FlushListener();
        using var log = new FileTxnLog(options, listener, fs);
        log.Append(Txns.Create(Zxid(1, 1), "/a"));
        log.Flush(1);
        listener.WaitFor(1);

        fs.SyncFails = true;
        log.SetCurrentEpoch(1);
        log.Flush(2);
        Assert.True(listener.Failed.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.False(listener.HasPending, "a flush after a failed epoch write was reported durable");
    }

    private static long Zxid(int epoch, int counter) => ((long)epoch << 32) | (uint)counter;

    private static QuorumRecoveredState Recover(StorageOptions options) =>
        StorageRecovery.RecoverQuorumMember(options, new ReplicaOptions { TickTimeMs = 1000, SessionSecret = new byte[32] });

    // The records of a replica's complete snapshot at 'zxid' (as a leader sends with SNAP).
    private static byte[] SnapshotAt(long zxid, out int nodes)
    {
        var recovery = new ReplicaRecovery(new ReplicaOptions { TickTimeMs = 1000, SessionSecret = new byte[32] });
        recovery.Replay(Txns.Create(zxid, "/at" + zxid.ToString("x", System.Globalization.CultureInfo.InvariantCulture)));
        nodes = recovery.NodeCount;
        var replica = recovery.CreateReplica(new NoOutput(), null, 0);
        using var writer = new JuteWriter();
        var snapshot = replica.BeginSnapshot();
        while (!snapshot.WriteChunk(writer, 100))
        {
        }

        return writer.ToArray();
    }

    private sealed class NoOutput : IReplicaOutput
    {
        public void SendConnectResponse(long connectionId, ConnectResponse response)
        {
        }

        public void Send(long connectionId, ReplyHeader header, IJuteRecord? body)
        {
        }

        public void Close(long connectionId, string reason)
        {
        }
    }

    private sealed class FlushListener : IReplicaLogListener
    {
        private readonly BlockingCollection<long> _events = [];

        public List<long> Flushed { get; } = [];

        public ManualResetEventSlim Failed { get; } = new();

        public void Persisted(long zxid)
        {
        }

        public void PersistFailed(long fromZxid, Exception error) => Failed.Set();

        void IReplicaLogListener.Flushed(long batch) => _events.Add(batch);

        public bool HasPending => _events.Count > 0;

        public void WaitFor(long batch)
        {
            while (!Flushed.Contains(batch))
            {
                Assert.True(_events.TryTake(out var b, TimeSpan.FromSeconds(10)), $"batch {batch} was not flushed in time");
                Flushed.Add(b);
            }
        }
    }
}
