// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>The counters and dumps the host turns into four-letter words (wire-protocol doc §21).</summary>
public sealed class SnapshotTests
{
    private readonly TestServer _server = new();

    [Fact]
    public void StatsFollowTheTree()
    {
        var client = _server.Connect();
        client.Create("/a", [1, 2, 3]);
        client.Create("/e", mode: CreateMode.Ephemeral);

        var stats = _server.Replica.GetStats();
        Assert.Equal(ServerMode.Standalone, stats.Mode);
        Assert.Equal(3, stats.LastProcessedZxid);
        Assert.Equal(7, stats.NodeCount);
        Assert.Equal(44 + 2 + 3 + 2, stats.ApproximateDataSize);
        Assert.Equal(1, stats.EphemeralCount);
        Assert.Equal(1, stats.SessionCount);
        Assert.Equal(0, stats.OutstandingRequests);

        client.SetData("/a", [1]);
        client.Delete("/a");
        Assert.Equal(44 + 2, _server.Replica.GetStats().ApproximateDataSize);
    }

    [Fact]
    public void WatchCountsFollowZooKeepersTables()
    {
        var a = _server.Connect();
        var b = _server.Connect();
        a.Create("/x");
        a.GetData("/x", watch: true);
        a.Children("/x", watch: true);
        b.GetData("/x", watch: true);
        b.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/y", 0));

        var stats = _server.Replica.GetStats();

        // mntr's zk_watch_count counts both tables (a persistent watch sits in both);
        // wchs's path and connection counts come from the data table.
        Assert.Equal(5, stats.WatchCount);
        Assert.Equal(2, stats.WatchedPathCount);
        Assert.Equal(2, stats.WatchingConnectionCount);
    }

    [Fact]
    public void GetSessionsListsTimeoutDeadlineAndEphemerals()
    {
        var client = _server.Connect(10_000);
        client.Create("/e1", mode: CreateMode.Ephemeral);
        client.Create("/e2", mode: CreateMode.EphemeralSequential);
        _server.Connect();

        var session = _server.Replica.GetSessions().Single(s => s.SessionId == client.SessionId);
        Assert.Equal(10_000, session.TimeoutMs);
        Assert.Equal(TestServer.StartMs + 12_000, session.ExpiresAtMs);
        Assert.Equal(["/e1", "/e20000000001"], session.Ephemerals.Order(StringComparer.Ordinal));
        Assert.Equal(2, _server.Replica.GetSessions().Count);
    }

    [Fact]
    public void GetWatchesReportsEachRegistrationWithItsKind()
    {
        var client = _server.Connect();
        client.Create("/x");
        client.GetData("/x", watch: true);
        client.Children("/x", watch: true);
        client.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/p", 0));
        client.Ok<ErrorResponse>(OpCode.AddWatch, new AddWatchRequest("/r", 1));

        Assert.Equal(
            [
                new WatchSnapshot(client.ConnectionId, client.SessionId, "/p", WatchKind.Persistent),
                new WatchSnapshot(client.ConnectionId, client.SessionId, "/r", WatchKind.PersistentRecursive),
                new WatchSnapshot(client.ConnectionId, client.SessionId, "/x", WatchKind.Data),
                new WatchSnapshot(client.ConnectionId, client.SessionId, "/x", WatchKind.Child),
            ],
            _server.Replica.GetWatches().OrderBy(w => w.Path, StringComparer.Ordinal).ThenBy(w => w.Kind));
    }
}
