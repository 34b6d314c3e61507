// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.Testing;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>Thousands of sessions on one server, among them one that sends garbage and one that never reads.</summary>
public sealed class ManySessionsTests
{
    private const int Sessions = 2000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly List<ACL> Open = [new ACL(Perms.All, new Id("world", "anyone"))];

    [Fact]
    public async Task ABadClientAndASlowReaderDoNotDelayTwoThousandWatchers()
    {
        var logs = new CapturingLoggerFactory();
        await using var server = await ZooKeeperTestServer.StartAsync(
            o => { o.OutputBufferSoftLimitBytes = 64 * 1024; o.OutputBufferHardLimitBytes = 16 * 1024 * 1024; },
            logs,
            cancellationToken: TestContext.Current.CancellationToken);
        var (writer, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _w = writer;
        var flood = "/" + new string('f', 4000);
        await Ok(writer.RequestAsync(OpCode.Create, new CreateRequest("/watched", [0], Open, 0)));
        await Ok(writer.RequestAsync(OpCode.Create, new CreateRequest(flood, [], Open, 0)));

        // Two thousand sessions, each watching /watched.
        var watchers = new List<RawClient>(Sessions);
        try
        {
            for (var batch = 0; batch < Sessions / 200; batch++)
            {
                watchers.AddRange(await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
                {
                    var (client, _) = await RawClient.ConnectSessionAsync(server.Port);
                    await Ok(client.RequestAsync(OpCode.GetData, new GetDataRequest("/watched", true)));
                    return client;
                })));
            }

            // A reader that never reads, with a persistent watch on a node whose notifications are
            // 4 KB each: the server ends up holding output for it.
            await using var deaf = await RawClient.ConnectAsync(server.Port, receiveBufferSize: 4 * 1024);
            await deaf.HandshakeAsync();
            await Ok(deaf.RequestAsync(OpCode.AddWatch, new AddWatchRequest(flood, 0)));
            for (var i = 0; i < 1500; i++)
            {
                await writer.SendRequestAsync(1000 + i, OpCode.SetData, new SetDataRequest(flood, [(byte)i], -1));
            }

            for (var i = 0; i < 1500; i++)
            {
                await Ok(writer.ReadReplyAsync(1000 + i));
            }

            Assert.Contains("[5](", await FourLetterWordClient.SendAsync(server.Port, "cons"), StringComparison.Ordinal);

            // A client that sends bad frames is closed.
            var (bad, _) = await RawClient.ConnectSessionAsync(server.Port);
            await using var _b = bad;
            await bad.SendHexAsync("7f ff ff ff 00 01 02 03");
            Assert.True(await bad.WaitForCloseAsync(Timeout));
            await logs.WaitForLineAsync("Closing connection from");

            // One change: every watcher hears of it, then is still served.
            var (changed, _) = await writer.RequestAsync(OpCode.SetData, new SetDataRequest("/watched", [1], -1));
            Assert.Equal(0, changed.Err);
            var events = await Task.WhenAll(watchers.Select(w => w.ReadNotificationAsync(Timeout)));
            Assert.All(events, e => Assert.Equal(new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/watched"), e));
            var pings = await Task.WhenAll(watchers.Select(w => w.RequestAsync(OpCode.Ping, null, timeout: Timeout)));
            Assert.All(pings, p => Assert.Equal(0, p.Header.Err));

            var srvr = await FourLetterWordClient.SendAsync(server.Port, "srvr");
            Assert.Contains("Connections: " + (Sessions + 3), srvr, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                await watcher.DisposeAsync();
            }
        }
    }

    private static async Task Ok(Task<(ReplyHeader Header, byte[] Body)> request) => Assert.Equal(0, (await request).Header.Err);
}
