// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Server.Storage;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>
/// The zkaspire-server program with a data directory: sessions across a clean restart and a kill,
/// a damaged directory stops it with a clear message and a non-zero exit, a torn log tail is
/// repaired, and a full disk fails writes but not reads until space returns.
/// </summary>
public sealed class ProgramDurabilityTests : IDisposable
{
    private static readonly List<ACL> Open = [new ACL(Perms.All, new Id("world", "anyone"))];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "zkaspire-program-" + Guid.NewGuid().ToString("n"));

    public ProgramDurabilityTests()
    {
        Directory.CreateDirectory(_root);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ASessionAndItsEphemeralsSurviveARestartAndASessionThatDoesNotComeBackExpires(bool kill)
    {
        await using var server = RestartableZkAspireServer.Create(["tickTime=500"]);
        await server.StartAsync();
        await using var client = await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectionString = server.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(10) },
            TestContext.Current.CancellationToken);
        await client.CreateAsync("/mine", [1], CreateOptions.Ephemeral, TestContext.Current.CancellationToken);
        var sessionId = client.SessionId;
        await using (var lost = await RawZooKeeperConnection.ConnectAsync(server.Port, 1500, cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Equal(KeeperErrorCode.Ok, (await lost.CallAsync(OpCode.Create, new CreateRequest("/lost", [], Open, (int)CreateMode.Ephemeral), TestContext.Current.CancellationToken)).Error);
        }

        var deleted = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await client.ExistsAsync("/lost", e => { if (e.Type != EventType.None) { deleted.TrySetResult(e); } }, TestContext.Current.CancellationToken);

        if (kill)
        {
            await server.KillAsync();
        }
        else
        {
            Assert.Equal(0, await server.TerminateAsync());
            Assert.Contains("Closed the txn log", server.LastRunLog, StringComparison.Ordinal);
        }

        await server.StartAsync();
        var mine = await client.ExistsAsync("/mine", TestContext.Current.CancellationToken);
        Assert.Equal(sessionId, client.SessionId);
        Assert.Equal(sessionId, mine!.Value.EphemeralOwner);

        var e = await deleted.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        Assert.Equal(new WatchedEvent(EventType.NodeDeleted, KeeperState.SyncConnected, "/lost"), e with { Zxid = -1 });
        Assert.Contains("2 sessions", server.LastRunLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DamageInTheMiddleOfTheLogStopsTheProgramWithAClearMessage()
    {
        var dataDir = Path.Combine(_root, "data");
        await WriteNodesAsync(dataDir, 20);
        var segment = Assert.Single(Files(dataDir, StorageLayout.LogPrefix));

        // A bit flipped in the first batch's first txn: good batches follow it, so this is not a
        // torn tail, and truncating would drop acknowledged txns.
        FlipByte(segment, 64 + 32 + 8 + 10);
        var (exitCode, output) = await ZkAspireServerProcess.RunAsync([$"dataDir={dataDir}", "clientPort=0"], timeout: TimeSpan.FromSeconds(20));

        Assert.Equal(1, exitCode);
        Assert.Contains("zkaspire-server: the data directory cannot be recovered without losing acknowledged data", output, StringComparison.Ordinal);
        Assert.Contains("the damage is in the middle of the log, not a torn tail", output, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(segment), output, StringComparison.Ordinal);
        Assert.DoesNotContain("serving clients", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADamagedOnlySnapshotStopsTheProgramWithAClearMessage()
    {
        var dataDir = Path.Combine(_root, "data");
        await WriteNodesAsync(dataDir, 5);
        var snapshot = Assert.Single(Files(dataDir, StorageLayout.SnapshotPrefix));
        FlipByte(snapshot, 100);

        var (exitCode, output) = await ZkAspireServerProcess.RunAsync([$"dataDir={dataDir}", "clientPort=0"], timeout: TimeSpan.FromSeconds(20));

        Assert.Equal(1, exitCode);
        Assert.Contains("zkaspire-server: the data directory cannot be recovered", output, StringComparison.Ordinal);
        Assert.Contains("can be used", output, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(snapshot), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATornTailIsCutOffWithALogLineAndTheServerServesTheRest()
    {
        await using var server = RestartableZkAspireServer.Create(["preAllocSize=64"]);
        await WriteNodesAsync(server.DataDir, 10);
        var segment = Assert.Single(Files(server.DataDir, StorageLayout.LogPrefix));

        // Cut the file inside its last batch, as a crash in the middle of a write would leave it.
        var bytes = await File.ReadAllBytesAsync(segment, TestContext.Current.CancellationToken);
        var end = Array.FindLastIndex(bytes, b => b != 0) + 1;
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(end - 5);
        }

        await server.StartAsync();
        Assert.Contains($"Truncated a torn tail of {Path.GetFileName(segment)}", server.LastRunLog, StringComparison.Ordinal);
        Assert.Contains("they were never acknowledged", server.LastRunLog, StringComparison.Ordinal);
        await using var reader = await RawZooKeeperConnection.ConnectAsync(server.Port, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(KeeperErrorCode.Ok, (await reader.CallAsync(OpCode.Exists, new ExistsRequest("/n8", false), TestContext.Current.CancellationToken)).Error);
        Assert.Equal(KeeperErrorCode.NoNode, (await reader.CallAsync(OpCode.Exists, new ExistsRequest("/n9", false), TestContext.Current.CancellationToken)).Error);
        Assert.Equal(KeeperErrorCode.Ok, (await reader.CallAsync(OpCode.Create, new CreateRequest("/n9", [], Open, 0), TestContext.Current.CancellationToken)).Error);
    }

    [Fact]
    public async Task ADataDirectoryThatCannotBeUsedExitsWithCode3()
    {
        var file = Path.Combine(_root, "a-file");
        await File.WriteAllTextAsync(file, "x", TestContext.Current.CancellationToken);

        var (exitCode, output) = await ZkAspireServerProcess.RunAsync([$"dataDir={file}", "clientPort=0"], timeout: TimeSpan.FromSeconds(20));

        Assert.Equal(3, exitCode);
        Assert.Contains($"zkaspire-server: Cannot use the data directory {file}", output, StringComparison.Ordinal);
    }

    /// <summary>A real full file system: a 512 KB tmpfs (mounting needs root; skipped otherwise).</summary>
    [Fact]
    public async Task AFullDiskFailsWritesKeepsReadsAndTakesWritesAgainWhenSpaceReturns()
    {
        var mount = Path.Combine(_root, "small");
        Directory.CreateDirectory(mount);
        if (!Run("mount", $"-t tmpfs -o size=512k tmpfs {mount}"))
        {
            Assert.Skip("mounting a tmpfs needs root; the Storage and Core tests cover the same path through a seam");
        }

        try
        {
            await using var server = RestartableZkAspireServer.Create([$"dataDir={mount}", "preAllocSize=64", "forceSync=yes"]);
            await server.StartAsync();
            await using var client = await RawZooKeeperConnection.ConnectAsync(server.Port, cancellationToken: TestContext.Current.CancellationToken);
            var created = new List<string>();
            var refused = 0;
            for (var i = 0; i < 200 && refused == 0; i++)
            {
                var reply = await client.CallAsync(OpCode.Create, new CreateRequest($"/n{i}", new byte[8 * 1024], Open, 0), TestContext.Current.CancellationToken);
                if (reply.Error == KeeperErrorCode.NotReadOnly)
                {
                    refused++;
                }
                else
                {
                    Assert.Equal(KeeperErrorCode.Ok, reply.Error);
                    created.Add($"/n{i}");
                }
            }

            Assert.Equal(1, refused);
            Assert.True(created.Count > 10);

            // Reads are served; writes keep failing with the same clear error while the disk is full.
            var read = await client.CallAsync(OpCode.GetData, new GetDataRequest(created[0], false), TestContext.Current.CancellationToken);
            Assert.Equal(8 * 1024, read.Read<GetDataResponse>().Data!.Length);
            Assert.Equal(KeeperErrorCode.NotReadOnly, (await client.CallAsync(OpCode.SetData, new SetDataRequest(created[0], new byte[8 * 1024], -1), TestContext.Current.CancellationToken)).Error);
            await WaitForLogAsync(server, "Cannot write the txn log");
            Assert.Single(server.LastRunLog.Split('\n'), l => l.Contains("Cannot write the txn log", StringComparison.Ordinal));

            Assert.True(Run("mount", $"-o remount,size=4m {mount}"));
            Assert.Equal(KeeperErrorCode.Ok, (await client.CallAsync(OpCode.Create, new CreateRequest("/later", new byte[8 * 1024], Open, 0), TestContext.Current.CancellationToken)).Error);
            created.Add("/later");
            await WaitForLogAsync(server, "takes writes again");

            await server.KillAsync();
            await server.StartAsync();
            await using var reader = await RawZooKeeperConnection.ConnectAsync(server.Port, cancellationToken: TestContext.Current.CancellationToken);
            foreach (var path in created)
            {
                Assert.Equal(KeeperErrorCode.Ok, (await reader.CallAsync(OpCode.Exists, new ExistsRequest(path, false), TestContext.Current.CancellationToken)).Error);
            }

            await server.KillAsync();
        }
        finally
        {
            Run("umount", mount);
        }
    }

    /// <summary>Waits for a line the server logs (its output is read asynchronously, so a reply may come first).</summary>
    private static Task WaitForLogAsync(RestartableZkAspireServer server, string text) =>
        Poll.UntilAsync(() => Task.FromResult(server.LastRunLog.Contains(text, StringComparison.Ordinal)));

    /// <summary>
    /// Writes znodes /n0 … through an in-process server on the directory, one group commit each,
    /// and stops it. With forceSync, as in production: in a segment written without it, damage
    /// anywhere in the last segment reads as a torn tail (docs/storage-format.md §6 rule 5).
    /// </summary>
    private static async Task WriteNodesAsync(string dataDir, int count)
    {
        var options = new ZooKeeperServerOptions { DataDir = dataDir, ClientPort = 0, ForceSync = true, PreAllocSizeKb = 64 };
        await using var server = new ZooKeeperServer(options);
        await server.StartAsync(TestContext.Current.CancellationToken);
        await using var client = await RawZooKeeperConnection.ConnectAsync(server.Port, cancellationToken: TestContext.Current.CancellationToken);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(KeeperErrorCode.Ok, (await client.CallAsync(OpCode.Create, new CreateRequest($"/n{i}", new byte[50], Open, 0), TestContext.Current.CancellationToken)).Error);
        }
    }

    private static string[] Files(string dataDir, string prefix) =>
        Directory.GetFiles(Path.Combine(dataDir, StorageLayout.VersionDirectory), prefix + "*");

    private static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x40));
    }

    private static bool Run(string program, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
