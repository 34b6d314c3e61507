// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Client.Tests.Infrastructure;
using ZkAspire.Protocol;
using static ZkAspire.Client.Tests.Infrastructure.TestHelpers;

namespace ZkAspire.Client.Tests.Scenarios;

/// <summary>Every basic operation, and its errors as typed exceptions.</summary>
/// <typeparam name="TFixture">The server under test.</typeparam>
public abstract class OperationTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ZooKeeperServerFixture
{
    protected TFixture Server { get; } = server;

    [Fact]
    public async Task CreateGetSetDeleteRoundTrip()
    {
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();

        Assert.Equal(path, await client.CreateAsync(path, Bytes("one"), cancellationToken: Ct));
        var read = await client.GetDataAsync(path, Ct);
        Assert.Equal("one", Text(read.Data));
        Assert.Equal(0, read.Stat.Version);
        Assert.Equal(3, read.Stat.DataLength);
        Assert.Equal(read.Stat.Czxid, read.Stat.Mzxid);

        var stat = await client.SetDataAsync(path, Bytes("two"), 0, Ct);
        Assert.Equal(1, stat.Version);
        Assert.True(stat.Mzxid > read.Stat.Mzxid);
        Assert.Equal("two", Text((await client.GetDataAsync(path, Ct)).Data));

        await client.DeleteAsync(path, 1, Ct);
        Assert.Null(await client.ExistsAsync(path, Ct));
    }

    [Fact]
    public async Task ExistsReturnsTheStatOrNull()
    {
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();
        Assert.Null(await client.ExistsAsync(path, Ct));
        var created = await client.CreateWithStatAsync(path, Bytes("x"), cancellationToken: Ct);
        var stat = await client.ExistsAsync(path, Ct);
        Assert.Equal(created.Stat, stat);
    }

    [Fact]
    public async Task CreateWithStatReturnsTheNewNodesStat()
    {
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();
        var result = await client.CreateWithStatAsync(path, Bytes("abc"), cancellationToken: Ct);
        Assert.Equal(path, result.Path);
        Assert.Equal(3, result.Stat.DataLength);
        Assert.Equal(0, result.Stat.Version);
        Assert.Equal(0, result.Stat.NumChildren);
        Assert.Equal(result.Stat.Czxid, result.Stat.Pzxid);
        Assert.True(result.Stat.Czxid > 0);
    }

    [Fact]
    public async Task NullDataAndEmptyDataAreDistinct()
    {
        await using var client = await Server.ConnectAsync();
        var nullPath = await client.CreateAsync(Server.UniquePath(), (byte[]?)null, cancellationToken: Ct);
        var emptyPath = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var nullData = await client.GetDataAsync(nullPath, Ct);
        var emptyData = await client.GetDataAsync(emptyPath, Ct);
        Assert.Null(nullData.Data);
        Assert.NotNull(emptyData.Data);
        Assert.Empty(emptyData.Data);
        Assert.Equal(0, nullData.Stat.DataLength);
    }

    [Fact]
    public async Task CreateWithoutDataStoresTheDefaultData()
    {
        await using var client = await Server.ConnectAsync();
        var local = await client.CreateAsync(Server.UniquePath(), cancellationToken: Ct);
        Assert.Equal(new ZooKeeperClientOptions().DefaultData, (await client.GetDataAsync(local, Ct)).Data);

        await using var custom = await Server.ConnectAsync(o => o.DefaultData = Bytes("custom"));
        var customPath = await custom.CreateAsync(Server.UniquePath(), cancellationToken: Ct);
        Assert.Equal("custom", Text((await custom.GetDataAsync(customPath, Ct)).Data));

        await using var none = await Server.ConnectAsync(o => o.DefaultData = null);
        var nullPath = await none.CreateAsync(Server.UniquePath(), cancellationToken: Ct);
        Assert.Null((await none.GetDataAsync(nullPath, Ct)).Data);
    }

    [Fact]
    public async Task SequentialCreatesReturnTheActualPath()
    {
        await using var client = await Server.ConnectAsync();
        var parent = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var first = await client.CreateAsync(parent + "/item-", [], CreateOptions.PersistentSequential, Ct);
        var second = await client.CreateAsync(parent + "/item-", [], CreateOptions.EphemeralSequential, Ct);
        Assert.Equal(parent + "/item-0000000000", first);
        Assert.Equal(parent + "/item-0000000001", second);

        // A sequential prefix may end with '/'.
        var bare = await client.CreateAsync(parent + "/", [], CreateOptions.PersistentSequential, Ct);
        Assert.Equal(parent + "/0000000002", bare);
    }

