// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;
using ZkAspire.Server.Storage;

namespace ZkAspire.Server.Storage.Tests;

/// <summary>Retention (ZooKeeper's PurgeTxnLog rules), the session secret, and the dump tools.</summary>
public sealed class PurgeAndToolsTests : IDisposable
{
    private readonly TempDataDir _dir = new();
    private readonly StorageOptions _options;

    public PurgeAndToolsTests() => _options = _dir.Options();

    public void Dispose() => _dir.Dispose();

    private List<string> BuildHistory(int snapshots)
    {
        using var server = new DurableServer(_options);
        var connection = server.Connect();
        for (var s = 0; s < snapshots; s++)
        {
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(0, server.Call(connection, OpCode.Create, new CreateRequest($"/s{s}n{i}", [(byte)i], Acls.OpenAclUnsafe, 0)).Header.Err);
            }

            server.BeginSnapshot();
            server.FinishSnapshot();
        }

        Assert.Equal(0, server.Call(connection, OpCode.SetData, new SetDataRequest("/s0n0", [42], -1)).Header.Err);
        return server.Replica.DumpState();
    }

    [Fact]
    public void PurgeKeepsTheNewestSnapshotsAndTheLogTheyNeed()
    {
        var live = BuildHistory(5);
        var snapshotsBefore = StorageRecovery.ListSnapshots(LocalFileSystem.Instance, _options);
        var segmentsBefore = StorageRecovery.ListSegments(LocalFileSystem.Instance, _options);
        Assert.Equal(5, snapshotsBefore.Count);

        var result = StoragePurge.Purge(_options);

        Assert.Equal(snapshotsBefore.Skip(3).Select(s => s.Path), result.DeletedSnapshots);
        Assert.Equal(snapshotsBefore[2].Zxid, result.OldestRetainedSnapshotZxid);
        Assert.All(result.DeletedLogs, p => Assert.True(StorageLayout.TryParse(Path.GetFileName(p), StorageLayout.LogPrefix, out var z) && z <= result.OldestRetainedSnapshotZxid));
        Assert.NotEmpty(result.DeletedLogs);
        var kept = StorageRecovery.ListSegments(LocalFileSystem.Instance, _options);
        Assert.True(kept[0].Zxid <= result.OldestRetainedSnapshotZxid + 1);
        Assert.Equal(segmentsBefore.Count - result.DeletedLogs.Count, kept.Count);

        // The oldest kept snapshot must still be restorable with the log that is left.
        foreach (var (_, path) in StorageRecovery.ListSnapshots(LocalFileSystem.Instance, _options).Take(2))
        {
            File.Move(path, path + ".aside");
        }

        using var restarted = new DurableServer(_options);
        Assert.Equal(snapshotsBefore[2].Path, restarted.Recovered.SnapshotPath);
        Assert.Equal(live, restarted.Replica.DumpState());
    }

    [Fact]
    public void PurgeRefusesToKeepFewerThanThreeAndDoesNothingWithFewSnapshots()
    {
        BuildHistory(2);
        Assert.Throws<ArgumentException>(() => StoragePurge.Purge(_dir.Options(o => o.SnapRetainCount = 2)));
        var result = StoragePurge.Purge(_options);
        Assert.Empty(result.DeletedSnapshots);
        Assert.Empty(result.DeletedLogs);
    }

    [Fact]
    public void TheSessionSecretIsMadeOnceAndKeptOwnerOnly()
    {
        var first = SessionSecretFile.LoadOrCreate(_options);
        Assert.Equal(32, first.Length);
        Assert.Equal(first, SessionSecretFile.LoadOrCreate(_options));
        var path = Path.Combine(_options.SnapshotDirectory, StorageLayout.SecretFile);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<StorageCorruptionException>(() => SessionSecretFile.LoadOrCreate(_options));
    }

    [Fact]
    public void DumpLogPrintsEveryTxnAndDumpSnapshotEveryZnode()
    {
        BuildHistory(1);
        var (_, segment) = StorageRecovery.ListSegments(LocalFileSystem.Instance, _options)[0];
        var log = StorageTools.DumpLog(segment);
        Assert.True(log.IsValid);
        Assert.Contains(log.Lines, l => l.Contains("CreateSession timeout=10000", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains("Create /s0n3 data=03", StringComparison.Ordinal));
        Assert.Equal(11, log.Lines.Count(l => l.StartsWith("0x", StringComparison.Ordinal)));
        Assert.Contains("11 txns in 11 batches", log.Lines[^1], StringComparison.Ordinal);

        var (_, snapshot) = StorageRecovery.ListSnapshots(LocalFileSystem.Instance, _options)[0];
        var lines = new List<string>();
        var dump = StorageTools.DumpSnapshot(snapshot, lines.Add);
        Assert.True(dump.IsValid);
        Assert.Empty(dump.Lines);
        Assert.Contains(lines, l => l.StartsWith("/s0n9 data=09 acl=[world:anyone:31] czxid=0xb", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("session 0x", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("end: 14 znodes, 1 sessions", StringComparison.Ordinal));
        Assert.EndsWith(": OK", lines[^1], StringComparison.Ordinal);
    }
}
