// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Bench;
using ZkAspire.Cli.Bench.Workloads;
using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Tests.Bench;

public sealed class BenchPartsTests
{
    [Fact]
    public void SessionsAreSpreadOverTheServersInTurnWithTheChroot()
    {
        var parsed = ZooKeeperConnectionString.Parse("a:1,b:2,[::1]:3/app");

        Assert.Equal(
            ["a:1/app", "b:2/app", "[::1]:3/app", "a:1/app", "b:2/app"],
            Enumerable.Range(0, 5).Select(i => BenchRunner.SessionConnectString(parsed, i)));
    }

    [Theory]
    [InlineData("lock-0000000005", null)]
    [InlineData("lock-0000000007", "lock-0000000005")]
    [InlineData("lock-0000000012", "lock-0000000009")]
    public void TheLockWatchesOnlyTheNextLowerContender(string ours, string? expected)
    {
        string[] children = ["lock-0000000009", "other", "lock-0000000005", ours, "lock-0000000020", "lock-x"];

        Assert.Equal(expected, LockWorkload.Predecessor(children, ours, out var found));
        Assert.True(found);
    }

    [Fact]
    public void ProtectedLockNodesAreOrderedByTheirCounterWhateverTheirGuid()
    {
        string[] children =
        [
            "_c_ffffffff-0000-0000-0000-000000000000-lock-0000000003",
            "_c_00000000-0000-0000-0000-000000000000-lock-0000000008",
            "_c_99999999-0000-0000-0000-000000000000-lock-0000000005",
            "_c_11111111-0000-0000-0000-000000000000-other-0000000006",
        ];

        Assert.Equal(children[2], LockWorkload.Predecessor(children, children[1], out var found));
        Assert.True(found);
        Assert.Null(LockWorkload.Predecessor(children, children[0], out _));
    }

    [Fact]
    public void AMissingOwnZnodeIsNoticed()
    {
        LockWorkload.Predecessor(["lock-0000000001"], "lock-0000000002", out var found);

        Assert.False(found);
    }

    [Fact]
    public void FailuresAreCountedByKind()
    {
        Assert.Equal("ConnectionLoss", BenchRunner.KindOf(new ConnectionLossException()));
        Assert.Equal("NoNode", BenchRunner.KindOf(KeeperException.Create(KeeperErrorCode.NoNode, "/a")));
        Assert.Equal("WatchLost(Disconnected)", BenchRunner.KindOf(new WatchLostException("Disconnected")));
        Assert.Equal("TimeoutException", BenchRunner.KindOf(new TimeoutException()));
    }

    [Fact]
    public void JsonLinesCarryLatenciesInMicroseconds()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1_000_000);
        var line = BenchReport.JsonLine(new BenchResult
        {
            Workload = BenchWorkload.Set,
            ConnectString = "h:1",
            Clients = 1,
            InFlight = 2,
            PayloadBytes = 3,
            Elapsed = TimeSpan.FromSeconds(2),
            Operations = 10,
            Errors = 1,
            ErrorsByKind = new Dictionary<string, long> { ["BadVersion"] = 1 },
            Latency = LatencySummary.From(histogram),
        });

        Assert.Equal(
            "{\"workload\":\"set\",\"server\":\"h:1\",\"clients\":1,\"inflight\":2,\"payload\":3,\"seconds\":2,\"ops\":10,\"opsPerSec\":5,\"errors\":1,"
            + "\"errorsByKind\":{\"BadVersion\":1},\"latencyUs\":{\"min\":1000,\"mean\":1000,\"p50\":1000,\"p90\":1000,\"p99\":1000,\"p999\":1000,\"max\":1000}}",
            line);
    }
}
