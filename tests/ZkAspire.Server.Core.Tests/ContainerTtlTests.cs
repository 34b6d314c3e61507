// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>Container and TTL nodes and their reaping (wire-protocol doc §9, §23.9–10).</summary>
public sealed class ContainerTtlTests
{
    private const int CheckIntervalMs = 1000;

    private readonly TestServer _server = new(new ReplicaOptions { TickTimeMs = 2000, ExtendedTypesEnabled = true, ContainerCheckIntervalMs = CheckIntervalMs });
    private readonly TestClient _client;

    public ContainerTtlTests() => _client = _server.Connect();

    [Fact]
    public void CreateContainerAnswersWithAStatShowingNoOwner_Section23_10()
    {
        var created = _client.Ok<Create2Response>(OpCode.CreateContainer, new CreateRequest("/c", [1], Acls.OpenAclUnsafe, (int)CreateMode.Container));
        Assert.Equal("/c", created.Path);
        Assert.Equal(0, created.Stat.EphemeralOwner);
        Assert.Equal(["/c"], _server.Replica.Tree.Containers);
    }

    [Fact]
    public void TheOpcodeNotTheFlagDecidesContainers_Section9()
    {
        _client.Create("/plain", mode: CreateMode.Container);
        Assert.Empty(_server.Replica.Tree.Containers);

        var seq = _client.Ok<Create2Response>(OpCode.CreateContainer, new CreateRequest("/seq-", null, Acls.OpenAclUnsafe, (int)CreateMode.EphemeralSequential));
        Assert.Equal("/seq-0000000001", seq.Path);
        Assert.Equal(0, seq.Stat.EphemeralOwner);
        Assert.Equal(["/seq-0000000001"], _server.Replica.Tree.Containers);
    }

    [Fact]
    public void ContainerIsReapedAtTheFirstCheckAfterItsLastChildGoes_Section9()
    {
        CreateContainer("/c");
        _client.Create("/c/child");
        var watcher = _server.Connect();
        watcher.Ok<ExistsResponse>(OpCode.Exists, new ExistsRequest("/c", true));
        watcher.Children("/", watch: true);

        // Containers with children stay.
        _server.Advance(CheckIntervalMs);
        Assert.NotNull(_server.Replica.Tree.GetNode("/c"));

        _client.Delete("/c/child");
        var zxid = _server.Replica.LastProcessedZxid;
        _server.Advance(CheckIntervalMs - 1);
        Assert.NotNull(_server.Replica.Tree.GetNode("/c"));

        _server.Advance(1);
        Assert.Null(_server.Replica.Tree.GetNode("/c"));
        Assert.Equal(zxid + 1, _server.Replica.LastProcessedZxid);
        var events = new[] { watcher.NextEvent(), watcher.NextEvent() };
        Assert.Contains(new WatcherEvent(EventType.NodeDeleted, KeeperState.SyncConnected, "/c"), events);
        Assert.Contains(new WatcherEvent(EventType.NodeChildrenChanged, KeeperState.SyncConnected, "/"), events);
    }

    [Fact]
    public void ContainerThatNeverHadAChildStays_Section9()
    {
        CreateContainer("/c");
        _server.Advance(CheckIntervalMs * 5);
        Assert.NotNull(_server.Replica.Tree.GetNode("/c"));
    }

    [Fact]
    public void ContainersSurviveTheirCreatorsSession()
    {
        var other = _server.Connect(4000);
        other.Ok<Create2Response>(OpCode.CreateContainer, new CreateRequest("/c", null, Acls.OpenAclUnsafe, (int)CreateMode.Ephemeral));
        other.Create("/c/x");
        _server.Advance(6000);
        Assert.NotNull(_server.Replica.Tree.GetNode("/c/x"));
    }

