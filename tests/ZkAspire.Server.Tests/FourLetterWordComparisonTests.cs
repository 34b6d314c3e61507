// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text.RegularExpressions;
using ZkAspire.Protocol;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.Testing;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>
/// Four-letter words against Apache ZooKeeper: the same session history on both servers, then
/// each command's output with numbers, ids, ports, dates and versions masked must match line for line.
/// </summary>
public sealed partial class FourLetterWordComparisonTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "zkaspire-4lw-" + Guid.NewGuid().ToString("n"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task OutputsHaveApacheZooKeepersShape()
    {
        await using var apache = await ApacheZooKeeper.StartAsync();
        await using var ours = await ZooKeeperTestServer.StartAsync(o => o.DataDir = _dataDir, cancellationToken: TestContext.Current.CancellationToken);

        await using var apacheSession = await PlayAsync(apache.Port);
        await using var ourSession = await PlayAsync(ours.Port);

        foreach (var command in new[] { "ruok", "isro", "srvr", "stat", "cons", "conf", "wchs", "wchc", "wchp", "dump", "dirs" })
        {
            var expected = Mask(await FourLetterWordClient.SendAsync(apache.Port, command), command);
            var actual = Mask(await FourLetterWordClient.SendAsync(ours.Port, command), command);
            Assert.True(expected == actual, $"{command} differs.\nApache ZooKeeper:\n{expected}\nZkAspire:\n{actual}");
        }

        // mntr: every key we print, Apache ZooKeeper prints too, version and state first.
        var apacheKeys = Keys(await FourLetterWordClient.SendAsync(apache.Port, "mntr"));
        var ourKeys = Keys(await FourLetterWordClient.SendAsync(ours.Port, "mntr"));
        Assert.Equal(["zk_version", "zk_server_state"], ourKeys.Take(2));
        Assert.Empty(ourKeys.Except(apacheKeys));

        // envi: the same frame; .NET facts stand where ZooKeeper prints the JVM's.
        var envi = await FourLetterWordClient.SendAsync(ours.Port, "envi");
        Assert.StartsWith("Environment:\nzookeeper.version=" + ServerVersion.FullVersion + "\n", envi, StringComparison.Ordinal);
        Assert.All(envi.TrimEnd('\n').Split('\n').Skip(1), line => Assert.Matches("^[a-z.]+=", line));

        // The reset commands answer as ZooKeeper's.
        Assert.Equal(await FourLetterWordClient.SendAsync(apache.Port, "crst"), await FourLetterWordClient.SendAsync(ours.Port, "crst"));
        Assert.Equal(await FourLetterWordClient.SendAsync(apache.Port, "srst"), await FourLetterWordClient.SendAsync(ours.Port, "srst"));
        Assert.Contains("Latency min/avg/max: 0/0.0/0\n", await FourLetterWordClient.SendAsync(ours.Port, "srvr"), StringComparison.Ordinal);
    }

    private static async Task<RawClient> PlayAsync(int port)
    {
        var (client, _) = await RawClient.ConnectSessionAsync(port);
        List<ACL> open = [new ACL(Perms.All, new Id("world", "anyone"))];
        await Ok(client.RequestAsync(OpCode.Create, new CreateRequest("/a", [1, 2], open, 0)));
        await Ok(client.RequestAsync(OpCode.Create, new CreateRequest("/e", [3], open, 1)));
        await Ok(client.RequestAsync(OpCode.GetData, new GetDataRequest("/a", true)));
        await Ok(client.RequestAsync(OpCode.GetChildren, new GetChildrenRequest("/", true)));
        var (exists, _) = await client.RequestAsync(OpCode.Exists, new ExistsRequest("/nope", true));
        Assert.Equal((int)KeeperErrorCode.NoNode, exists.Err);
        return client;

        static async Task Ok(Task<(ReplyHeader Header, byte[] Body)> request) => Assert.Equal(0, (await request).Header.Err);
    }

    private static string Mask(string text, string command)
    {
        // cons and stat list connections in hash order on Apache ZooKeeper: compare them as sets.
        if (command is "cons" or "stat")
        {
            return string.Join('\n', Mask(text, string.Empty).Split('\n').Order(StringComparer.Ordinal));
        }

        // ZooKeeper's expiry queues keep emptied buckets for a while ("0 expire at ..."): timing, not format.
        text = EmptyBucketPattern().Replace(text, string.Empty);
        text = VersionPattern().Replace(text, "$1VERSION");
        text = DatePattern().Replace(text, "DATE");
        text = DirectoryPattern().Replace(text, "$1=DIR");
        text = HexPattern().Replace(text, "0xH");
        text = AddressPattern().Replace(text, "/IP:PORT");
        return NumberPattern().Replace(text, "N");
    }

    private static List<string> Keys(string mntr) =>
        mntr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]).ToList();

    [GeneratedRegex("(?m)^0 expire at [^\n]*\n")]
    private static partial Regex EmptyBucketPattern();

    [GeneratedRegex("(Zookeeper version: |zk_version\t)[^\n]*")]
    private static partial Regex VersionPattern();

    [GeneratedRegex("[A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{2} [0-9:]{8} [A-Z]+ [0-9]{4}")]
    private static partial Regex DatePattern();

    [GeneratedRegex("(dataDir|dataLogDir)=[^\n]*")]
    private static partial Regex DirectoryPattern();

    [GeneratedRegex("0x[0-9a-f]+")]
    private static partial Regex HexPattern();

    [GeneratedRegex("/127\\.0\\.0\\.1:[0-9]+")]
    private static partial Regex AddressPattern();

    [GeneratedRegex("-?[0-9]+(\\.[0-9]+)?")]
    private static partial Regex NumberPattern();
}
