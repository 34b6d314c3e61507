// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Server.Storage;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.Testing;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>
/// The in-process server with a data directory: a stop and start recovers from the files as a new
/// process would; sessions, ephemerals and sequence counters come back; sessions whose clients do
/// not return expire on schedule; snapshots are taken from the loop; autopurge; the directory
/// checks; the in-memory mode says so.
/// </summary>
public sealed class DurabilityTests : IDisposable
{
    private static readonly List<ACL> Open = [new ACL(Perms.All, new Id("world", "anyone"))];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zkaspire-durability-" + Guid.NewGuid().ToString("n"));

    public DurabilityTests()
    {
        Directory.CreateDirectory(_root);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task DataSessionsEphemeralsAndSequenceCountersComeBackFromTheDirectory()
    {
        var logs = new CapturingLoggerFactory();
        await using var server = await ZooKeeperTestServer.StartWithDataDirectoryAsync(Path.Combine(_root, "data"), loggerFactory: logs, cancellationToken: TestContext.Current.CancellationToken);
        await using var client = await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectionString = server.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(30) },
            TestContext.Current.CancellationToken);
        await client.CreateAsync("/app", [1], cancellationToken: TestContext.Current.CancellationToken);
        await client.SetDataAsync("/app", [2], cancellationToken: TestContext.Current.CancellationToken);
        await client.SetDataAsync("/app", [3], cancellationToken: TestContext.Current.CancellationToken);
        await client.CreateAsync("/app/job-", [], CreateOptions.PersistentSequential, TestContext.Current.CancellationToken);
        await client.CreateAsync("/app/job-", [], CreateOptions.PersistentSequential, TestContext.Current.CancellationToken);
        await client.CreateAsync("/app/owner", [7], CreateOptions.Ephemeral, TestContext.Current.CancellationToken);
        var before = await client.ExistsAsync("/app", TestContext.Current.CancellationToken);
        var sessionId = client.SessionId;

        await server.RestartAsync(TestContext.Current.CancellationToken);
        await logs.WaitForLineAsync("Loaded snapshot");

