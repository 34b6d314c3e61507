// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;
using ZkAspire.Server.Storage;

namespace ZkAspire.Server.Storage.Tests;

/// <summary>
/// A full or unwritable disk: the write is answered with an error and not applied, reads keep
/// working, the log is left without a torn batch, and writes resume when space returns.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly TempDataDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WritesFailWithAnErrorReadsWorkAndWritesResumeWhenSpaceReturns()
    {
        var fs = new TestFileSystem();
        var options = _dir.Options();
        List<string> live;
        using (var server = new DurableServer(options, fs))
        {
            var connection = server.Connect();
            Assert.Equal(0, server.Call(connection, OpCode.Create, new CreateRequest("/a", [1], Acls.OpenAclUnsafe, 0)).Header.Err);
            var lastGood = server.Replica.LastProcessedZxid;

            fs.Full = true;
            var create = server.Send(connection, OpCode.Create, new CreateRequest("/b", [2], Acls.OpenAclUnsafe, 0), 100);
            var read = server.Send(connection, OpCode.GetData, new GetDataRequest("/a", false), 101);
            var set = server.Send(connection, OpCode.SetData, new SetDataRequest("/a", [9], -1), 102);
            Assert.Equal(new ReplyHeader(create, lastGood, (int)KeeperErrorCode.NotReadOnly), server.WaitReply(connection, create).Header);
            var data = server.WaitReply(connection, read);
            Assert.Equal([1], Assert.IsType<GetDataResponse>(data.Body).Data);
            Assert.Equal((int)KeeperErrorCode.NotReadOnly, server.WaitReply(connection, set).Header.Err);
            Assert.Equal(lastGood, server.Replica.LastProcessedZxid);

            // The half-written batch was cut off: the log reads clean.
            Assert.True(StorageTools.VerifyDataDirectory(options, fs).IsValid);

            fs.Full = false;
            var retry = server.Call(connection, OpCode.Create, new CreateRequest("/b", [3], Acls.OpenAclUnsafe, 0));
            Assert.Equal(0, retry.Header.Err);
            Assert.Equal(lastGood + 1, retry.Header.Zxid);
            live = server.Replica.DumpState();
        }

        using var restarted = new DurableServer(options, fs);
        Assert.DoesNotContain(restarted.Recovered.Messages, m => m.Contains("Truncated", StringComparison.Ordinal));
        Assert.Equal(live, restarted.Replica.DumpState());
    }

    [Fact]
    public void ANewSegmentThatCannotBeCreatedFailsTheBatchAndIsRetried()
    {
        var fs = new TestFileSystem();
        var options = _dir.Options();
        using var server = new DurableServer(options, fs);
        var connection = server.Connect();
        server.Log.RollLog();
        fs.Full = true;
        Assert.Equal((int)KeeperErrorCode.NotReadOnly, server.Call(connection, OpCode.Create, new CreateRequest("/x", null, Acls.OpenAclUnsafe, 0)).Header.Err);
        fs.Full = false;
        Assert.Equal(0, server.Call(connection, OpCode.Create, new CreateRequest("/x", null, Acls.OpenAclUnsafe, 0)).Header.Err);
        Assert.True(StorageTools.VerifyDataDirectory(options, fs).IsValid);
    }

    [Fact]
    public void ASegmentThatCannotEvenBeCutBackIsAbandonedAndRecoveryAcceptsItsTornTail()
    {
        var fs = new TestFileSystem();
        var options = _dir.Options();
        List<string> live;
        using (var server = new DurableServer(options, fs))
        {
            var connection = server.Connect();
            Assert.Equal(0, server.Call(connection, OpCode.Create, new CreateRequest("/a", [1], Acls.OpenAclUnsafe, 0)).Header.Err);
            fs.Broken = true;
            Assert.Equal((int)KeeperErrorCode.NotReadOnly, server.Call(connection, OpCode.Create, new CreateRequest("/b", [2], Acls.OpenAclUnsafe, 0)).Header.Err);
            fs.Broken = false;
            Assert.Equal(0, server.Call(connection, OpCode.Create, new CreateRequest("/b", [3], Acls.OpenAclUnsafe, 0)).Header.Err);
            live = server.Replica.DumpState();
        }

        // The first segment ends in half a batch; the second starts at the zxid that failed.
        Assert.Equal(2, StorageRecovery.ListSegments(fs, options).Count);
        using var restarted = new DurableServer(options, fs);
        Assert.Contains(restarted.Recovered.Messages, m => m.Contains("ends in a failed write", StringComparison.Ordinal));
        Assert.Equal(live, restarted.Replica.DumpState());
    }

    [Fact]
    public void ABatchWrittenWhoseSyncFailedIsRewrittenAndTheLaterCopyWins()
    {
        var fs = new TestFileSystem();
        var options = _dir.Options();
        List<string> live;
        using (var server = new DurableServer(options, fs))
        {
            var connection = server.Connect();
            Assert.Equal(0, server.Call(connection, OpCode.Create, new CreateRequest("/a", [1], Acls.OpenAclUnsafe, 0)).Header.Err);

            // fsyncgate: the write went through, the sync failed; the bytes may or may not be on
            // disk, so the txn is failed, and the segment cannot be cut back.
            fs.SyncFails = true;
            Assert.Equal((int)KeeperErrorCode.NotReadOnly, server.Call(connection, OpCode.Create, new CreateRequest("/b", [2], Acls.OpenAclUnsafe, 0)).Header.Err);
            fs.SyncFails = false;
            Assert.Equal(0, server.Call(connection, OpCode.Create, new CreateRequest("/c", [3], Acls.OpenAclUnsafe, 0)).Header.Err);
            live = server.Replica.DumpState();
        }

        using var restarted = new DurableServer(options, fs);
        Assert.Contains(restarted.Recovered.Messages, m => m.Contains("written again", StringComparison.Ordinal));
        Assert.Equal(live, restarted.Replica.DumpState());
        Assert.Contains("/c", string.Join('\n', live), StringComparison.Ordinal);
        Assert.DoesNotContain("/b ", string.Join('\n', live), StringComparison.Ordinal);
    }

    /// <summary>The same on a real file system that runs out of space: a 512 KB tmpfs (needs root to mount).</summary>
    [Fact]
    public void ARealFullFileSystemFailsWritesAndRecoversWhenItGrows()
    {
        var mount = Path.Combine(_dir.Root, "small");
        Directory.CreateDirectory(mount);
        if (!Run("mount", $"-t tmpfs -o size=512k tmpfs {mount}"))
        {
            Assert.Skip("mounting a tmpfs needs root; the seam test above covers the same path");
        }

        try
        {
            var options = new StorageOptions { DataDir = mount, PreAllocSizeBytes = 64 * 1024, SnapCount = 1000 };
            List<string> live;
            using (var server = new DurableServer(options))
            {
                var connection = server.Connect();
                var failed = 0;
                var created = 0;
                for (var i = 0; i < 200 && failed == 0; i++)
                {
                    var reply = server.Call(connection, OpCode.Create, new CreateRequest($"/n{i}", new byte[8 * 1024], Acls.OpenAclUnsafe, 0));
                    if (reply.Header.Err == (int)KeeperErrorCode.NotReadOnly)
                    {
                        failed++;
                    }
                    else
                    {
                        Assert.Equal(0, reply.Header.Err);
                        created++;
                    }
                }

                Assert.Equal(1, failed);
                Assert.True(created > 10);
                Assert.Equal(0, server.Call(connection, OpCode.Exists, new ExistsRequest("/n0", false)).Header.Err);
                Assert.True(StorageTools.VerifyDataDirectory(options).IsValid);

                Assert.True(Run("mount", $"-o remount,size=4m {mount}"));
                Assert.Equal(0, server.Call(connection, OpCode.Create, new CreateRequest("/later", new byte[8 * 1024], Acls.OpenAclUnsafe, 0)).Header.Err);
                live = server.Replica.DumpState();
            }

            using var restarted = new DurableServer(options);
            Assert.Equal(live, restarted.Replica.DumpState());
        }
        finally
        {
            Run("umount", mount);
        }
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
