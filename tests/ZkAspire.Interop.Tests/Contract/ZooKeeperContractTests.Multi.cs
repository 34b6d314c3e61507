// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using static ZkAspire.Interop.Tests.Contract.ContractOps;

namespace ZkAspire.Interop.Tests.Contract;

/// <summary>Zxid accounting, multi and multiRead, and requests ZooKeeper refuses (§5, §6, §14, gotchas 5, 11, 12).</summary>
public abstract partial class ZooKeeperContractTests<TFixture>
{
    [Fact]
    public async Task FailedWritesConsumeAZxidAndReadsDoNot()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var baseline = await LastZxidAsync(zk);

        // Reads: every reply carries the last zxid, and none moves it.
        Assert.Equal(baseline, (await zk.GetDataAsync(root)).Zxid);
        Assert.Equal(baseline, (await zk.GetChildren2Async(root)).Zxid);
        Assert.Equal(baseline, (await zk.GetAclAsync(root)).Zxid);
        Assert.Equal(baseline, (await zk.ExistsAsync(root + "/missing")).AssertError(KeeperErrorCode.NoNode).Zxid);
        Assert.Equal(baseline, (await zk.GetDataAsync(root + "/missing")).AssertError(KeeperErrorCode.NoNode).Zxid);
        Assert.Equal(baseline, (await zk.SyncAsync(root)).AssertOk().Zxid);
        Assert.Equal(baseline, (await zk.GetAllChildrenNumberAsync(root)).Zxid);
        Assert.Equal(baseline, (await zk.MultiReadAsync(GetData(root), GetData(root + "/missing"))).Zxid);

        // Failed writes: each is an error transaction with its own zxid (§11).
        Assert.Equal(baseline + 1, (await zk.CreateAsync(root)).AssertError(KeeperErrorCode.NodeExists).Zxid);
        Assert.Equal(baseline + 2, (await zk.DeleteAsync(root + "/missing")).AssertError(KeeperErrorCode.NoNode).Zxid);
        Assert.Equal(baseline + 3, (await zk.SetDataAsync(root, [], version: 42)).AssertError(KeeperErrorCode.BadVersion).Zxid);
        Assert.Equal(baseline + 4, (await zk.SetAclAsync(root, [])).AssertError(KeeperErrorCode.InvalidACL).Zxid);
        Assert.Equal(baseline + 5, (await zk.CreateAsync(root + "/a", mode: (CreateMode)9)).AssertError(KeeperErrorCode.BadArguments).Zxid);
        Assert.Equal(baseline + 6, (await zk.MultiAsync(Create(root + "/b"), Check(root, 42))).AssertOk().Zxid);
        Assert.Equal(baseline + 6, await LastZxidAsync(zk));