    [Fact]
    public void TtlNodesNeedExtendedTypes_Section9()
    {
        var server = new TestServer();
        var client = server.Connect();
        client.Fails(KeeperErrorCode.Unimplemented, OpCode.CreateTTL, new CreateTTLRequest("/t", null, Acls.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl, 1000));
        client.Fails(KeeperErrorCode.Unimplemented, OpCode.Create, new CreateRequest("/t", null, Acls.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl));

        // Only a TTL flag is Unimplemented: a non-TTL flag with a ttl is BadArguments, as in
        // ZooKeeper. Deliberate: ZooKeeper lets createTTL with a plain flag and a negative TTL
        // reach its data tree, which then fails (Apache ZooKeeper 3.8 stops serving); we refuse it.
        client.Fails(KeeperErrorCode.BadArguments, OpCode.CreateTTL, new CreateTTLRequest("/t", null, Acls.OpenAclUnsafe, 0, 1000));
        client.Fails(KeeperErrorCode.BadArguments, OpCode.CreateTTL, new CreateTTLRequest("/t", null, Acls.OpenAclUnsafe, 0, -1));
    }

    [Theory]
    [InlineData((int)CreateMode.PersistentWithTtl, 0L)]
    [InlineData((int)CreateMode.PersistentWithTtl, -5L)]
    [InlineData((int)CreateMode.PersistentWithTtl, 1L << 40)]
    [InlineData((int)CreateMode.Persistent, 1000L)]
    [InlineData((int)CreateMode.Persistent, 0L)]
    [InlineData((int)CreateMode.Persistent, -1L)]
    [InlineData((int)CreateMode.Ephemeral, 1000L)]
    public void TtlOutOfRangeOrOnANonTtlModeIsBadArguments_Section9(int flags, long ttl) =>
        _client.Fails(KeeperErrorCode.BadArguments, OpCode.CreateTTL, new CreateTTLRequest("/t", null, Acls.OpenAclUnsafe, flags, ttl));

    [Fact]
    public void TtlFlagsThroughPlainCreateAreBadArguments_Section9()
    {
        _client.Fails(KeeperErrorCode.BadArguments, OpCode.Create, new CreateRequest("/t", null, Acls.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl));
        _client.Fails(KeeperErrorCode.BadArguments, OpCode.Create2, new CreateRequest("/t", null, Acls.OpenAclUnsafe, (int)CreateMode.PersistentSequentialWithTtl));
    }

    [Fact]
    public void TtlNodeAnswersWithAStatAndTakesSequentialNames_Section9()
    {
        var created = CreateTtl("/t-", 1000, CreateMode.PersistentSequentialWithTtl);
        Assert.Equal("/t-0000000000", created.Path);
        Assert.Equal(0, created.Stat.EphemeralOwner);
        CreateTtl("/max", (1L << 40) - 1);
    }

    [Fact]
    public void TtlNodeIsReapedOnceUnmodifiedForLongerThanItsTtl_Section9()
    {
        CreateTtl("/t", 2500);
        _server.Advance(CheckIntervalMs * 2);
        Assert.NotNull(_server.Replica.Tree.GetNode("/t"));

        // setData renews it: the clock runs from mtime.
        _client.SetData("/t", [1]);
        _server.Advance(CheckIntervalMs * 2);
        Assert.NotNull(_server.Replica.Tree.GetNode("/t"));

        _server.Advance(CheckIntervalMs);
        Assert.Null(_server.Replica.Tree.GetNode("/t"));
    }

    [Fact]
    public void TtlNodeWithChildrenStays_Section9()
    {
        CreateTtl("/t", 500);
        _client.Create("/t/child");
        _server.Advance(CheckIntervalMs * 3);
        Assert.NotNull(_server.Replica.Tree.GetNode("/t"));

        _client.Delete("/t/child");
        _server.Advance(CheckIntervalMs);
        Assert.Null(_server.Replica.Tree.GetNode("/t"));
    }

    [Fact]
    public void ReapingRunsOncePerIntervalWhenTicksFallBehind()
    {
        CreateContainer("/a");
        _client.Create("/a/b");
        _client.Delete("/a/b");
        var before = _server.Replica.LastProcessedZxid;
        _server.Advance(CheckIntervalMs * 10);
        Assert.Equal(before + 1, _server.Replica.LastProcessedZxid);
    }

    private void CreateContainer(string path) =>
        _client.Ok<Create2Response>(OpCode.CreateContainer, new CreateRequest(path, null, Acls.OpenAclUnsafe, (int)CreateMode.Container));

    private Create2Response CreateTtl(string path, long ttl, CreateMode mode = CreateMode.PersistentWithTtl) =>
        _client.Ok<Create2Response>(OpCode.CreateTTL, new CreateTTLRequest(path, null, Acls.OpenAclUnsafe, (int)mode, ttl));
}
