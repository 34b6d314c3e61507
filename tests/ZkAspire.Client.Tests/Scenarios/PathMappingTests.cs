// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client.Tests.Infrastructure;
using ZkAspire.Protocol;
using static ZkAspire.Client.Tests.Infrastructure.TestHelpers;

namespace ZkAspire.Client.Tests.Scenarios;

/// <summary>
/// The chroot of the connection string and Curator's namespace: paths sent, created paths,
/// listed paths and event paths.
/// </summary>
/// <typeparam name="TFixture">The server under test.</typeparam>
public abstract class PathMappingTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ZooKeeperServerFixture
{
    protected TFixture Server { get; } = server;

    [Fact]
    public async Task AChrootPrefixesEveryPathBothWays()
    {
        await using var direct = await Server.ConnectAsync();
        var chroot = await direct.CreateAsync(Server.UniquePath("chroot"), [], cancellationToken: Ct);
        await using var client = await ZooKeeperClient.ConnectAsync(Server.Options(Server.ConnectionString + chroot), Ct);
        Assert.Equal(chroot, client.ConnectionString.ChrootPath);
        var events = new Recorder<WatchedEvent>();
        await client.GetChildrenAsync("/", events.Callback, Ct);

        Assert.Equal("/a", await client.CreateAsync("/a", Bytes("x"), cancellationToken: Ct));
        Assert.Equal(new WatchedEvent(EventType.NodeChildrenChanged, KeeperState.SyncConnected, "/", -1), (await events.NextAsync()) with { Zxid = -1 });
        Assert.Equal("x", Text((await direct.GetDataAsync(chroot + "/a", Ct)).Data));
        Assert.Equal(["a"], await client.GetChildrenAsync("/", Ct));
        Assert.Equal("/a/s-0000000000", await client.CreateAsync("/a/s-", [], CreateOptions.EphemeralSequential, Ct));
        Assert.Equal(["/a/s-0000000000"], await client.GetEphemeralsAsync(cancellationToken: Ct));
        Assert.Equal("/a/t", Assert.IsType<CreateResult>(Assert.Single(await client.Transaction().Create("/a/t", []).CommitAsync(Ct))).Path);

        await client.GetDataAsync("/a", events.Callback, Ct);
        await direct.SetDataAsync(chroot + "/a", Bytes("y"), cancellationToken: Ct);
        Assert.Equal("/a", (await events.NextAsync()).Path);
        var error = await Assert.ThrowsAsync<NoNodeException>(() => client.GetDataAsync("/missing", Ct));
        Assert.Equal("/missing", error.Path);

        // getConfig is never under the chroot.
        Assert.NotNull(await client.GetConfigAsync(Ct));
    }

    [Fact]
    public async Task ANamespaceIsCreatedAndPrefixesEveryPath()
    {
        await using var direct = await Server.ConnectAsync();
        var ns = Server.UniquePath("ns")[1..] + "/inner";
        await using var client = await Server.ConnectAsync(o => o.Namespace = ns);
        Assert.Equal("/" + ns, client.Namespace);

        // Many requests at once, first thing: the namespace creates are queued ahead of them.
        var creates = Enumerable.Range(0, 50).Select(i => client.CreateAsync("/n" + i, [], cancellationToken: Ct)).ToArray();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => "/n" + i), await Task.WhenAll(creates));
        Assert.Equal(50, (await direct.GetChildrenAsync("/" + ns, Ct)).Count);

        var events = new Recorder<WatchedEvent>();
        await client.ExistsAsync("/n0", events.Callback, Ct);
        await direct.DeleteAsync("/" + ns + "/n0", cancellationToken: Ct);
        Assert.Equal(new WatchedEvent(EventType.NodeDeleted, KeeperState.SyncConnected, "/n0", -1), (await events.NextAsync()) with { Zxid = -1 });
        Assert.Equal(49, (await client.GetChildrenAsync("/", Ct)).Count);
        Assert.NotNull(await client.ExistsAsync("/", Ct));
    }

    [Fact]
    public async Task NamespaceAndChrootCombine()
    {
        await using var direct = await Server.ConnectAsync();
        var chroot = await direct.CreateAsync(Server.UniquePath("chroot"), [], cancellationToken: Ct);
        await using var client = await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectionString = Server.ConnectionString + chroot, Namespace = "app" },
            Ct);
        Assert.Equal("/x", await client.CreateAsync("/x", [], CreateOptions.Ephemeral, Ct));
        Assert.NotNull(await direct.ExistsAsync(chroot + "/app/x", Ct));
        Assert.Equal(["/x"], await client.GetEphemeralsAsync("/", Ct));
        var stream = client.WatchAsync("/", AddWatchMode.PersistentRecursive, Ct).GetAsyncEnumerator(Ct);
        var next = stream.MoveNextAsync();
        await client.SetDataAsync("/x", Bytes("1"), cancellationToken: Ct);
        Assert.True(await next);
        Assert.Equal("/x", stream.Current.Path);
        await stream.DisposeAsync();
    }
}

public sealed class ApachePathMappingTests(ApacheZooKeeperFixture server) : PathMappingTests<ApacheZooKeeperFixture>(server);
