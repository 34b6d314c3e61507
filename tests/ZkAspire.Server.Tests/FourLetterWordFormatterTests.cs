// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Commands;
using ZkAspire.Server.Core;
using ZkAspire.Server.Transport;

namespace ZkAspire.Server.Tests;

/// <summary>The four-letter word texts from given counters, in ZooKeeper's formats.</summary>
public sealed class FourLetterWordFormatterTests
{
    private static readonly ReplicaStats Stats = new(ServerMode.Standalone, 0x1c, 9, 58, 2, 1, 3, 2, 1, 0);

    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(1.0, "1.0")]
    [InlineData(1.8333, "1.8333")]
    [InlineData(0.001, "0.001")]
    [InlineData(0.0001, "1.0E-4")]
    [InlineData(0.0005, "5.0E-4")]
    [InlineData(12345678.0, "1.2345678E7")]
    [InlineData(-2.5, "-2.5")]
    public void DoublesPrintAsJavaPrintsThem(double value, string expected) => Assert.Equal(expected, JavaText.Double(value));

    [Theory]
    [InlineData(0, 0, "0.0")]
    [InlineData(19, 11, "1.7273")]
    [InlineData(11, 6, "1.8333")]
    [InlineData(1, 3, "0.3333")]
    [InlineData(2, 3, "0.6667")]
    [InlineData(5, 5, "1.0")]
    public void AverageLatencyRoundsHalfUpToFourDecimals(long total, long count, string expected) => Assert.Equal(expected, JavaText.Average(total, count));

    [Fact]
    public void DatesPrintAsJavaDateToStringInUtc() => Assert.Equal("Wed Nov 25 14:37:39 UTC 2026", JavaText.Date(1_795_617_459_000));

    [Fact]
    public void SrvrHasZooKeepersLines()
    {
        var statistics = new ServerStatistics { PacketsReceived = 26, PacketsSent = 28 };
        statistics.RecordLatency(0);
        statistics.RecordLatency(6);
        statistics.RecordLatency(5);

        Assert.Equal(
            $"Zookeeper version: {ServerVersion.FullVersion}\n" +
            "Latency min/avg/max: 0/3.6667/6\n" +
            "Received: 26\n" +
            "Sent: 28\n" +
            "Connections: 1\n" +
            "Outstanding: 0\n" +
            "Zxid: 0x1c\n" +
            "Mode: standalone\n" +
            "Node count: 9\n",
            FourLetterWordFormatter.Srvr(statistics, Stats, 1, 0));
    }

    [Fact]
    public void VersionKeepsTheZooKeeperPrefixToolsParse()
    {
        Assert.Matches(@"^3\.9\.3-zkaspire-[0-9]+\.[0-9]+\.[0-9]+, built on ", ServerVersion.FullVersion);
    }

    [Fact]
    public void ConsPrintsBriefLinesBeforeTheHandshakeAndFullOnesAfter()
    {
        ConnectionInfo[] connections =
        [
            new("/127.0.0.1:42804", 1, 0, 11, 11, 0x100000bae040000, "EXIS", 1795617449146, 10000, 0xa, 0x6, 775647, 1, 0, 1, 6, 0),
            new("/127.0.0.1:42824", 0, 0, 1, 0, 0, "NA", null, 0, -1, -1, 0, 0, 0, 0, 0, 0),
        ];

        Assert.Equal(
            " /127.0.0.1:42804[1](queued=0,recved=11,sent=11,sid=0x100000bae040000,lop=EXIS,est=1795617449146,to=10000,lcxid=0xa,lzxid=0x6,lresp=775647,llat=1,minlat=0,avglat=1,maxlat=6)\n" +
            " /127.0.0.1:42824[0](queued=0,recved=1,sent=0)\n\n",
            FourLetterWordFormatter.Cons(connections));
    }

    [Fact]
    public void WatchesArePrintedFromTheDataTable()
    {
        WatchSnapshot[] watches =
        [
            new(1, 0x10, "/a", WatchKind.Data),
            new(1, 0x10, "/nope", WatchKind.Data),
            new(1, 0x10, "/", WatchKind.Child),
            new(2, 0x11, "/a", WatchKind.PersistentRecursive),
        ];

        Assert.Equal("2 connections watching 2 paths\nTotal watches:3\n", FourLetterWordFormatter.Wchs(watches));
        Assert.Equal("0x10\n\t/a\n\t/nope\n0x11\n\t/a\n\n", FourLetterWordFormatter.Wchc(watches));
        Assert.Equal("/a\n\t0x10\n\t0x11\n/nope\n\t0x10\n\n", FourLetterWordFormatter.Wchp(watches));
        Assert.Equal("0 connections watching 0 paths\nTotal watches:0\n", FourLetterWordFormatter.Wchs([]));
        Assert.Equal("\n", FourLetterWordFormatter.Wchc([]));
    }

    [Fact]
    public void DumpGroupsSessionsAndConnectionsByExpiry()
    {
        SessionSnapshot[] sessions =
        [
            new(0x100000bae040000, 10000, 1_795_617_459_000, ["/e", "/b/c"]),
            new(0x100000bae040001, 10000, 1_795_617_461_000, []),
        ];
        ConnectionInfo[] connections =
        [
            new("/127.0.0.1:42804", 1, 0, 11, 11, 0x100000bae040000, "EXIS", 1, 10000, 0xa, 0x6, 0, 0, 0, 0, 0, 1_795_617_460_000),
        ];

        Assert.Equal(
            "SessionTracker dump:\n" +
            "Session Sets (2)/(2):\n" +
            "1 expire at Wed Nov 25 14:37:39 UTC 2026:\n" +
            "\t0x100000bae040000\n" +
            "1 expire at Wed Nov 25 14:37:41 UTC 2026:\n" +
            "\t0x100000bae040001\n" +
            "ephemeral nodes dump:\n" +
            "Sessions with Ephemerals (1):\n" +
            "0x100000bae040000:\n" +
            "\t/e\n" +
            "\t/b/c\n" +
            "Connections dump:\n" +
            "Connections Sets (1)/(1):\n" +
            "1 expire at Wed Nov 25 14:37:40 UTC 2026:\n" +
            "\tip: /127.0.0.1:42804 sessionId: 0x100000bae040000\n",
            FourLetterWordFormatter.Dump(sessions, connections));
    }

    [Fact]
    public void ConfPrintsZooKeepersKeysInOrder()
    {
        var options = new ZooKeeperServerOptions { DataDir = "/var/zk" };

        Assert.Equal(
            "clientPort=2181\nsecureClientPort=-1\ndataDir=/var/zk/zkaspire-1\ndataDirSize=0\ndataLogDir=/var/zk/zkaspire-1\ndataLogSize=0\n" +
            "tickTime=2000\nmaxClientCnxns=60\nminSessionTimeout=4000\nmaxSessionTimeout=40000\nclientPortListenBacklog=-1\nserverId=0\n",
            FourLetterWordFormatter.Conf(options, 2181));
    }
}
