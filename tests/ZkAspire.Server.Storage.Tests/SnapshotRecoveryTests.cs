// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;
using ZkAspire.Server.Storage;

namespace ZkAspire.Server.Storage.Tests;

/// <summary>
/// Snapshots through real files: taken in the background while writes continue, restored with
/// the log after them to exactly the live state; a damaged snapshot falls back to an older one
/// when the log covers the gap, and stops recovery when it is the only one.
/// </summary>
public sealed class SnapshotRecoveryTests : IDisposable
{
    private readonly TempDataDir _dir = new();
    private readonly StorageOptions _options;

    public SnapshotRecoveryTests() => _options = _dir.Options();

    public void Dispose() => _dir.Dispose();

    private static void Write(DurableServer server, long connection, Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var path = "/n" + random.Next(20);
            var op = random.Next(4);
            var reply = op switch
            {
                0 => server.Call(connection, OpCode.Create, new CreateRequest(path, [(byte)i], Acls.OpenAclUnsafe, random.Next(4))),
                1 => server.Call(connection, OpCode.SetData, new SetDataRequest(path, [(byte)i, 1], -1)),
                2 => server.Call(connection, OpCode.Delete, new DeleteRequest(path, -1)),
                _ => server.Call(connection, OpCode.Create, new CreateRequest("/n" + random.Next(20) + "/c", null, Acls.OpenAclUnsafe, 0)),
            };
            Assert.NotEqual((int)KeeperErrorCode.NotReadOnly, reply.Header.Err);
        }
    }

    [Fact]
    public void AFuzzySnapshotTakenWhileWritesContinueRestoresToTheLiveState()
    {
        var random = new Random(42);
        List<string> live;
        using (var server = new DurableServer(_options))
        {
            var connection = server.Connect();
            Write(server, connection, random, 100);
            server.BeginSnapshot();
            var info = server.FinishSnapshot(() => Write(server, connection, random, 3));
            Assert.True(info.Nodes > 10);
            Write(server, connection, random, 50);
            live = server.Replica.DumpState();
        }

        using var restarted = new DurableServer(_options);
        Assert.NotNull(restarted.Recovered.SnapshotPath);
        Assert.True(restarted.Recovered.Recovery.FuzzyOverlaps > 0);
        Assert.Equal(live, restarted.Replica.DumpState());

        // And it keeps going: the next write follows the recovered zxid in a new segment.
        var connection2 = restarted.Connect();
        var created = restarted.Call(connection2, OpCode.Create, new CreateRequest("/after", null, Acls.OpenAclUnsafe, 0));
        Assert.Equal(0, created.Header.Err);
        Assert.Equal(restarted.Recovered.LastZxid + 2, created.Header.Zxid);
    }

    [Fact]
    public void ADamagedNewestSnapshotFallsBackToAnOlderOneWhenTheLogCoversTheGap()
    {
        var random = new Random(3);
        List<string> live;
        string newest;
        using (var server = new DurableServer(_options))
        {
            var connection = server.Connect();
            Write(server, connection, random, 40);
            server.BeginSnapshot();
            server.FinishSnapshot();
            Write(server, connection, random, 40);
            server.BeginSnapshot();
            newest = server.FinishSnapshot().Path;
            Write(server, connection, random, 40);
            live = server.Replica.DumpState();
        }

        var bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(newest, bytes);

        using var restarted = new DurableServer(_options);
        Assert.NotEqual(newest, restarted.Recovered.SnapshotPath);
        Assert.Contains(restarted.Recovered.Messages, m => m.Contains("is damaged and is skipped", StringComparison.Ordinal) && m.Contains("checksum", StringComparison.Ordinal));
        Assert.True(restarted.Recovered.SnapshotRecommended);
        Assert.Equal(live, restarted.Replica.DumpState());
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("cut")]
    [InlineData("header")]
    public void TheOnlySnapshotDamagedStopsRecovery(string damage)
    {
        string path;
        using (var server = new DurableServer(_options))
        {
            var connection = server.Connect();
            Write(server, connection, new Random(1), 20);
            server.BeginSnapshot();
            path = server.FinishSnapshot().Path;
        }

        var bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "flip":
                bytes[^50] ^= 0x80;
                break;
            case "cut":
                bytes = bytes[..^20];
                break;
            default:
                bytes[10] ^= 0x02;
                break;
        }

        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<StorageCorruptionException>(() => StorageRecovery.Recover(_options, new ReplicaOptions()));
        Assert.Contains("No snapshot", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(path), error.Message, StringComparison.Ordinal);
        Assert.False(StorageTools.VerifySnapshot(path).IsValid);
    }

    [Fact]
    public void ALeftoverTempSnapshotIsDeleted()
    {
        using (var server = new DurableServer(_options))
        {
            server.Connect();
        }

        var temp = Path.Combine(_options.SnapshotDirectory, StorageLayout.SnapshotName(1) + StorageLayout.TempSuffix);
        File.WriteAllBytes(temp, [1, 2, 3]);
        using var restarted = new DurableServer(_options);
        Assert.False(File.Exists(temp));
        Assert.Single(restarted.Replica.GetSessions());
    }

    [Fact]
    public void SessionsAndEphemeralsComeBackAndExpireFromTheRestartUnlessResumed()
    {
        var restartMs = 1_700_000_100_000L;
        long keptSession;
        byte[] keptPassword;
        using (var server = new DurableServer(_options))
        {
            for (var i = 0; i < 200; i++)
            {
                var connection = server.Connect(timeoutMs: 4000);
                Assert.Equal(0, server.Call(connection, OpCode.Create, new CreateRequest($"/e{i}", null, Acls.OpenAclUnsafe, (int)CreateMode.Ephemeral)).Header.Err);
                if (i == 100)
                {
                    server.BeginSnapshot();
                    server.FinishSnapshot();
                }
            }

            var first = server.ConnectResponseOf(1);
            keptSession = first.SessionId;
            keptPassword = first.Passwd!;
        }

        using var restarted = new DurableServer(_options, nowMs: restartMs);
        Assert.Equal(200, restarted.Replica.GetStats().SessionCount);
        Assert.Equal(200, restarted.Replica.GetStats().EphemeralCount);
        Assert.All(restarted.Replica.GetSessions(), s => Assert.Equal(restartMs + 5000, s.ExpiresAtMs));

        // The session secret survived too: the first client resumes its session.
        var resumed = restarted.Connect(4000, keptSession, keptPassword);
        Assert.Equal(keptSession, restarted.ConnectResponseOf(resumed).SessionId);
        for (var t = 1; t <= 3; t++)
        {
            restarted.NowMs = restartMs + (t * 2500);
            restarted.Replica.Tick(restarted.NowMs);
            restarted.Send(resumed, OpCode.Ping, null, Xids.Ping);
            Assert.Equal(0, restarted.WaitReply(resumed, Xids.Ping).Header.Err);
            restarted.Pump(TimeSpan.FromMilliseconds(20));
        }

        restarted.PumpUntil(() => restarted.Replica.GetStats().SessionCount == 1);
        Assert.Equal(1, restarted.Replica.GetStats().EphemeralCount);
    }
}
