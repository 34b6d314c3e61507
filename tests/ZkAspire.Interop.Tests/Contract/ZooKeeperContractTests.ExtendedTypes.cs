// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;
using static ZkAspire.Interop.Tests.Contract.ContractOps;

namespace ZkAspire.Interop.Tests.Contract;

/// <summary>
/// Containers and TTL nodes (§9). TTL needs <c>zookeeper.extendedTypesEnabled</c>; the reaping
/// scenarios run on a server whose reaper runs every 100 ms, and each waits for the deletions
/// it causes (a NodeDeleted notification), so no reaping spills into another scenario.
/// </summary>
public abstract partial class ZooKeeperContractTests<TFixture>
{
    private const long MaxTtl = (1L << 40) - 1;

    [Fact]
    public async Task TtlNodesAreUnimplementedWithoutExtendedTypes()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var baseline = await LastZxidAsync(zk);

        // −6 as an error transaction; a bad flag is still −8 (the flag is checked first), and a
        // bad TTL is −6 (the TTL value is checked after).
        Assert.Equal(baseline + 1, (await zk.CreateTtlAsync(root + "/t", 1000)).AssertError(KeeperErrorCode.Unimplemented).Zxid);
        (await zk.CreateTtlAsync(root + "/t", 1000, CreateMode.PersistentSequentialWithTtl)).AssertError(KeeperErrorCode.Unimplemented);
        (await zk.CreateTtlAsync(root + "/t", 0)).AssertError(KeeperErrorCode.Unimplemented);
        (await zk.CreateTtlAsync(root + "/t", 1000, CreateMode.Ephemeral)).AssertError(KeeperErrorCode.BadArguments);
        (await zk.CreateTtlAsync(root + "/t", 1000, CreateMode.Persistent)).AssertError(KeeperErrorCode.BadArguments);