    [Fact]
    public async Task EphemeralNodesBelongToTheSessionAndGoWithIt()
    {
        var path = Server.UniquePath();
        long owner;
        await using (var client = await Server.ConnectAsync())
        {
            await client.CreateAsync(path, [], CreateOptions.Ephemeral, Ct);
            var stat = await client.ExistsAsync(path, Ct);
            owner = client.SessionId;
            Assert.Equal(owner, stat!.Value.EphemeralOwner);
            Assert.Equal([path], await client.GetEphemeralsAsync(cancellationToken: Ct));
            await Assert.ThrowsAsync<NoChildrenForEphemeralsException>(() => client.CreateAsync(path + "/child", [], cancellationToken: Ct));
        }

        await using var other = await Server.ConnectAsync();
        Assert.Null(await other.ExistsAsync(path, Ct));
    }

    [Fact]
    public async Task ContainersAreCreatedWithTheContainerOpcode()
    {
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();
        var result = await client.CreateWithStatAsync(path, [], CreateOptions.Container, Ct);
        Assert.Equal(path, result.Path);

        // Containers show ephemeralOwner 0 and may have children.
        Assert.Equal(0, result.Stat.EphemeralOwner);
        await client.CreateAsync(path + "/child", [], cancellationToken: Ct);
        Assert.Equal(1, (await client.ExistsAsync(path, Ct))!.Value.NumChildren);
    }

    [Fact]
    public async Task TtlNodesNeedTheServerToEnableThem()
    {
        await using var client = await Server.ConnectAsync();
        var options = new CreateOptions { Mode = CreateMode.PersistentWithTtl, Ttl = TimeSpan.FromMinutes(5) };
        if (Server.TtlEnabled)
        {
            var path = Server.UniquePath();
            var result = await client.CreateWithStatAsync(path, Bytes("ttl"), options, Ct);
            Assert.Equal(path, result.Path);
            Assert.Equal(0, result.Stat.EphemeralOwner);
            var sequential = await client.CreateAsync(path + "/s-", [], options with { Mode = CreateMode.PersistentSequentialWithTtl }, Ct);
            Assert.Equal(path + "/s-0000000000", sequential);
        }
        else
        {
            await Assert.ThrowsAsync<UnimplementedException>(() => client.CreateAsync(Server.UniquePath(), [], options, Ct));
        }
    }

