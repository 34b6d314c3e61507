// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>
/// A standalone server whose disk fails, through the storage file-system seam the server itself
/// uses: writes are refused with NotReadOnly (−119) and never half-applied, reads go on, the
/// server keeps running, writes resume once the disk works, and a restart finds exactly the
/// acknowledged writes (zkaspire-server's README, Durability). Apache ZooKeeper exits instead.
/// </summary>
public sealed class StandaloneDiskFaultTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zkaspire-diskfault-" + Guid.NewGuid().ToString("n"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task WritesAreRefusedWhileTheDiskFailsAndResumeAfterReadsGoOnAndARestartFindsTheAcknowledgedOnes()
    {
        var options = new ZooKeeperServerOptions { DataDir = _root, ClientPort = 0, ForceSync = true, PreAllocSizeKb = 64 };
        var disk = new BreakableFileSystem();
        await using (var server = new ZooKeeperServer(options) { StorageFileSystem = disk })
        {
            await server.StartAsync(Ct);
            await using var client = await ConnectAsync(server.Port);
            await client.CreateAsync("/before", [1], cancellationToken: Ct);

            disk.Broken = true;
            await Assert.ThrowsAsync<NotReadOnlyException>(() => client.CreateAsync("/during", [2], cancellationToken: Ct));
            await Assert.ThrowsAsync<NotReadOnlyException>(() => client.SetDataAsync("/before", [9], cancellationToken: Ct));
            Assert.Equal([1], (await client.GetDataAsync("/before", Ct)).Data);
            Assert.Null(await client.ExistsAsync("/during", Ct));
            Assert.True(server.IsRunning);
            Assert.True(client.IsConnected);

            disk.Broken = false;
            await Poll.UntilAsync(async () =>
            {
                try
                {
                    await client.CreateAsync("/after", [3], cancellationToken: Ct);
                    return true;
                }
                catch (NotReadOnlyException)
                {
                    return false;
                }
            });
            Assert.Equal([1], (await client.GetDataAsync("/before", Ct)).Data);
        }

        await using var restarted = new ZooKeeperServer(options);
        await restarted.StartAsync(Ct);
        await using var reader = await ConnectAsync(restarted.Port);
        Assert.Equal([1], (await reader.GetDataAsync("/before", Ct)).Data);
        Assert.Equal([3], (await reader.GetDataAsync("/after", Ct)).Data);
        Assert.Null(await reader.ExistsAsync("/during", Ct));
    }

    [Fact]
    public async Task ASnapshotDueWhileTheLastIsStillWrittenIsSkippedAndTheCountStartsAgain()
    {
        // ZooKeeper's SyncRequestProcessor: "Too busy to snap, skipping", with the log rolled, so
        // a slow snapshot is not followed by another one at once (back to back under load).
        var options = new ZooKeeperServerOptions { DataDir = _root, ClientPort = 0, ForceSync = true, PreAllocSizeKb = 64, SnapCount = 20 };
        var disk = new BreakableFileSystem();
        var logs = new CapturingLoggerFactory();
        await using var server = new ZooKeeperServer(options, logs) { StorageFileSystem = disk };
        await server.StartAsync(Ct);
        await logs.WaitForLineAsync("written");
        await using var client = await ConnectAsync(server.Port);

        disk.HoldSnapshots();
        var busy = false;
        for (var i = 0; i < 200 && !busy; i++)
        {
            await client.CreateAsync("/n" + i, [1], cancellationToken: Ct);
            busy = logs.Lines.Any(l => l.Contains("Too busy to snap", StringComparison.Ordinal));
        }

        Assert.True(busy, "no snapshot was skipped while one was held");
        Assert.Equal(2, Taken());

        disk.ReleaseSnapshots();
        await Poll.UntilAsync(() => Task.FromResult(logs.Lines.Count(l => l.Contains(" written: ", StringComparison.Ordinal)) == 2));

        // Fewer txns than any threshold (snapCount / 2 + 1) since the skip rolled the log: no
        // snapshot starts just because the held one ended.
        await client.CreateAsync("/after", [1], cancellationToken: Ct);
        await client.CreateAsync("/after2", [1], cancellationToken: Ct);
        Assert.Equal(2, Taken());

        int Taken() => logs.Lines.Count(l => l.Contains("Taking a snapshot", StringComparison.Ordinal));
    }

    private static Task<ZooKeeperClient> ConnectAsync(int port) => ZooKeeperClient.ConnectAsync(
        new ZooKeeperClientOptions { ConnectionString = "127.0.0.1:" + port, SessionTimeout = TimeSpan.FromSeconds(30) },
        Ct);
}
