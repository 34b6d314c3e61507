// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using ZkAspire.Client;
using ZkAspire.Extensions.Configuration;
using ZkAspire.Extensions.Tests.Infrastructure;
using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;
using static ZkAspire.Extensions.Tests.Infrastructure.ExtensionsTestHelpers;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.Tests.Configuration;

/// <summary>
/// A server without addWatch (before ZooKeeper 3.6), played by a proxy that answers opcode 106 as
/// a server answers any opcode it does not know: −6 Unimplemented, then it closes the connection.
/// </summary>
public sealed class WatchModeFallbackTests(ZkAspireServer zkAspire, ApacheServer apache)
{
    [Theory]
    [InlineData("zkaspire")]
    [InlineData("apache")]
    public async Task TheProxyAnswersAddWatchExactlyAsTheServerAnswersAnUnknownOpcode(string kind)
    {
        var server = Pick(kind);

        // The server's own answer to an opcode it does not know (108).
        await using var direct = await RawZooKeeperConnection.ConnectAsync(server.Port, cancellationToken: Ct);
        var unknown = await direct.CallAsync((OpCode)108, null, Ct);
        Assert.Empty(await direct.ReceiveUntilClosedAsync(Ct));

        // addWatch through the proxy, right behind a read that is answered first.
        await using var proxy = new UnknownOpcodeProxy(server.Port);
        await using var proxied = await RawZooKeeperConnection.ConnectAsync(proxy.Port, cancellationToken: Ct);
        var read = await proxied.SendAsync(OpCode.Exists, new ExistsRequest("/", false), Ct);
        var addWatch = await proxied.SendAsync(OpCode.AddWatch, new AddWatchRequest("/", 1), Ct);
        Assert.Equal(KeeperErrorCode.Ok, (await proxied.ReceiveReplyAsync(read, Ct)).Reply.Error);
        var rejected = await proxied.ReceiveReplyAsync(addWatch, Ct);
        Assert.Empty(await proxied.ReceiveUntilClosedAsync(Ct));

        Assert.Equal(unknown.Reply.Header with { Xid = addWatch }, rejected.Reply.Header);
        Assert.Equal(new ReplyHeader(addWatch, -1, (int)KeeperErrorCode.Unimplemented), rejected.Reply.Header);
        Assert.Empty(rejected.Reply.Body);
        Assert.Equal(1, proxy.Rejected);
    }

    [Theory]
    [InlineData("zkaspire")]
    [InlineData("apache")]
    public async Task AutoFallsBackToOneTimeWatchesWhenAddWatchIsUnimplemented(string kind)
    {
        var server = Pick(kind);
        var root = server.UniquePath();
        await using var writer = await server.ConnectAsync();
        await writer.CreateTreeAsync((root, null), (root + "/Seats", "100"), (root + "/A", "1"), (root + "/B", "1"), (root + "/Sentinel", "0"));
        await using var proxy = new UnknownOpcodeProxy(server.Port);
        await using var client = await server.ConnectAsync(proxy.ConnectionString);

        using var configuration = (ConfigurationRoot)new ConfigurationBuilder().AddZooKeeper(client, root).Build();
        var provider = (ZooKeeperConfigurationProvider)configuration.Providers.Single();
        Assert.Equal(ZooKeeperConfigurationWatchMode.OneTime, provider.WatchMode);
        Assert.Equal(1, proxy.Rejected);
        Assert.Equal("100", configuration["Seats"]);

        // Set, nested create, delete: all seen, with one reload per batch.
        await writer.SetDataAsync(root + "/Seats", Bytes("120"), cancellationToken: Ct);
        await configuration.UntilAsync(c => c["Seats"] == "120");
        await writer.CreateTreeAsync((root + "/Venue/Hall", "B"));
        await configuration.UntilAsync(c => c["Venue:Hall"] == "B");
        await writer.DeleteAsync(root + "/Venue", new DeleteOptions { DeleteChildren = true }, Ct);
        await configuration.UntilAsync(c => c["Venue:Hall"] is null);

        var reloads = 0;
        using var subscription = ChangeToken.OnChange(configuration.GetReloadToken, () => Interlocked.Increment(ref reloads));
        await writer.Transaction()
            .SetData(root + "/A", Bytes("2"))
            .SetData(root + "/B", Bytes("2"))
            .Create(root + "/D", Bytes("2"))
            .CommitAsync(Ct);
        await configuration.UntilAsync(c => c["A"] == "2" && c["B"] == "2" && c["D"] == "2" && Volatile.Read(ref reloads) >= 1);
        await writer.SetDataAsync(root + "/Sentinel", Bytes("1"), cancellationToken: Ct);
        await configuration.UntilAsync(c => c["Sentinel"] == "1" && Volatile.Read(ref reloads) >= 2);
        Assert.Equal(2, Volatile.Read(ref reloads));

        // Decided once: addWatch is not tried again.
        Assert.Equal(1, proxy.Rejected);
    }

    [Fact]
    public async Task PersistentRecursiveModeFailsClearlyWhenAddWatchIsUnimplemented()
    {
        var root = zkAspire.UniquePath();
        await using var writer = await zkAspire.ConnectAsync();
        await writer.CreateTreeAsync((root + "/Seats", "100"));
        await using var proxy = new UnknownOpcodeProxy(zkAspire.Port);
        await using var client = await zkAspire.ConnectAsync(proxy.ConnectionString);

        var e = Assert.Throws<NotSupportedException>(() => new ConfigurationBuilder()
            .AddZooKeeper(s =>
            {
                s.Client = client;
                s.RootPath = root;
                s.WatchMode = ZooKeeperConfigurationWatchMode.PersistentRecursive;
            })
            .Build());
        Assert.Contains("addWatch", e.Message, StringComparison.Ordinal);
        Assert.IsType<UnimplementedException>(e.InnerException);
        Assert.False(client.IsClosed);
    }

    private ServerFixture Pick(string kind) => kind == "apache" ? apache : zkAspire;
}