        var multi = (await zk.MultiAsync(Create(root + "/a"), new MultiOp(OpCode.CreateTTL, new CreateTTLRequest(root + "/t", [], Acls.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl, 1000)))).AssertOk();
        Assert.Equal([KeeperErrorCode.Ok, KeeperErrorCode.Unimplemented], multi.Read<MultiResponse>().Results.Select(r => r.Err));
        (await zk.ExistsAsync(root + "/t")).AssertError(KeeperErrorCode.NoNode);
    }

    [Fact]
    public async Task TtlRules()
    {
        var zk = await ConnectAsync(ContractServerOptions.ExtendedTypes);
        var root = await NewRootAsync(zk);

        // 1 ≤ ttl ≤ 2^40−1, flags 5 or 6 only, and only through createTTL.
        foreach (var ttl in new[] { 0L, -1L, MaxTtl + 1, long.MaxValue, long.MinValue })
        {
            (await zk.CreateTtlAsync(root + "/t", ttl)).AssertError(KeeperErrorCode.BadArguments);
        }

        foreach (var mode in new[] { CreateMode.Persistent, CreateMode.Ephemeral, CreateMode.PersistentSequential, CreateMode.EphemeralSequential, CreateMode.Container, (CreateMode)7 })
        {
            (await zk.CreateTtlAsync(root + "/t", 1000, mode)).AssertError(KeeperErrorCode.BadArguments);
        }

        foreach (var op in new[] { OpCode.Create, OpCode.Create2 })
        {
            (await zk.CreateAsync(root + "/t", mode: CreateMode.PersistentWithTtl, op: op)).AssertError(KeeperErrorCode.BadArguments);
            (await zk.CreateAsync(root + "/t", mode: CreateMode.PersistentSequentialWithTtl, op: op)).AssertError(KeeperErrorCode.BadArguments);
        }

        // A TTL node replies with create2's record and shows ephemeralOwner 0; it may have children.
        var created = (await zk.CreateTtlAsync(root + "/t", MaxTtl, data: [7])).AssertOk();
        var response = created.Read<Create2Response>();
        Assert.Equal(root + "/t", response.Path);
        Assert.Equal(new Stat(created.Zxid, created.Zxid, response.Stat.Ctime, response.Stat.Ctime, 0, 0, 0, 0, 1, 0, created.Zxid), response.Stat);
        (await zk.CreateAsync(root + "/t/child")).AssertOk();

        var sequential = (await zk.CreateTtlAsync(root + "/s-", 5000, CreateMode.PersistentSequentialWithTtl)).AssertOk();
        Assert.Equal(root + "/s-0000000001", sequential.Read<Create2Response>().Path);

        // Inside a multi a TTL create reports as create2.
        var multi = (await zk.MultiAsync(new MultiOp(OpCode.CreateTTL, new CreateTTLRequest(root + "/m", [], Acls.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl, MaxTtl)))).AssertOk();
        var result = Assert.Single(multi.Read<MultiResponse>().Results);
        Assert.Equal(OpCode.Create2, result.Type);
        Assert.Equal(0, Assert.IsType<Create2Response>(result.Record).Stat.EphemeralOwner);

        (await zk.DeleteAsync(root + "/t/child")).AssertOk();
        foreach (var node in new[] { "/t", "/s-0000000001", "/m" })
        {
            (await zk.DeleteAsync(root + node)).AssertOk();
        }
    }

    [Fact]
    public async Task TtlNodesExpireWhenChildlessAndUnmodified()
    {
        var zk = await ConnectAsync(ContractServerOptions.ExtendedTypes);
        var root = await NewRootAsync(zk);

        // The parent outlives its TTL while it has a child. The sibling is created last with the
        // same TTL, so by the time it is reaped the parent's TTL has run out as well.
        (await zk.CreateTtlAsync(root + "/parent", 200)).AssertOk();
        (await zk.CreateAsync(root + "/parent/child")).AssertOk();
        (await zk.CreateTtlAsync(root + "/sibling", 200)).AssertOk();
        (await zk.ExistsAsync(root + "/sibling", watch: true)).AssertOk();
        (await zk.ExistsAsync(root + "/parent", watch: true)).AssertOk();

        var (frame, expired) = await zk.ReceiveNotificationAsync();
        Assert.Equal(new WatcherEvent(EventType.NodeDeleted, KeeperState.SyncConnected, root + "/sibling"), expired);

        // The reaper's delete is the last txn: 3.9 names its zxid in the notification, 3.8 −1.
        var parent = (await zk.ExistsAsync(root + "/parent")).AssertOk();
        Assert.Equal(Traits.NotificationsCarryTheTxnZxid ? parent.Zxid : -1, frame.Zxid);

        (await zk.DeleteAsync(root + "/parent/child")).AssertOk();
        (_, expired) = await zk.ReceiveNotificationAsync();
        Assert.Equal(new WatcherEvent(EventType.NodeDeleted, KeeperState.SyncConnected, root + "/parent"), expired);
    }

    [Fact]
    public async Task ContainersReplyWithStatAndMayHaveChildren()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var created = (await zk.CreateAsync(root + "/c", [1, 2], mode: CreateMode.Container, op: OpCode.CreateContainer)).AssertOk();
        var response = created.Read<Create2Response>();
        Assert.Equal(root + "/c", response.Path);
        Assert.Equal(new Stat(created.Zxid, created.Zxid, response.Stat.Ctime, response.Stat.Ctime, 0, 0, 0, 0, 2, 0, created.Zxid), response.Stat);

        // Children may be created, ephemeral ones included. (This scenario runs on the default
        // server, whose reaper runs once a minute: the container keeps a child until it is
        // deleted explicitly, so the reaper never sees it empty.)
        (await zk.CreateAsync(root + "/c/e", mode: CreateMode.Ephemeral)).AssertOk();
        (await zk.CreateAsync(root + "/c/p")).AssertOk();
        Assert.Equal(0, (await zk.ExistsAsync(root + "/c")).ExistsStat().EphemeralOwner);
        (await zk.DeleteAsync(root + "/c")).AssertError(KeeperErrorCode.NotEmpty);
        (await zk.MultiAsync(Delete(root + "/c/e"), Delete(root + "/c/p"), Delete(root + "/c"))).AssertOk();
    }

    [Fact]
    public async Task ContainersAreReapedAfterTheirLastChildGoes()
    {
        var zk = await ConnectAsync(ContractServerOptions.ExtendedTypes);
        var root = await NewRootAsync(zk);

        // A container that never had a child is kept; one whose last child went is deleted.
        (await zk.CreateAsync(root + "/never", mode: CreateMode.Container, op: OpCode.CreateContainer)).AssertOk();
        (await zk.CreateAsync(root + "/used", mode: CreateMode.Container, op: OpCode.CreateContainer)).AssertOk();
        (await zk.CreateAsync(root + "/used/child")).AssertOk();
        (await zk.GetChildrenAsync(root, watch: true)).AssertOk();
        (await zk.ExistsAsync(root + "/used", watch: true)).AssertOk();
        (await zk.DeleteAsync(root + "/used/child")).AssertOk();

        var first = await zk.ReceiveNotificationAsync();
        var second = await zk.ReceiveNotificationAsync();
        Assert.Equal(
            [(EventType.NodeDeleted, root + "/used"), (EventType.NodeChildrenChanged, root)],
            new[] { first.Event, second.Event }.Select(e => (e.Type, e.Path)));
        Assert.Equal(["never"], (await zk.GetChildrenAsync(root)).SortedChildren());
        (await zk.DeleteAsync(root + "/never")).AssertOk();
    }

    [Fact]
    public async Task ClientsCannotSendTheReapersDeleteContainer()
    {
        // deleteContainer (20) is the reaper's internal op, with no ACL check: a client must not
        // be able to delete a container with it. 3.8.0 takes a client's anyway, reads the whole
        // request buffer as the path and fails with BadArguments, keeping the connection; a
        // server may as well refuse the opcode like an unknown one (−6 with zxid −1, then close).
        // Either way the container lives.
        var owner = await ConnectAsync();
        var root = await NewRootAsync(owner);
        (await owner.CreateAsync(root + "/c", mode: CreateMode.Container, op: OpCode.CreateContainer)).AssertOk();

        var zk = await ConnectAsync();
        var reply = await zk.CallAsync(OpCode.DeleteContainer, new DeleteContainerRequest(root + "/c"), Ct);
        Assert.Empty(reply.Reply.Body);
        if (reply.Error == KeeperErrorCode.Unimplemented)
        {
            Assert.Equal(-1, reply.Zxid);
            Assert.Empty(await zk.ReceiveUntilClosedAsync(Ct));
        }
        else
        {
            Assert.Equal(KeeperErrorCode.BadArguments, reply.Error);
        }

        (await owner.ExistsAsync(root + "/c")).AssertOk();
        (await owner.DeleteAsync(root + "/c")).AssertOk();
    }
}