    [Fact]
    public async Task TtlArgumentsAreCheckedBeforeSending()
    {
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.CreateAsync(path, [], new CreateOptions { Mode = CreateMode.PersistentWithTtl }, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            client.CreateAsync(path, [], new CreateOptions { Mode = CreateMode.PersistentWithTtl, Ttl = ZooKeeperClient.MaxTtl + TimeSpan.FromMilliseconds(1) }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateAsync(path, [], new CreateOptions { Ttl = TimeSpan.FromSeconds(1) }, Ct));
        Assert.Null(await client.ExistsAsync(path, Ct));
    }

    [Fact]
    public async Task WriteErrorsAreTypedExceptions()
    {
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();
        await client.CreateAsync(path, Bytes("x"), cancellationToken: Ct);
        await client.CreateAsync(path + "/child", [], cancellationToken: Ct);

        var exists = await Assert.ThrowsAsync<NodeExistsException>(() => client.CreateAsync(path, [], cancellationToken: Ct));
        Assert.Equal(KeeperErrorCode.NodeExists, exists.Code);
        Assert.Equal(path, exists.Path);
        Assert.Equal("KeeperErrorCode = NodeExists for " + path, exists.Message);

        var noParent = await Assert.ThrowsAsync<NoNodeException>(() => client.CreateAsync(path + "/missing/child", [], cancellationToken: Ct));
        Assert.Equal(path + "/missing/child", noParent.Path);

        await Assert.ThrowsAsync<BadVersionException>(() => client.SetDataAsync(path, [], 7, Ct));
        await Assert.ThrowsAsync<BadVersionException>(() => client.DeleteAsync(path + "/child", 3, Ct));
        var notEmpty = await Assert.ThrowsAsync<NotEmptyException>(() => client.DeleteAsync(path, cancellationToken: Ct));
        Assert.Equal("KeeperErrorCode = Directory not empty for " + path, notEmpty.Message);
        await Assert.ThrowsAsync<NoNodeException>(() => client.DeleteAsync(path + "/none", cancellationToken: Ct));
        await Assert.ThrowsAsync<NoNodeException>(() => client.SetDataAsync(path + "/none", [], cancellationToken: Ct));
        await Assert.ThrowsAsync<BadArgumentsException>(() => client.DeleteAsync("/zookeeper", cancellationToken: Ct));
        await Assert.ThrowsAsync<BadArgumentsException>(() => client.DeleteAsync("/", cancellationToken: Ct));
    }

    [Fact]
    public async Task ReadErrorsAreTypedExceptions()
    {
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();
        await Assert.ThrowsAsync<NoNodeException>(() => client.GetDataAsync(path, Ct));
        await Assert.ThrowsAsync<NoNodeException>(() => client.GetChildrenAsync(path, Ct));
        await Assert.ThrowsAsync<NoNodeException>(() => client.GetChildrenWithStatAsync(path, Ct));
        await Assert.ThrowsAsync<NoNodeException>(() => client.GetAclAsync(path, Ct));
        await Assert.ThrowsAsync<NoNodeException>(() => client.GetAllChildrenNumberAsync(path, Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("relative")]
    [InlineData("/trailing/")]
    [InlineData("/a//b")]
    [InlineData("/a/./b")]
    [InlineData("/a/../b")]
    [InlineData("/nul\0")]
    [InlineData("/\u0001")]
    [InlineData("/\ud83d\ude00")]
    public async Task InvalidPathsAreRejectedBeforeSending(string path)
    {
        await using var client = await Server.ConnectAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.CreateAsync(path, [], cancellationToken: Ct));
        Assert.Equal(PathUtils.Validate(path), error.Message.Split(" (Parameter")[0]);
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetDataAsync(path, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => client.ExistsAsync(path, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => client.DeleteAsync(path, cancellationToken: Ct));
    }

    [Fact]
    public async Task ArgumentsAreChecked()
    {
        await using var client = await Server.ConnectAsync();
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetDataAsync(null!, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.SetAclAsync("/", null!, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.ExistsAsync("/", (Action<WatchedEvent>)null!, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateAsync(Server.UniquePath(), [], new CreateOptions { Acl = [] }, Ct));
        Assert.Throws<ArgumentException>(() => new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = "" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZooKeeperClient(new ZooKeeperClientOptions { SessionTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentException>(() => new ZooKeeperClient(new ZooKeeperClientOptions { Namespace = "bad//ns" }));
    }

    [Fact]
    public async Task GetChildrenListsNamesAndTheParentsStat()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        foreach (var name in new[] { "b", "a", "c" })
        {
            await client.CreateAsync(path + "/" + name, [], cancellationToken: Ct);
        }

        Assert.Equal(["a", "b", "c"], (await client.GetChildrenAsync(path, Ct)).Order(StringComparer.Ordinal));
        var withStat = await client.GetChildrenWithStatAsync(path, Ct);
        Assert.Equal(3, withStat.Stat.NumChildren);
        Assert.Equal(3, withStat.Stat.Cversion);
        Assert.Equal(["a", "b", "c"], withStat.Children.Order(StringComparer.Ordinal));

        await client.CreateAsync(path + "/a/deep", [], cancellationToken: Ct);
        Assert.Equal(4, await client.GetAllChildrenNumberAsync(path, Ct));
    }

    [Fact]
    public async Task GetEphemeralsFiltersByPrefix()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        await client.CreateAsync(path + "/e1", [], CreateOptions.Ephemeral, Ct);
        await client.CreateAsync(path + "/e2", [], CreateOptions.Ephemeral, Ct);
        await client.CreateAsync(path + "/p", [], cancellationToken: Ct);
        Assert.Equal([path + "/e1", path + "/e2"], (await client.GetEphemeralsAsync(path, Ct)).Order(StringComparer.Ordinal));
        Assert.Equal([path + "/e1"], await client.GetEphemeralsAsync(path + "/e1", Ct));
        Assert.Empty(await client.GetEphemeralsAsync(path + "/p", Ct));
    }

    [Fact]
    public async Task SyncWhoAmIAndGetConfigWork()
    {
        await using var client = await Server.ConnectAsync();
        await client.SyncAsync("/", Ct);
        var identities = await client.WhoAmIAsync(Ct);
        Assert.Contains(identities, i => i.AuthScheme == "ip" && i.User == "127.0.0.1");
        var config = await client.GetConfigAsync(Ct);
        Assert.NotNull(config);
    }

    [Fact]
    public async Task RequestsLargerThanJuteMaxBufferFailBeforeSending()
    {
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();
        var error = await Assert.ThrowsAsync<MarshallingErrorException>(() => client.CreateAsync(path, new byte[JuteLimits.DefaultMaxBuffer], cancellationToken: Ct));
        Assert.Contains("jute.maxbuffer", error.Message, StringComparison.Ordinal);

        // The connection was not touched.
        Assert.Null(await client.ExistsAsync(path, Ct));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task RepliesLargerThanTheClientsMaxBufferDropTheConnection()
    {
        await using var writer = await Server.ConnectAsync();
        var path = await writer.CreateAsync(Server.UniquePath(), new byte[8 * 1024], cancellationToken: Ct);

        await using var small = await Server.ConnectAsync(o =>
        {
            o.MaxBufferBytes = 4 * 1024;
            o.RetryPolicy = RetryNTimes.Never;
        });
        var states = small.RecordStates();
        await Assert.ThrowsAsync<ConnectionLossException>(() => small.GetDataAsync(path, Ct));
        await states.WaitForAsync(s => s.State == ConnectionState.Reconnected);

        // Small replies still work on the new connection, in the same session.
        Assert.NotNull(await small.ExistsAsync(path, Ct));
    }

    [Fact]
    public async Task StatFollowsTheServersRules()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), Bytes("data"), cancellationToken: Ct);
        var created = (await client.ExistsAsync(path, Ct))!.Value;
        await client.SetAclAsync(path, Acls.OpenAclUnsafe, 0, Ct);
        var afterAcl = (await client.ExistsAsync(path, Ct))!.Value;
        Assert.Equal(1, afterAcl.Aversion);
        Assert.Equal(created.Mzxid, afterAcl.Mzxid);
        await Assert.ThrowsAsync<BadVersionException>(() => client.SetAclAsync(path, Acls.OpenAclUnsafe, 0, Ct));

        await client.CreateAsync(path + "/c", [], cancellationToken: Ct);
        await client.DeleteAsync(path + "/c", cancellationToken: Ct);
        var afterChildren = (await client.ExistsAsync(path, Ct))!.Value;
        Assert.Equal(2, afterChildren.Cversion);
        Assert.True(afterChildren.Pzxid > created.Pzxid);
        Assert.Equal(created.Version, afterChildren.Version);
        Assert.Equal(4, Encoding.UTF8.GetString((await client.GetDataAsync(path, Ct)).Data!).Length);
    }

    [Fact]
    public async Task LastZxidTracksReplies()
    {
        await using var client = await Server.ConnectAsync();
        var before = client.LastZxid;
        var result = await client.CreateWithStatAsync(Server.UniquePath(), [], cancellationToken: Ct);
        Assert.True(client.LastZxid >= result.Stat.Czxid);
        Assert.True(client.LastZxid > before);
    }
}

public sealed class ApacheOperationTests(ApacheZooKeeperFixture server) : OperationTests<ApacheZooKeeperFixture>(server);

/// <summary>TTL nodes, on a server that enables them.</summary>
/// <typeparam name="TFixture">The server under test.</typeparam>
public abstract class TtlTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ZooKeeperServerFixture
{
    [Fact]
    public async Task TtlNodesAreCreatedWithTheTtlOpcode()
    {
        Assert.True(server.TtlEnabled);
        await using var client = await server.ConnectAsync();
        var options = new CreateOptions { Mode = CreateMode.PersistentWithTtl, Ttl = TimeSpan.FromMinutes(5) };
        var path = server.UniquePath();
        var result = await client.CreateWithStatAsync(path, Bytes("ttl"), options, Ct);
        Assert.Equal(path, result.Path);
        Assert.Equal(0, result.Stat.EphemeralOwner);
        var sequential = await client.CreateAsync(path + "/s-", [], options with { Mode = CreateMode.PersistentSequentialWithTtl }, Ct);
        Assert.Equal(path + "/s-0000000000", sequential);
        var inMulti = await client.Transaction().Create(path + "/m", [], options).CommitAsync(Ct);
        Assert.Equal(path + "/m", Assert.IsType<CreateResult>(Assert.Single(inMulti)).Path);
    }
}

public sealed class ApacheTtlTests(ApacheZooKeeperWithTtlFixture server) : TtlTests<ApacheZooKeeperWithTtlFixture>(server);