        // The client reconnects by itself and resumes its session: the restarted server derived
        // the same password from the secret kept in the directory.
        var app = await client.GetDataAsync("/app", TestContext.Current.CancellationToken);
        Assert.Equal(sessionId, client.SessionId);
        Assert.Equal([3], app.Data);
        Assert.Equal(before, app.Stat);
        var owner = await client.ExistsAsync("/app/owner", TestContext.Current.CancellationToken);
        Assert.Equal(sessionId, owner!.Value.EphemeralOwner);
        Assert.Equal("/app/job-0000000003", await client.CreateAsync("/app/job-", [], CreateOptions.PersistentSequential, TestContext.Current.CancellationToken));
        Assert.True(File.Exists(Path.Combine(_root, "data", StorageLayout.VersionDirectory, StorageLayout.SecretFile)));
    }

    [Fact]
    public async Task ASessionWhoseClientDoesNotComeBackExpiresOnScheduleAfterTheRestartAndItsEphemeralsGo()
    {
        const int LostTimeoutMs = 1500;
        await using var server = await ZooKeeperTestServer.StartWithDataDirectoryAsync(
            Path.Combine(_root, "data"),
            o => o.TickTimeMs = 250,
            cancellationToken: TestContext.Current.CancellationToken);
        await using var keeper = await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectionString = server.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(5) },
            TestContext.Current.CancellationToken);
        await using (var lost = await RawZooKeeperConnection.ConnectAsync(server.Port, LostTimeoutMs, cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Equal(KeeperErrorCode.Ok, (await lost.CallAsync(OpCode.Create, new CreateRequest("/lost", [], Open, (int)CreateMode.Ephemeral), TestContext.Current.CancellationToken)).Error);
        }

        // The keeper's watch is registered again by its client after the restart (setWatches).
        var deleted = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.NotNull(await keeper.ExistsAsync(
            "/lost",
            e =>
            {
                // The client also tells the watch of the disconnection (type None).
                if (e.Type != EventType.None)
                {
                    deleted.TrySetResult(e);
                }
            },
            TestContext.Current.CancellationToken));
        await keeper.CreateAsync("/kept", [], CreateOptions.Ephemeral, TestContext.Current.CancellationToken);

        await server.StopAsync(TestContext.Current.CancellationToken);
        var restarted = Stopwatch.StartNew();
        await server.StartAsync(TestContext.Current.CancellationToken);

        var e = await deleted.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        Assert.Equal(EventType.NodeDeleted, e.Type);
        Assert.Equal("/lost", e.Path);

        // Restored sessions get a whole timeout from the restart (ZooKeeper touches each one as it
        // loads them): not expired at once, as the time they spent down would say.
        Assert.True(restarted.ElapsedMilliseconds >= LostTimeoutMs - 250, $"expired {restarted.ElapsedMilliseconds} ms after the restart");
        Assert.NotNull(await keeper.ExistsAsync("/kept", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SnapshotsAreTakenFromTheLoopWhileWritesGoOnAndRecoveryStartsFromTheNewest()
    {
        var logs = new CapturingLoggerFactory();
        var dataDir = Path.Combine(_root, "data");
        List<string> children;
        var created = 0;
        await using (var server = await ZooKeeperTestServer.StartWithDataDirectoryAsync(dataDir, o => o.SnapCount = 100, logs, cancellationToken: TestContext.Current.CancellationToken))
        {
            await using var writer = await RawZooKeeperConnection.ConnectAsync(server.Port, cancellationToken: TestContext.Current.CancellationToken);
            await writer.CallAsync(OpCode.Create, new CreateRequest("/s", [], Open, 0), TestContext.Current.CancellationToken);

            // Ten rounds, each of batches of 100 pipelined creates until the round has a snapshot
            // of its own: with snapCount 100 a batch calls for one (after 51 to 100 txns), begun and
            // written while the writes are served. One that comes due while the last is still being
            // written is skipped and the count starts again (ZooKeeper's "Too busy to snap"), so a
            // round may need a second batch on a slow disk; a round gets at most 10.
            for (var round = 0; round < 10; round++)
            {
                for (var batch = 0; Written(logs) < round + 2; batch++)
                {
                    Assert.True(batch < 10, $"round {round}: no snapshot after {batch} batches of 100 creates");
                    var xids = new List<int>();
                    for (var i = 0; i < 100; i++)
                    {
                        xids.Add(await writer.SendAsync(OpCode.Create, new CreateRequest($"/s/n{round}-{batch}-{i}", new byte[100], Open, 0), TestContext.Current.CancellationToken));
                    }

                    foreach (var xid in xids)
                    {
                        Assert.Equal(KeeperErrorCode.Ok, (await writer.ReceiveReplyAsync(xid, TestContext.Current.CancellationToken)).Error);
                    }

                    created += xids.Count;

                    // A snapshot these writes began is written in the background: let it finish.
                    await Poll.UntilAsync(() => Task.FromResult(Taken(logs) == Written(logs)));
                }
            }

            var children2 = await writer.CallAsync(OpCode.GetChildren, new GetChildrenRequest("/s", false), TestContext.Current.CancellationToken);
            children = [.. children2.Read<GetChildrenResponse>().Children!];
        }

        var snapshots = Directory.GetFiles(Path.Combine(dataDir, StorageLayout.VersionDirectory), StorageLayout.SnapshotPrefix + "*");
        Assert.True(snapshots.Length >= 11);
        Assert.DoesNotContain(snapshots, s => s.EndsWith(StorageLayout.TempSuffix, StringComparison.Ordinal));
        Assert.True(StorageTools.VerifyDataDirectory(new StorageOptions { DataDir = dataDir }).IsValid);

        var again = new CapturingLoggerFactory();
        await using var restarted = await ZooKeeperTestServer.StartWithDataDirectoryAsync(dataDir, loggerFactory: again, cancellationToken: TestContext.Current.CancellationToken);
        await again.WaitForLineAsync("Loaded snapshot snapshot." + Path.GetFileName(snapshots.Max()!)[StorageLayout.SnapshotPrefix.Length..]);
        await using var reader = await RawZooKeeperConnection.ConnectAsync(restarted.Port, cancellationToken: TestContext.Current.CancellationToken);
        var after = await reader.CallAsync(OpCode.GetChildren, new GetChildrenRequest("/s", false), TestContext.Current.CancellationToken);
        Assert.Equal(children.Order(StringComparer.Ordinal), after.Read<GetChildrenResponse>().Children!.Order(StringComparer.Ordinal));
        Assert.Equal(created, children.Count);
    }

    [Fact]
    public async Task AutopurgeRunsAtStartAndKeepsTheNewestSnapshots()
    {
        var dataDir = Path.Combine(_root, "data");
        var snapshotDirectory = Path.Combine(dataDir, StorageLayout.VersionDirectory);
        var logs = new CapturingLoggerFactory();
        await using (var server = await ZooKeeperTestServer.StartWithDataDirectoryAsync(dataDir, o => o.SnapCount = 20, logs, cancellationToken: TestContext.Current.CancellationToken))
        {
            await using var writer = await RawZooKeeperConnection.ConnectAsync(server.Port, cancellationToken: TestContext.Current.CancellationToken);
            for (var i = 0; i < 200; i++)
            {
                // No create while a snapshot is being written, so none comes due meanwhile and is
                // skipped ("Too busy to snap"): every 20 creates get their snapshot.
                await Poll.UntilAsync(() => Task.FromResult(Taken(logs) == Written(logs)));
                Assert.Equal(KeeperErrorCode.Ok, (await writer.CallAsync(OpCode.Create, new CreateRequest($"/p{i}", [], Open, 0), TestContext.Current.CancellationToken)).Error);

                // snapCount 20: every 20 creates call for a snapshot (see the test above).
                if (i % 20 == 19)
                {
                    await Poll.UntilAsync(() => Task.FromResult(Written(logs) >= (i / 20) + 2));
                }
            }
        }

        var before = Directory.GetFiles(snapshotDirectory, StorageLayout.SnapshotPrefix + "*").Length;
        var segmentsBefore = Directory.GetFiles(snapshotDirectory, StorageLayout.LogPrefix + "*").Length;
        Assert.True(before >= 11);

        var purging = new CapturingLoggerFactory();
        await using var restarted = await ZooKeeperTestServer.StartWithDataDirectoryAsync(
            dataDir,
            o => { o.AutopurgePurgeIntervalHours = 1; o.AutopurgeSnapRetainCount = 3; },
            purging,
            cancellationToken: TestContext.Current.CancellationToken);
        // The restart also takes a snapshot of its own, which may land before or after the purge.
        var line = await purging.WaitForLineAsync("Purge: deleted");
        Assert.True(line.Contains($"deleted {before - 3} snapshots", StringComparison.Ordinal) || line.Contains($"deleted {before - 2} snapshots", StringComparison.Ordinal), line);
        Assert.InRange(Directory.GetFiles(snapshotDirectory, StorageLayout.SnapshotPrefix + "*").Length, 3, 4);
        Assert.True(Directory.GetFiles(snapshotDirectory, StorageLayout.LogPrefix + "*").Length < segmentsBefore);
        await restarted.RestartAsync(TestContext.Current.CancellationToken);
        await using var reader = await RawZooKeeperConnection.ConnectAsync(restarted.Port, cancellationToken: TestContext.Current.CancellationToken);
        var children = await reader.CallAsync(OpCode.GetChildren, new GetChildrenRequest("/", false), TestContext.Current.CancellationToken);
        Assert.Equal(201, children.Read<GetChildrenResponse>().Children!.Count);
    }

    private static int Written(CapturingLoggerFactory logs) => logs.Lines.Count(l => l.Contains(" written: ", StringComparison.Ordinal));

    private static int Taken(CapturingLoggerFactory logs) => logs.Lines.Count(l => l.Contains("Taking a snapshot", StringComparison.Ordinal));

    [Fact]
    public async Task WithoutADataDirectoryTheServerSaysItKeepsTheDataInMemory()
    {
        var logs = new CapturingLoggerFactory();
        await using var server = await ZooKeeperTestServer.StartAsync(loggerFactory: logs, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Null(server.DataDirectory);
        Assert.Contains(logs.Lines, l => l.Contains("No dataDir is set: the data and sessions are kept in memory", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("dataDir none: data is kept in memory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADataDirectoryThatIsAFileFailsTheStartWithAClearError()
    {
        var file = Path.Combine(_root, "not-a-directory");
        await File.WriteAllTextAsync(file, "x", TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<DataDirectoryException>(() => ZooKeeperTestServer.StartWithDataDirectoryAsync(file, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains($"Cannot use the data directory {file}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecondServerOnTheSameDataDirectoryIsRefusedUntilTheFirstStops()
    {
        var dataDir = Path.Combine(_root, "data");
        await using var first = await ZooKeeperTestServer.StartWithDataDirectoryAsync(dataDir, cancellationToken: TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<DataDirectoryException>(() => ZooKeeperTestServer.StartWithDataDirectoryAsync(dataDir, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("is another server using this directory?", e.Message, StringComparison.Ordinal);

        await first.StopAsync(TestContext.Current.CancellationToken);
        await using var second = await ZooKeeperTestServer.StartWithDataDirectoryAsync(dataDir, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(second.IsRunning);
    }
}
