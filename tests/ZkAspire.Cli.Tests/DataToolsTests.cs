// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Tests.Infrastructure;
using ZkAspire.Protocol;
using ZkAspire.Server.Storage;
using ZkAspire.Testing;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Cli.Tests;

/// <summary><c>zkaspire dump</c>, <c>verify</c> and <c>purge</c> on data directories a real server wrote.</summary>
public sealed class DataToolsTests : IDisposable
{
    private static readonly List<ACL> Open = [new ACL(Perms.All, new Id("world", "anyone"))];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zkaspire-datatools-" + Guid.NewGuid().ToString("n"));

    public DataToolsTests()
    {
        Directory.CreateDirectory(_root);
    }

    private string DataDir => Path.Combine(_root, "data");

    private string Layout => Path.Combine(DataDir, StorageLayout.VersionDirectory);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task DumpPrintsEveryTxnOfALogAndEveryZnodeOfASnapshot()
    {
        await WriteAsync(snapCount: 100_000, nodes: 3);
        var log = Assert.Single(Files(StorageLayout.LogPrefix));
        var snapshot = Assert.Single(Files(StorageLayout.SnapshotPrefix));

        var dumped = await CliRun.RunAsync(["dump", log]);
        Assert.Equal(0, dumped.ExitCode);
        Assert.Equal(string.Empty, dumped.Error);
        var lines = dumped.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("0x1 ", StringComparison.Ordinal) && l.Contains(" CreateSession timeout=30000", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("0x3 ", StringComparison.Ordinal) && l.Contains(" Create /n1 data=01 acl=[world:anyone:31] ephemeral=False", StringComparison.Ordinal));
        Assert.StartsWith(log + ": log format 1, server 0, first zxid 0x1", lines[^1], StringComparison.Ordinal);
        Assert.Contains("; 4 txns in 4 batches, zxids 0x1 to 0x4; data ends at offset ", lines[^1], StringComparison.Ordinal);

        var snapshotDump = await CliRun.RunAsync(["dump", snapshot]);
        Assert.Equal(0, snapshotDump.ExitCode);
        Assert.Contains("begin: record version 1, start zxid 0x0", snapshotDump.Output, StringComparison.Ordinal);
        Assert.Contains("\n/zookeeper data=", snapshotDump.Output, StringComparison.Ordinal);
        Assert.Contains(": snapshot format 1, server 0, start zxid 0x0", snapshotDump.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyChecksAWholeDataDirectoryAndNamesTheDamage()
    {
        await WriteAsync(snapCount: 100_000, nodes: 10);

        var sound = await CliRun.RunAsync(["verify", DataDir]);
        Assert.Equal(0, sound.ExitCode);
        Assert.EndsWith("OK: 1 snapshots and 1 log segments verified.\n", sound.Output, StringComparison.Ordinal);

        // The layout directory itself is accepted too, and so is one file.
        Assert.Equal(0, (await CliRun.RunAsync(["verify", Layout])).ExitCode);
        var log = Assert.Single(Files(StorageLayout.LogPrefix));
        Assert.Equal(0, (await CliRun.RunAsync(["verify", log])).ExitCode);

        // A bit flipped in the first batch, with good batches after it.
        FlipByte(log, 64 + 32 + 8 + 10);
        var damaged = await CliRun.RunAsync(["verify", DataDir]);
        Assert.Equal(1, damaged.ExitCode);
        Assert.Contains($"{log} at offset 64: record 0 of the batch fails its checksum; damage in the middle", damaged.Error, StringComparison.Ordinal);
        Assert.EndsWith("1 problems found.\n", damaged.Error, StringComparison.Ordinal);

        var dump = await CliRun.RunAsync(["dump", log]);
        Assert.Equal(1, dump.ExitCode);
        Assert.Contains("damage in the middle", dump.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PurgeKeepsTheNewestSnapshotsAndTheLogTheyNeed()
    {
        await WriteAsync(snapCount: 2, nodes: 40, snapshots: 6);
        var before = Files(StorageLayout.SnapshotPrefix).Order(StringComparer.Ordinal).ToList();
        var segmentsBefore = Files(StorageLayout.LogPrefix).Length;

        var purge = await CliRun.RunAsync(["purge", DataDir, "-n", "3"]);

        Assert.Equal(0, purge.ExitCode);
        Assert.Equal(string.Empty, purge.Error);
        Assert.Equal(before.TakeLast(3), Files(StorageLayout.SnapshotPrefix).Order(StringComparer.Ordinal));
        Assert.All(before.SkipLast(3), s => Assert.Contains("Removing file: " + s, purge.Output, StringComparison.Ordinal));
        Assert.True(Files(StorageLayout.LogPrefix).Length < segmentsBefore);
        Assert.Contains($"Kept the newest 3 snapshots (the oldest starts at zxid 0x{Path.GetFileName(before[^3])[StorageLayout.SnapshotPrefix.Length..].TrimStart('0')}", purge.Output, StringComparison.Ordinal);
        Assert.Equal(0, (await CliRun.RunAsync(["verify", DataDir])).ExitCode);
        Assert.Contains("Nothing to purge", (await CliRun.RunAsync(["purge", DataDir, "-n", "3"])).Output, StringComparison.Ordinal);

        // What is left still recovers to every znode.
        await using var server = await ZooKeeperTestServer.StartWithDataDirectoryAsync(DataDir, cancellationToken: TestContext.Current.CancellationToken);
        await using var client = await RawZooKeeperConnection.ConnectAsync(server.Port, cancellationToken: TestContext.Current.CancellationToken);
        var children = await client.CallAsync(OpCode.GetChildren, new GetChildrenRequest("/", false), TestContext.Current.CancellationToken);
        Assert.Equal(41, children.Read<GetChildrenResponse>().Children!.Count);
    }

    [Theory]
    [InlineData(new[] { "dump" }, DataCommandsUsage.Dump)]
    [InlineData(new[] { "dump", "a", "b" }, DataCommandsUsage.Dump)]
    [InlineData(new[] { "verify" }, DataCommandsUsage.Verify)]
    [InlineData(new[] { "purge", "/tmp" }, DataCommandsUsage.Purge)]
    [InlineData(new[] { "purge", "-n", "3" }, DataCommandsUsage.Purge)]
    [InlineData(new[] { "purge", "/tmp", "-n" }, DataCommandsUsage.Purge)]
    [InlineData(new[] { "purge", "/tmp", "-x", "-n", "3" }, DataCommandsUsage.Purge)]
    public async Task BadArgumentsPrintTheUsageAndExit2(string[] args, string usage)
    {
        var run = await CliRun.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.EndsWith(usage + "\n", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PurgeKeepsAtLeastThreeSnapshots()
    {
        var run = await CliRun.RunAsync(["purge", _root, "-n", "2"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("-n must be at least 3", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilesAndDirectoriesThatAreNotOursAreRefusedWithAMessage()
    {
        var text = Path.Combine(_root, "notes.txt");
        await File.WriteAllTextAsync(text, "hello", TestContext.Current.CancellationToken);
        var apache = Path.Combine(_root, "log.100000001");
        await File.WriteAllBytesAsync(apache, [(byte)'Z', (byte)'K', (byte)'L', (byte)'G', 0, 0, 0, 2], TestContext.Current.CancellationToken);

        var notOurs = await CliRun.RunAsync(["dump", text]);
        Assert.Equal(1, notOurs.ExitCode);
        Assert.Contains("is neither a ZkAspire txn log segment nor a snapshot", notOurs.Error, StringComparison.Ordinal);

        var zooKeepers = await CliRun.RunAsync(["verify", apache]);
        Assert.Equal(1, zooKeepers.ExitCode);
        Assert.Contains("is an Apache ZooKeeper txn log; ZkAspire reads its own format only", zooKeepers.Error, StringComparison.Ordinal);

        var noLayout = await CliRun.RunAsync(["verify", _root]);
        Assert.Equal(1, noLayout.ExitCode);
        Assert.Contains($"{_root} is not a ZkAspire dataDir: it has no zkaspire-1 directory.", noLayout.Error, StringComparison.Ordinal);

        var missing = await CliRun.RunAsync(["purge", Path.Combine(_root, "missing"), "-n", "3"]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no such directory", missing.Error, StringComparison.Ordinal);
    }

    private static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x40));
    }

    private string[] Files(string prefix) => Directory.GetFiles(Layout, prefix + "*");

    /// <summary>
    /// Creates znodes /n0 … one at a time through a server on the data directory (forceSync on, so
    /// that damage reads as damage, not as a forceSync=no tail), waiting for a number of snapshots.
    /// </summary>
    private async Task WriteAsync(int snapCount, int nodes, int snapshots = 1)
    {
        await using var server = await ZooKeeperTestServer.StartWithDataDirectoryAsync(
            DataDir,
            o => { o.ForceSync = true; o.SnapCount = snapCount; o.PreAllocSizeKb = 64; },
            cancellationToken: TestContext.Current.CancellationToken);
        await using var client = await RawZooKeeperConnection.ConnectAsync(server.Port, cancellationToken: TestContext.Current.CancellationToken);
        for (var i = 0; i < nodes; i++)
        {
            Assert.Equal(KeeperErrorCode.Ok, (await client.CallAsync(OpCode.Create, new CreateRequest($"/n{i}", [(byte)i], Open, 0), TestContext.Current.CancellationToken)).Error);

            // A snapshot is taken once the one before it is done: with snapCount 2, one more is due
            // every two creates; wait for it before going on, until there are enough. One due while
            // the last is still finishing is skipped (ZooKeeper's "Too busy to snap") and the count
            // starts again, so the wait is short and the creates after it bring the next one.
            var due = Math.Min(snapshots, (i / 2) + 1);
            await PollAsync(() => SnapshotCount() >= due, TimeSpan.FromSeconds(2), required: false);
        }

        for (var extra = 0; SnapshotCount() < snapshots; extra++)
        {
            Assert.True(extra < 40, $"only {SnapshotCount()} of {snapshots} snapshots after {nodes + extra} creates");
            Assert.Equal(KeeperErrorCode.Ok, (await client.CallAsync(OpCode.Create, new CreateRequest($"/extra{extra}", [], Open, 0), TestContext.Current.CancellationToken)).Error);
            await PollAsync(() => SnapshotCount() >= snapshots, TimeSpan.FromSeconds(2), required: false);
        }
    }

    private int SnapshotCount() => Files(StorageLayout.SnapshotPrefix).Count(f => !f.EndsWith(StorageLayout.TempSuffix, StringComparison.Ordinal));

    private static async Task PollAsync(Func<bool> condition, TimeSpan? timeout = null, bool required = true)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.False(required, "the server did not write the snapshots in time");
                return;
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}

/// <summary>The usage lines, as constants for the theory above.</summary>
internal static class DataCommandsUsage
{
    public const string Dump = "Usage: zkaspire dump <log.* or snapshot.* file>";
    public const string Verify = "Usage: zkaspire verify <log.* or snapshot.* file | dataDir [dataLogDir]>";
    public const string Purge = "Usage: zkaspire purge <dataDir> [dataLogDir] -n <count>";
}