        // And the next successful write comes after them.
        Assert.Equal(baseline + 7, (await zk.CreateAsync(root + "/c")).AssertOk().Zxid);
    }

    [Fact]
    public async Task MultiSuccessResultShapes()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.CreateAsync(root + "/old")).AssertOk();
        (await zk.CreateAsync(root + "/data", [0])).AssertOk();

        var before = Now();
        var multi = await zk.MultiAsync(
            Create(root + "/a", [1]),
            Create(root + "/a/b", mode: CreateMode.Container, op: OpCode.CreateContainer),
            Create(root + "/s-", mode: CreateMode.PersistentSequential),
            Create(root + "/s-", mode: CreateMode.EphemeralSequential),
            SetData(root + "/data", [1, 2], version: 0),
            Check(root + "/data", 1),
            Delete(root + "/old", version: 0));
        var after = Now();

        // One transaction: one zxid, one timestamp; header err 0.
        multi.AssertOk();
        var zxid = multi.Zxid;
        var results = multi.Read<MultiResponse>().Results;
        Assert.Equal(
            [OpCode.Create, OpCode.Create2, OpCode.Create, OpCode.Create, OpCode.SetData, OpCode.Check, OpCode.Delete],
            results.Select(r => r.Type));
        Assert.All(results, r => Assert.Equal(KeeperErrorCode.Ok, r.Err));

        Assert.Equal(new CreateResponse(root + "/a"), results[0].Record);

        // The second op sees the first (the multi's virtual view, §14.3). A container reports
        // as create2, with its Stat (ephemeralOwner 0, §9).
        var ab = Assert.IsType<Create2Response>(results[1].Record);
        Assert.Equal(root + "/a/b", ab.Path);
        AssertTime(ab.Stat.Ctime, before, after);
        Assert.Equal(new Stat(zxid, zxid, ab.Stat.Ctime, ab.Stat.Ctime, 0, 0, 0, 0, 0, 0, zxid), ab.Stat);

        // Sequential suffixes advance within the multi: /old and /data were children 0 and 1, /a 2.
        Assert.Equal(new CreateResponse(root + "/s-0000000003"), results[2].Record);
        Assert.Equal(new CreateResponse(root + "/s-0000000004"), results[3].Record);

        var set = Assert.IsType<SetDataResponse>(results[4].Record).Stat;
        Assert.Equal((1, 2, zxid, ab.Stat.Ctime), (set.Version, set.DataLength, set.Mzxid, set.Mtime));
        Assert.Null(results[5].Record);
        Assert.Null(results[6].Record);

        // The parent saw four creates and a delete in one zxid; all nodes share ctime and czxid.
        var parent = (await zk.GetChildren2Async(root)).AssertOk().Read<GetChildren2Response>();
        Assert.Equal(["a", "data", "s-0000000003", "s-0000000004"], parent.Children!.Order(StringComparer.Ordinal));
        Assert.Equal((4, 6, zxid), (parent.Stat.NumChildren, parent.Stat.Cversion, parent.Stat.Pzxid));
        var ephemeral = (await zk.ExistsAsync(root + "/s-0000000004")).ExistsStat();
        Assert.Equal((zxid, ab.Stat.Ctime, zk.SessionId), (ephemeral.Czxid, ephemeral.Ctime, ephemeral.EphemeralOwner));
    }

    [Fact]
    public async Task MultiCreateResultTypesFollowTheFlagsAndTheOpType()
    {
        // Inside a multi, ZooKeeper rebuilds every create op while decoding (Op.create); at top
        // level the opcode alone decides (§9). The container flag makes a container and answers
        // as create2 in every version. 3.8.0 looks at the flags only: a create2 op answers as
        // create (path only) and a createContainer op with plain flags makes a plain node.
        // 3.8.2+ and 3.9 keep the op's type (ZOOKEEPER-4026): create2 answers with its Stat and
        // createContainer makes a container whatever the flags. A createTTL op with a non-TTL
        // flag makes a plain node in both. The reaper of this server runs every 100 ms.
        var zk = await ConnectAsync(ContractServerOptions.ExtendedTypes);
        var root = await NewRootAsync(zk);
        var multi = (await zk.MultiAsync(
            Create(root + "/a", op: OpCode.Create2),
            Create(root + "/b", mode: CreateMode.Container, op: OpCode.Create),
            Create(root + "/c", op: OpCode.CreateContainer),
            new MultiOp(OpCode.CreateTTL, new CreateTTLRequest(root + "/d", [], Acls.OpenAclUnsafe, (int)CreateMode.Persistent, 1000)))).AssertOk();
        var results = multi.Read<MultiResponse>().Results;
        Assert.Equal(root + "/b", Assert.IsType<Create2Response>(results[1].Record).Path);
        Assert.Equal(new CreateResponse(root + "/d"), results[3].Record);
        if (Traits.MultiCreateOpsKeepTheirOpcode)
        {
            Assert.Equal([OpCode.Create2, OpCode.Create2, OpCode.Create2, OpCode.Create], results.Select(r => r.Type));
            var a = Assert.IsType<Create2Response>(results[0].Record);
            Assert.Equal((root + "/a", multi.Zxid), (a.Path, a.Stat.Czxid));
        }
        else
        {
            Assert.Equal([OpCode.Create, OpCode.Create2, OpCode.Create, OpCode.Create], results.Select(r => r.Type));
            Assert.Equal(new CreateResponse(root + "/a"), results[0].Record);
        }

        // Which are containers: the reaper deletes a container once its last child has gone.
        // The nodes that should be plain are emptied first, so a reaper pass that deletes the
        // last container would also delete any of them that were containers after all.
        string[] plain = Traits.MultiCreateOpsKeepTheirOpcode ? ["a", "d"] : ["a", "c", "d"];
        string[] containers = Traits.MultiCreateOpsKeepTheirOpcode ? ["b", "c"] : ["b"];
        foreach (var name in plain.Concat(containers))
        {
            (await zk.CreateAsync(root + "/" + name + "/child")).AssertOk();
            (await zk.ExistsAsync(root + "/" + name, watch: true)).AssertOk();
        }

        // A reaping may already be reported before the reply of a later delete.
        var events = new List<WatcherEvent>();
        foreach (var name in plain.Concat(containers))
        {
            events.AddRange((await zk.DeleteAsync(root + "/" + name + "/child")).AssertOk().Events);
        }

        while (events.Count < containers.Length)
        {
            events.Add((await zk.ReceiveNotificationAsync()).Event);
        }

        Assert.All(events, e => Assert.Equal(EventType.NodeDeleted, e.Type));
        var deleted = events.Select(e => e.Path![(root.Length + 1)..]);

        Assert.Equal(containers, deleted.Order(StringComparer.Ordinal));
        Assert.Equal(plain, (await zk.GetChildrenAsync(root)).SortedChildren());
        foreach (var name in plain)
        {
            (await zk.DeleteAsync(root + "/" + name)).AssertOk();
        }
    }

    [Fact]
    public async Task FailedMultiResultShapesAndNothingIsApplied()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.CreateAsync(root + "/app")).AssertOk();
        var baseline = await LastZxidAsync(zk);

        var multi = await zk.MultiAsync(
            Create(root + "/m"),
            SetData(root + "/app", [1]),
            Check(root + "/app", 0),
            Delete(root + "/app"),
            Create(root + "/n"));

        // Header err is 0; before the failure 0, the failure its code, after it −2 (§14.3).
        Assert.Equal(KeeperErrorCode.Ok, multi.Error);
        Assert.Equal(baseline + 1, multi.Zxid);
        var results = multi.Read<MultiResponse>().Results;
        Assert.All(results, r => Assert.Equal(OpCode.Error, r.Type));
        Assert.Equal(
            [KeeperErrorCode.Ok, KeeperErrorCode.Ok, KeeperErrorCode.BadVersion, KeeperErrorCode.RuntimeInconsistency, KeeperErrorCode.RuntimeInconsistency],
            results.Select(r => r.Err));
        Assert.All(results, r => Assert.Equal(new ErrorResponse((int)r.Err), r.Record));

        // Nothing applied: /m absent, /app's version still 0, the parent's counter unmoved.
        (await zk.ExistsAsync(root + "/m")).AssertError(KeeperErrorCode.NoNode);
        Assert.Equal(0, (await zk.ExistsAsync(root + "/app")).ExistsStat().Version);
        Assert.Equal(root + "/s-0000000001", (await zk.CreateAsync(root + "/s-", mode: CreateMode.PersistentSequential)).Read<Create2Response>().Path);
    }

    [Fact]
    public async Task FailedMultiReportsTheFirstFailureOnly()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var multi = await zk.MultiAsync(
            Create(root + "/x"),
            Create(root + "/x"),
            Delete(root + "/missing"));
        Assert.Equal(
            [KeeperErrorCode.Ok, KeeperErrorCode.NodeExists, KeeperErrorCode.RuntimeInconsistency],
            multi.AssertOk().Read<MultiResponse>().Results.Select(r => r.Err));
    }

    [Fact]
    public async Task EmptyMultiIsATransactionAndEmptyMultiReadIsNot()
    {
        var zk = await ConnectAsync();
        var baseline = await LastZxidAsync(zk);
        var multi = (await zk.MultiAsync()).AssertOk();
        Assert.Equal(ContractOps.Encode(MultiHeader.End), multi.Reply.Body);
        Assert.Equal(baseline + 1, multi.Zxid);

        var read = (await zk.MultiReadAsync()).AssertOk();
        Assert.Equal(ContractOps.Encode(MultiHeader.End), read.Reply.Body);
        Assert.Equal(baseline + 1, read.Zxid);
    }

    [Fact]
    public async Task MultiReadResultsAreIndependent()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.CreateAsync(root + "/a", "A"u8.ToArray())).AssertOk();
        (await zk.CreateAsync(root + "/a/x")).AssertOk();
        (await zk.CreateAsync(root + "/a/y")).AssertOk();
        var a = (await zk.ExistsAsync(root + "/a")).ExistsStat();

        var read = (await zk.MultiReadAsync(
            GetData(root + "/a"),
            GetChildren(root + "/missing"),
            GetChildren(root + "/a"),
            GetData(root + "/missing"))).AssertOk();
        var results = read.Read<MultiResponse>().Results;
        Assert.Equal([OpCode.GetData, OpCode.Error, OpCode.GetChildren, OpCode.Error], results.Select(r => r.Type));
        Assert.Equal([KeeperErrorCode.Ok, KeeperErrorCode.NoNode, KeeperErrorCode.Ok, KeeperErrorCode.NoNode], results.Select(r => r.Err));
        var data = Assert.IsType<GetDataResponse>(results[0].Record);
        Assert.Equal("A"u8.ToArray(), data.Data);
        Assert.Equal(a, data.Stat);
        Assert.Equal(["x", "y"], Assert.IsType<GetChildrenResponse>(results[2].Record).Children!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MultiReadIgnoresWatchFlags()
    {
        // Unlike §14.4 says, the watch flag inside multiRead is dropped: ZooKeeper rebuilds each
        // read op as Op.getData(path) / Op.getChildren(path) while decoding, without the flag.
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.MultiReadAsync(
            new MultiOp(OpCode.GetData, new GetDataRequest(root, true)),
            new MultiOp(OpCode.GetChildren, new GetChildrenRequest(root, true)))).AssertOk();
        (await zk.CheckWatchesAsync(root, WatcherType.Any)).AssertError(KeeperErrorCode.NoWatcher);
        var set = (await zk.SetDataAsync(root, [1])).AssertOk();
        var child = (await zk.CreateAsync(root + "/c")).AssertOk();
        Assert.Empty(set.NotificationsBefore);
        Assert.Empty(child.NotificationsBefore);
    }

    [Fact]
    public async Task MixingReadAndWriteOpsIsAMarshallingError()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var baseline = await LastZxidAsync(zk);

        // A multi holding a read op: −5, as an error transaction (a zxid is consumed).
        Assert.Equal(baseline + 1, (await zk.MultiAsync(Create(root + "/a"), GetData(root))).AssertError(KeeperErrorCode.MarshallingError).Zxid);
        Assert.Equal(baseline + 2, (await zk.MultiAsync(GetChildren(root))).AssertError(KeeperErrorCode.MarshallingError).Zxid);

        // A multiRead holding a write op: −5, no zxid. (A check op even gets an end marker as
        // body after the error header, one of the rare bodies after an error, §5.)
        Assert.Equal(baseline + 2, (await zk.MultiReadAsync(GetData(root), Create(root + "/b"))).AssertError(KeeperErrorCode.MarshallingError).Zxid);
        var check = await zk.MultiReadAsync(Check(root, -1));
        Assert.Equal((KeeperErrorCode.MarshallingError, baseline + 2), (check.Error, check.Zxid));

        (await zk.ExistsAsync(root + "/a")).AssertError(KeeperErrorCode.NoNode);
        (await zk.ExistsAsync(root + "/b")).AssertError(KeeperErrorCode.NoNode);
    }

    [Fact]
    public async Task AnInvalidCreateFlagInAMulti()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var baseline = await LastZxidAsync(zk);
        var multi = await zk.MultiAsync(Create(root + "/a"), Create(root + "/b", mode: (CreateMode)9), Create(root + "/c"));
        if (Traits.MultiCreateOpsKeepTheirOpcode)
        {
            // 3.8.2+ and 3.9 refuse the flag while decoding (ZOOKEEPER-4026): −5 for the whole
            // request (§14.1), as an error txn.
            Assert.Equal(baseline + 1, multi.AssertError(KeeperErrorCode.MarshallingError).Zxid);
        }
        else
        {
            // 3.8.0 reports the bad flag as the op's BadArguments in an ordinary failed multi.
            Assert.Equal(
                [KeeperErrorCode.Ok, KeeperErrorCode.BadArguments, KeeperErrorCode.RuntimeInconsistency],
                multi.AssertOk().Read<MultiResponse>().Results.Select(r => r.Err));
        }

        (await zk.ExistsAsync(root + "/a")).AssertError(KeeperErrorCode.NoNode);

        // A TTL flag on a plain create op is −5 for the whole request in every version, and an
        // invalid flag on a createTTL op fails that op as the top-level create would.
        (await zk.MultiAsync(Create(root + "/a"), Create(root + "/t", mode: CreateMode.PersistentWithTtl))).AssertError(KeeperErrorCode.MarshallingError);
        var ttl = await zk.MultiAsync(Create(root + "/a"), new MultiOp(OpCode.CreateTTL, new CreateTTLRequest(root + "/t", [], Acls.OpenAclUnsafe, 9, 1000)));
        Assert.Equal([KeeperErrorCode.Ok, KeeperErrorCode.BadArguments], ttl.AssertOk().Read<MultiResponse>().Results.Select(r => r.Err));
        (await zk.ExistsAsync(root + "/a")).AssertError(KeeperErrorCode.NoNode);
    }

    [Fact]
    public async Task UndecodableMultiIsAMarshallingErrorAndTheConnectionLives()
    {
        var zk = await ConnectAsync();
        var xid = zk.NextXid();

        // An op type that is not a multi op (exists) in the middle of the body.
        using var writer = new JuteWriter();
        new RequestHeader(xid, (int)OpCode.Multi).Write(writer);
        new MultiHeader((int)OpCode.Exists, false, -1).Write(writer);
        new ExistsRequest("/", false).Write(writer);
        MultiHeader.End.Write(writer);
        await zk.SendFrameAsync(writer.ToArray(), Ct);
        var reply = await zk.ReceiveReplyAsync(xid, Ct);
        Assert.Equal(KeeperErrorCode.MarshallingError, reply.Error);
        (await zk.ExistsAsync("/")).AssertOk();
    }

    [Theory]
    [InlineData(OpCode.Notification)]
    [InlineData((OpCode)10)]
    [InlineData(OpCode.Error)]
    [InlineData((OpCode)23)]
    [InlineData((OpCode)99)]
    [InlineData((OpCode)108)]
    public async Task UnknownOpcodesGetMinusSixAndTheConnectionCloses(OpCode type)
    {
        // §6: err −6 with zxid −1 (no transaction), then the server closes the connection.
        var zk = await ConnectAsync();
        var bystander = await ConnectAsync();
        var baseline = await LastZxidAsync(zk);
        var reply = await zk.CallAsync(type, null, Ct);
        Assert.Equal(new ReplyHeader(reply.Reply.Header.Xid, -1, (int)KeeperErrorCode.Unimplemented), reply.Reply.Header);
        Assert.Empty(reply.Reply.Body);
        Assert.Empty(await zk.ReceiveUntilClosedAsync(Ct));
        Assert.Equal(baseline, await LastZxidAsync(bystander));
    }

    [Fact]
    public async Task CheckOutsideAMulti()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var baseline = await LastZxidAsync(zk);
        if (Traits.TopLevelCheckIsUnimplemented)
        {
            // ZOOKEEPER-2623 (3.8.5, 3.9.3): like an unknown opcode (gotcha 12).
            var reply = await zk.CallAsync(OpCode.Check, new CheckVersionRequest(root, 0), Ct);
            Assert.Equal(new ReplyHeader(reply.Reply.Header.Xid, -1, (int)KeeperErrorCode.Unimplemented), reply.Reply.Header);
            Assert.Empty(await zk.ReceiveUntilClosedAsync(Ct));
            return;
        }

        // 3.8.0 runs a top-level check as a transaction: a failing one is an error reply (and
        // a zxid), a passing one consumes a zxid and gets no reply at all (a server-side
        // NullPointerException, "Destruction averted"), which would hang a real client.
        (await zk.CallAsync(OpCode.Check, new CheckVersionRequest(root, 5), Ct)).AssertError(KeeperErrorCode.BadVersion);
        (await zk.CallAsync(OpCode.Check, new CheckVersionRequest(root + "/missing", 0), Ct)).AssertError(KeeperErrorCode.NoNode);
        var received = zk.Received.Count;
        await zk.SendAsync(OpCode.Check, new CheckVersionRequest(root, 0), Ct);
        var ping = await zk.PingAsync();
        Assert.Equal(baseline + 3, ping.Zxid);
        Assert.Equal([ping.Reply], zk.Received.Skip(received));
    }

    [Fact]
    public async Task ReconfigOnAStandaloneServerIsDisabled()
    {
        var zk = await ConnectAsync();
        var reconfig = await zk.CallAsync(OpCode.Reconfig, new ReconfigRequest(null, "1", null, -1), Ct);
        reconfig.AssertError(KeeperErrorCode.ReconfigDisabled);
        (await zk.ExistsAsync("/")).AssertOk();
    }
}
