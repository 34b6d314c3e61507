// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Recipes.Cache;
using ZkAspire.Recipes.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Recipes.Tests.Cache;

/// <summary>
/// The caches: initial load, added/updated/removed, initialized, connection events, and a correct
/// copy again after a reconnect (changes made while cut off) and after session expiry.
/// </summary>
/// <typeparam name="TServer">The server under test.</typeparam>
public abstract class CacheTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    public static TheoryData<string> TreeKinds => ["tree", "persistent"];

    protected TServer Server { get; } = server;

    [Theory]
    [MemberData(nameof(TreeKinds))]
    public async Task TheInitialLoadEndsWithInitializedAndChangesFollow(string kind)
    {
        var root = Server.UniquePath("cache");
        await using var writer = await Server.ConnectAsync();
        await using var client = await Server.ConnectAsync();
        await writer.CreateAsync(root, Bytes("root"), cancellationToken: Ct);
        await writer.CreateAsync(root + "/a", Bytes("1"), cancellationToken: Ct);
        await writer.CreateAsync(root + "/a/b", Bytes("b"), cancellationToken: Ct);
        await writer.CreateAsync(root + "/c", Bytes("c"), cancellationToken: Ct);

        await using var cache = Create(kind, client, root);
        var events = Record(cache);
        await cache.StartAsync(Ct);
        var initial = new List<CacheEvent>();
        for (var e = await events.NextAsync(); e.Type != CacheEventType.Initialized; e = await events.NextAsync())
        {
            initial.Add(e);
        }

        Assert.All(initial, e => Assert.Equal(CacheEventType.NodeAdded, e.Type));
        Assert.Equal([root, root + "/a", root + "/a/b", root + "/c"], initial.Select(e => e.Data!.Path).Order(StringComparer.Ordinal));
        Assert.Equal("1", Text(Current(cache)[root + "/a"].Data));

        await writer.SetDataAsync(root + "/a", Bytes("2"), cancellationToken: Ct);
        var updated = await events.NextAsync();
        Assert.Equal((CacheEventType.NodeUpdated, root + "/a", "2", "1"), (updated.Type, updated.Data!.Path, Text(updated.Data.Data), Text(updated.OldData!.Data)));

        await writer.CreateAsync(root + "/c/d", Bytes("d"), cancellationToken: Ct);
        var added = await events.WaitForAsync(e => e.Type == CacheEventType.NodeAdded);
        Assert.Equal((root + "/c/d", "d"), (added.Data!.Path, Text(added.Data.Data)));

        await writer.DeleteAsync(root + "/a/b", cancellationToken: Ct);
        Assert.Equal(root + "/a/b", (await events.WaitForAsync(e => e.Type == CacheEventType.NodeRemoved)).Data!.Path);
        await writer.DeleteAsync(root + "/c", new DeleteOptions { DeleteChildren = true }, Ct);
        await Eventually(() => AssertMirrorsAsync(cache, writer, root));
        Assert.Equal([root, root + "/a"], Current(cache).Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TreeKinds))]
    public async Task TheRootMayComeAndGo(string kind)
    {
        var root = Server.UniquePath("cache-root");
        await using var writer = await Server.ConnectAsync();
        await using var client = await Server.ConnectAsync();
        await using var cache = Create(kind, client, root);
        var events = Record(cache);
        await cache.StartAsync(Ct);
        Assert.Equal(CacheEventType.Initialized, (await events.NextAsync()).Type);
        Assert.Empty(Current(cache));

        await writer.CreateAsync(root + "/x", Bytes("x"), CreateOptions.Persistent with { Parents = ParentCreation.Persistent }, Ct);
        await Eventually(() => AssertMirrorsAsync(cache, writer, root));
        await writer.DeleteAsync(root, new DeleteOptions { DeleteChildren = true }, Ct);
        await Eventually(() => AssertMirrorsAsync(cache, writer, root));
        Assert.Empty(Current(cache));
        await writer.CreateAsync(root, Bytes("again"), cancellationToken: Ct);
        await events.WaitForAsync(e => e.Type == CacheEventType.NodeAdded && e.Data!.Path == root && Text(e.Data.Data) == "again");
    }

    [Theory]
    [MemberData(nameof(TreeKinds))]
    public async Task ChangesMadeWhileCutOffShowAfterTheReconnect(string kind)
    {
        var root = Server.UniquePath("cache-reconnect");
        await using var writer = await Server.ConnectAsync();
        await using var proxy = new NetworkProxy(Server.Port);
        await using var client = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        await writer.CreateAsync(root, [], cancellationToken: Ct);
        await writer.CreateAsync(root + "/keep", Bytes("1"), cancellationToken: Ct);
        await writer.CreateAsync(root + "/gone", Bytes("1"), cancellationToken: Ct);
        await using var cache = Create(kind, client, root);
        var events = Record(cache);
        await cache.StartAsync(Ct);

        proxy.Refuse();
        await events.WaitForAsync(e => e.Type == CacheEventType.ConnectionSuspended);
        await writer.SetDataAsync(root + "/keep", Bytes("2"), cancellationToken: Ct);
        await writer.DeleteAsync(root + "/gone", cancellationToken: Ct);
        await writer.CreateAsync(root + "/new", Bytes("n"), cancellationToken: Ct);
        await writer.CreateAsync(root + "/new/deep", Bytes("d"), cancellationToken: Ct);
        proxy.Forward();
        await events.WaitForAsync(e => e.Type == CacheEventType.ConnectionReconnected);
        await Eventually(() => AssertMirrorsAsync(cache, writer, root));
        Assert.Equal("2", Text(Current(cache)[root + "/keep"].Data));

        // The watches still work after the reconnect.
        await writer.SetDataAsync(root + "/new/deep", Bytes("e"), cancellationToken: Ct);
        await Eventually(() => AssertMirrorsAsync(cache, writer, root));
    }

    [Theory]
    [MemberData(nameof(TreeKinds))]
    public async Task TheCacheIsRebuiltAfterTheSessionExpired(string kind)
    {
        var root = Server.UniquePath("cache-expired");
        await using var writer = await Server.ConnectAsync();
        await using var proxy = new NetworkProxy(Server.Port);
        await using var client = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        await writer.CreateAsync(root, [], cancellationToken: Ct);
        await writer.CreateAsync(root + "/a", Bytes("1"), cancellationToken: Ct);
        await writer.CreateAsync(root + "/b", Bytes("1"), cancellationToken: Ct);
        await using var cache = Create(kind, client, root);
        var events = Record(cache);
        await cache.StartAsync(Ct);

        proxy.Refuse();
        await events.WaitForAsync(e => e.Type == CacheEventType.ConnectionSuspended);
        await client.KillSessionAsync(Server.ConnectionString, proxy, reconnect: false);
        await writer.SetDataAsync(root + "/a", Bytes("2"), cancellationToken: Ct);
        await writer.DeleteAsync(root + "/b", cancellationToken: Ct);
        await writer.CreateAsync(root + "/c", Bytes("c"), cancellationToken: Ct);
        proxy.Forward();
        await events.WaitForAsync(e => e.Type == CacheEventType.ConnectionLost);
        await events.WaitForAsync(e => e.Type == CacheEventType.ConnectionReconnected);
        await Eventually(() => AssertMirrorsAsync(cache, writer, root));

        // New watches in the new session.
        await writer.CreateAsync(root + "/c/d", Bytes("d"), cancellationToken: Ct);
        await writer.SetDataAsync(root + "/a", Bytes("3"), cancellationToken: Ct);
        await Eventually(() => AssertMirrorsAsync(cache, writer, root));
    }

    [Fact]
    public async Task PathChildrenCacheReportsTheChildrenOnly()
    {
        var root = Server.UniquePath("children");
        await using var writer = await Server.ConnectAsync();
        await using var client = await Server.ConnectAsync();
        await writer.CreateAsync(root, [], cancellationToken: Ct);
        await writer.CreateAsync(root + "/a", Bytes("1"), cancellationToken: Ct);
        await using var cache = new PathChildrenCache(client, root);
        var events = Record(cache);
        await cache.StartAsync(Ct);
        Assert.Equal((CacheEventType.NodeAdded, root + "/a"), Summary(await events.NextAsync()));
        Assert.Equal(CacheEventType.Initialized, (await events.NextAsync()).Type);

        await writer.CreateAsync(root + "/a/grandchild", [], cancellationToken: Ct);
        await writer.SetDataAsync(root, Bytes("parent"), cancellationToken: Ct);
        await writer.CreateAsync(root + "/b", Bytes("b"), cancellationToken: Ct);
        Assert.Equal((CacheEventType.NodeAdded, root + "/b"), Summary(await events.NextAsync()));
        await writer.SetDataAsync(root + "/a", Bytes("2"), cancellationToken: Ct);
        Assert.Equal((CacheEventType.NodeUpdated, root + "/a"), Summary(await events.NextAsync()));
        await writer.DeleteAsync(root + "/b", cancellationToken: Ct);
        Assert.Equal((CacheEventType.NodeRemoved, root + "/b"), Summary(await events.NextAsync()));
        Assert.Equal([root + "/a"], cache.Current.Keys);
        Assert.Null(cache.Get(root));
        Assert.Equal("2", Text(cache.Get(root + "/a")!.Data));
    }

    [Fact]
    public async Task NodeCacheFollowsOneNode()
    {
        var path = Server.UniquePath("node");
        await using var writer = await Server.ConnectAsync();
        await using var client = await Server.ConnectAsync();
        await using var cache = new NodeCache(client, path);
        var events = Record(cache);
        await cache.StartAsync(Ct);
        Assert.Equal(CacheEventType.Initialized, (await events.NextAsync()).Type);
        Assert.Null(cache.Data);

        await writer.CreateAsync(path, Bytes("1"), cancellationToken: Ct);
        Assert.Equal((CacheEventType.NodeAdded, path), Summary(await events.NextAsync()));
        await writer.CreateAsync(path + "/child", [], cancellationToken: Ct);
        await writer.SetDataAsync(path, Bytes("2"), cancellationToken: Ct);
        Assert.Equal((CacheEventType.NodeUpdated, path), Summary(await events.NextAsync()));
        Assert.Equal("2", Text(cache.Data!.Data));
        await writer.DeleteAsync(path, new DeleteOptions { DeleteChildren = true }, Ct);
        Assert.Equal((CacheEventType.NodeRemoved, path), Summary(await events.NextAsync()));
        Assert.Null(cache.Data);
    }

    [Fact]
    public async Task ASingleNodePersistentCacheIgnoresDescendants()
    {
        var path = Server.UniquePath("single");
        await using var writer = await Server.ConnectAsync();
        await using var client = await Server.ConnectAsync();
        await writer.CreateAsync(path, Bytes("1"), cancellationToken: Ct);
        await using var cache = new PersistentWatchCache(client, path, singleNode: true, cacheData: false);
        var events = Record(cache);
        await cache.StartAsync(Ct);
        Assert.Equal((CacheEventType.NodeAdded, path), Summary(await events.NextAsync()));
        Assert.Equal(CacheEventType.Initialized, (await events.NextAsync()).Type);
        await writer.CreateAsync(path + "/child", [], cancellationToken: Ct);
        await writer.SetDataAsync(path, Bytes("2"), cancellationToken: Ct);
        var updated = await events.NextAsync();
        Assert.Equal((CacheEventType.NodeUpdated, path), Summary(updated));
        Assert.Null(updated.Data!.Data);
        Assert.Equal([path], cache.Current.Keys);
    }

    private static ZNodeCache Create(string kind, ZooKeeperClient client, string root) => kind switch
    {
        "tree" => new TreeCache(client, root),
        _ => new PersistentWatchCache(client, root),
    };

    private static IReadOnlyDictionary<string, ChildData> Current(ZNodeCache cache) => cache switch
    {
        TreeCache tree => tree.Current,
        PersistentWatchCache persistent => persistent.Current,
        _ => throw new ArgumentException("Unknown cache."),
    };

    private static Recorder<CacheEvent> Record(ZNodeCache cache)
    {
        var recorder = new Recorder<CacheEvent>();
        cache.Changed += (_, e) => recorder.Add(e);
        return recorder;
    }

    private static (CacheEventType, string?) Summary(CacheEvent e) => (e.Type, e.Data?.Path);

    /// <summary>Compares the cache with the server's subtree: the same paths, data and versions.</summary>
    private static async Task AssertMirrorsAsync(ZNodeCache cache, ZooKeeperClient client, string root)
    {
        var actual = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        async Task ReadAsync(string path)
        {
            try
            {
                var node = await client.GetDataAsync(path, Ct);
                actual[path] = (Text(node.Data), node.Stat.Version);
                foreach (var child in await client.GetChildrenAsync(path, Ct))
                {
                    await ReadAsync(path + "/" + child);
                }
            }
            catch (NoNodeException)
            {
            }
        }

        await ReadAsync(root);
        var cached = Current(cache).ToDictionary(p => p.Key, p => (Text(p.Value.Data), p.Value.Stat.Version), StringComparer.Ordinal);
        Assert.Equal(actual.OrderBy(p => p.Key, StringComparer.Ordinal), cached.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
