// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Core;
using ZkAspire.Server.Storage;

namespace ZkAspire.Server.Storage.Tests;

/// <summary>
/// Torn writes and bit flips in the log: a damaged tail of the last segment is truncated and
/// reported; damage anywhere else stops recovery with the file and offset (issue 3, "Damage").
/// </summary>
public sealed class LogDamageTests : IDisposable
{
    private readonly TempDataDir _dir = new();
    private readonly StorageOptions _options;

    public LogDamageTests() => _options = _dir.Options();

    public void Dispose() => _dir.Dispose();

    /// <summary>Writes txns 1..count, one batch each; returns the segment and each batch's offset.</summary>
    private (string Path, List<long> BatchOffsets, long DataEnd) WriteLog(int count, int firstZxid = 1)
    {
        var listener = new RecordingListener();
        using (var log = new FileTxnLog(_options, listener))
        {
            for (var i = firstZxid; i < firstZxid + count; i++)
            {
                log.Append(Txns.Create(i, "/n" + i, i % 7));
                listener.WaitFor(i);
            }
        }

        var (zxid, path) = StorageRecovery.ListSegments(LocalFileSystem.Instance, _options)[^1];
        var offsets = new List<long>();
        var scan = TxnLogSegmentScan.Read(LocalFileSystem.Instance, path, zxid, -1, long.MaxValue, (_, offset) => offsets.Add(offset - TxnLogFormat.BatchHeaderSize));
        Assert.True(scan.IsIntact);
        return (path, offsets, scan.DataEnd);
    }

    private RecoveredState Recover() => StorageRecovery.Recover(_options, new ReplicaOptions());

    [Fact]
    public void ATornWriteAtEveryByteOfTheLastBatchesDropsExactlyTheTornTxns()
    {
        var (path, offsets, dataEnd) = WriteLog(8);
        var original = File.ReadAllBytes(path);
        var cuts = 0;
        for (var cut = offsets[^3]; cut <= dataEnd; cut++)
        {
            // The bytes up to the cut reached the disk; the preallocated rest reads as zeros, or
            // as garbage where the torn batch's sectors were half written.
            var torn = new byte[original.Length];
            original.AsSpan(0, (int)cut).CopyTo(torn);
            if (cut % 3 == 0)
            {
                new Random((int)cut).NextBytes(torn.AsSpan((int)cut, (int)Math.Min(40, dataEnd - cut)));
            }

            File.WriteAllBytes(path, torn);
            var complete = offsets.Count(o => o < cut && NextBoundary(offsets, dataEnd, o) <= cut);
            var recovered = Recover();
            Assert.Equal(complete, recovered.LastZxid);

            var boundary = offsets.Contains(cut) || cut == dataEnd;
            var cleanEnd = boundary && torn.AsSpan((int)cut).IndexOfAnyExcept((byte)0) < 0;
            if (cleanEnd)
            {
                Assert.DoesNotContain(recovered.Messages, m => m.Contains("Truncated", StringComparison.Ordinal));
            }
            else
            {
                var message = Assert.Single(recovered.Messages, m => m.Contains("Truncated", StringComparison.Ordinal));
                Assert.Contains($"at offset {NextBoundaryStart(offsets, cut)}", message, StringComparison.Ordinal);
                Assert.Equal(NextBoundaryStart(offsets, cut), new FileInfo(path).Length);
                if (cut >= NextBoundaryStart(offsets, cut) + TxnLogFormat.BatchHeaderSize)
                {
                    Assert.Contains($"zxid 0x{complete + 1:x}", message, StringComparison.Ordinal);
                }
            }

            cuts++;
        }

        Assert.True(cuts > 100);
    }

    private static long NextBoundary(List<long> offsets, long dataEnd, long batchStart)
    {
        var i = offsets.IndexOf(batchStart);
        return i + 1 < offsets.Count ? offsets[i + 1] : dataEnd;
    }

