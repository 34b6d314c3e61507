// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.Testing;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>
/// Two thousand sessions, each watching a znode, across a restart from the data directory: every
/// session is resumed with its password, every client re-registers its watch with setWatches, a
/// watch whose znode changed while the client was away fires at once, the others fire on the next
/// change, and each fires once.
/// </summary>
public sealed class RestartWithManySessionsTests
{
    private const int Sessions = 2000;
    private const int Watched = 100;
    private static readonly List<ACL> Open = [new ACL(Perms.All, new Id("world", "anyone"))];

    [Fact]
    public async Task TwoThousandSessionsAndTheirWatchesSurviveARestart()
    {
        var ct = TestContext.Current.CancellationToken;
        var logs = new CapturingLoggerFactory();
        await using var server = await ZooKeeperTestServer.StartWithDataDirectoryAsync(loggerFactory: logs, cancellationToken: ct);
        await using (var writer = await RawZooKeeperConnection.ConnectAsync(server.Port, cancellationToken: ct))
        {
            for (var i = 0; i < Watched; i++)
            {
                Assert.Equal(KeeperErrorCode.Ok, (await writer.CallAsync(OpCode.Create, new CreateRequest($"/w{i}", [0], Open, 0), ct)).Error);
            }
        }

        // Each session reads and watches one znode, and remembers what a client keeps: its
        // session id, password and the last zxid it saw.
        var sessions = new List<(long Id, byte[] Password, long LastZxid, string Path)>(Sessions);
        for (var batch = 0; batch < Sessions / 200; batch++)
        {
            sessions.AddRange(await Task.WhenAll(Enumerable.Range(batch * 200, 200).Select(async i =>
            {
                await using var connection = await RawZooKeeperConnection.ConnectAsync(server.Port, cancellationToken: ct);
                var path = $"/w{i % Watched}";
                var read = await connection.CallAsync(OpCode.GetData, new GetDataRequest(path, true), ct);
                Assert.Equal(KeeperErrorCode.Ok, read.Error);
                return (connection.SessionId, connection.Password, read.Zxid, path);
            })));
        }

        await server.RestartAsync(ct);
        var recovered = await logs.WaitForLineAsync("Loaded snapshot");
        Assert.Contains($"{Sessions + 1} sessions", recovered, StringComparison.Ordinal);

        // Half of the watched znodes change before their watchers come back.
        await using var changer = await RawZooKeeperConnection.ConnectAsync(server.Port, cancellationToken: ct);
        for (var i = 0; i < Watched / 2; i++)
        {
            Assert.Equal(KeeperErrorCode.Ok, (await changer.CallAsync(OpCode.SetData, new SetDataRequest($"/w{i}", [1], -1), ct)).Error);
        }

        var watchers = new List<(RawZooKeeperConnection Connection, string Path, bool Fired)>(Sessions);
        try
        {
            for (var batch = 0; batch < Sessions / 200; batch++)
            {
                watchers.AddRange(await Task.WhenAll(sessions.Skip(batch * 200).Take(200).Select(async s =>
                {
                    var connection = await RawZooKeeperConnection.ConnectAsync(server.Port, sessionId: s.Id, password: s.Password, lastZxidSeen: s.LastZxid, cancellationToken: ct);
                    Assert.Equal(s.Id, connection.SessionId);
                    await connection.SendAsync(new RequestHeader(Xids.SetWatches, (int)OpCode.SetWatches), new SetWatches(s.LastZxid, [s.Path], [], []), ct);
                    var reply = await connection.ReceiveReplyAsync(Xids.SetWatches, ct);
                    Assert.Equal(KeeperErrorCode.Ok, reply.Error);
                    var changedWhileAway = int.Parse(s.Path.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture) < Watched / 2;
                    var events = reply.Events.ToList();
                    if (changedWhileAway && events.Count == 0)
                    {
                        events.Add((await connection.ReceiveAsync(ct))!.ReadEvent());
                    }

                    Assert.Equal(changedWhileAway ? [new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, s.Path)] : [], events);
                    return (connection, s.Path, changedWhileAway);
                })));
            }

            // The other half changes now: each of its watchers hears of it once; the first half,
            // whose watches have fired, hear nothing more.
            for (var i = Watched / 2; i < Watched; i++)
            {
                Assert.Equal(KeeperErrorCode.Ok, (await changer.CallAsync(OpCode.SetData, new SetDataRequest($"/w{i}", [2], -1), ct)).Error);
            }

            await Task.WhenAll(watchers.Select(async w =>
            {
                var ping = await w.Connection.CallAsync(OpCode.Ping, null, ct);
                Assert.Equal(w.Fired ? [] : [new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, w.Path)], ping.Events);
            }));
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                await watcher.Connection.DisposeAsync();
            }
        }
    }
}