    // The start of the batch the cut falls in (or the cut itself at a boundary).
    private static long NextBoundaryStart(List<long> offsets, long cut) => offsets.Last(o => o <= cut);

    [Fact]
    public void ABitFlipInTheLastBatchIsATornTail()
    {
        var (path, offsets, _) = WriteLog(10);
        FlipBit(path, offsets[^1] + TxnLogFormat.BatchHeaderSize + 20);
        var recovered = Recover();
        Assert.Equal(9, recovered.LastZxid);
        Assert.Contains(recovered.Messages, m => m.Contains("fails its checksum", StringComparison.Ordinal) && m.Contains("never acknowledged", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(40)]
    public void ABitFlipInTheMiddleStopsRecoveryNamingTheFileAndOffset(int byteInBatch)
    {
        var (path, offsets, _) = WriteLog(10);
        FlipBit(path, offsets[3] + byteInBatch);
        var error = Assert.Throws<StorageCorruptionException>(Recover);
        Assert.Equal(path, error.FilePath);
        Assert.Equal(offsets[3], error.Offset);
        Assert.Contains("middle of the log", error.Message, StringComparison.Ordinal);
        Assert.Contains("0x3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AZeroedSectorInTheMiddleStopsRecovery()
    {
        var (path, offsets, _) = WriteLog(10);
        var bytes = File.ReadAllBytes(path);
        bytes.AsSpan((int)offsets[4], (int)(offsets[6] - offsets[4])).Clear();
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<StorageCorruptionException>(Recover);
        Assert.Equal(offsets[4], error.Offset);
    }

    [Fact]
    public void DamageInASegmentThatIsNotTheLastStopsRecovery()
    {
        var (first, offsets, _) = WriteLog(10);
        WriteLog(5, firstZxid: 11);
        Assert.Equal(2, StorageRecovery.ListSegments(LocalFileSystem.Instance, _options).Count);
        FlipBit(first, offsets[^1] + TxnLogFormat.BatchHeaderSize + 10);
        var error = Assert.Throws<StorageCorruptionException>(Recover);
        Assert.Contains("does not continue", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingSegmentIsAGapThatStopsRecovery()
    {
        WriteLog(5);
        var (second, _, _) = WriteLog(5, firstZxid: 6);
        WriteLog(5, firstZxid: 11);
        File.Delete(second);
        var error = Assert.Throws<StorageCorruptionException>(Recover);
        Assert.Contains("txns are missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("log.000000000000000b", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutASnapshotTheLogMustStartAtTheFirstTxn()
    {
        WriteLog(5, firstZxid: 100);
        var error = Assert.Throws<StorageCorruptionException>(Recover);
        Assert.Contains("not at the first txn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASegmentWhoseCreationWasCutShortIsDeleted()
    {
        WriteLog(5);
        var stub = Path.Combine(_options.LogDirectory, StorageLayout.LogName(6));
        File.WriteAllBytes(stub, new byte[30]);
        var recovered = Recover();
        Assert.Equal(5, recovered.LastZxid);
        Assert.False(File.Exists(stub));
        Assert.Contains(recovered.Messages, m => m.Contains("creation was cut short", StringComparison.Ordinal));
    }

    [Fact]
    public void VerifyReportsWhatRecoveryWouldDoWithoutChangingAnything()
    {
        var (path, offsets, _) = WriteLog(6);
        Assert.True(StorageTools.VerifyDataDirectory(_options).IsValid);
        FlipBit(path, offsets[2] + 3);
        var before = File.ReadAllBytes(path);
        var report = StorageTools.VerifyDataDirectory(_options);
        var problem = Assert.Single(report.Problems);
        Assert.Contains($"at offset {offsets[2]}", problem, StringComparison.Ordinal);
        Assert.Contains("damage in the middle", problem, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    private static void FlipBit(string path, long offset)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x10;
        File.WriteAllBytes(path, bytes);
    }
}
