// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>multi and multiRead (wire-protocol doc §14, §22.5, §23.10–12).</summary>
public sealed class MultiTests
{
    private readonly TestServer _server = new(new ReplicaOptions { TickTimeMs = 2000, ExtendedTypesEnabled = true });
    private readonly TestClient _client;

    public MultiTests()
    {
        _client = _server.Connect();
        _client.Create("/app");
    }

    [Fact]
    public void SuccessfulMultiReturnsOneResultPerOpUnderOneZxid_Section14_2()
    {
        var zxid = _server.Replica.LastProcessedZxid + 1;
        var response = Multi(
            Create("/m"),
            new MultiOp(OpCode.Create2, new CreateRequest("/m/c", [1], Acls.OpenAclUnsafe, 0)),
            new MultiOp(OpCode.Check, new CheckVersionRequest("/app", 0)),
            new MultiOp(OpCode.SetData, new SetDataRequest("/app", [2], 0)),
            new MultiOp(OpCode.Delete, new DeleteRequest("/m/c", 0)));

        Assert.Equal(KeeperErrorCode.Ok, response.Header.Error);
        Assert.Equal(zxid, response.Header.Zxid);
        var results = Results(response);
        Assert.Equal([OpCode.Create, OpCode.Create2, OpCode.Check, OpCode.SetData, OpCode.Delete], results.Select(r => r.Type));
        Assert.All(results, r => Assert.Equal(KeeperErrorCode.Ok, r.Err));
        Assert.Equal(new CreateResponse("/m"), results[0].Record);
        var create2 = Assert.IsType<Create2Response>(results[1].Record);
        Assert.Equal(zxid, create2.Stat.Czxid);
        Assert.Equal(1, Assert.IsType<SetDataResponse>(results[3].Record).Stat.Version);
        Assert.Null(results[2].Record);
        Assert.Null(results[4].Record);
        Assert.Equal(zxid, _server.Replica.LastProcessedZxid);
        Assert.Equal(zxid, _client.Stat("/m").Pzxid);
    }

    [Fact]
    public void FailedMultiChangesNothingConsumesAZxidAndReportsZeroCodeMinusTwo_Section14_3()
    {
        var before = _server.Replica.LastProcessedZxid;
        var response = Multi(
            Create("/m"),
            new MultiOp(OpCode.Check, new CheckVersionRequest("/app", 5)),
            new MultiOp(OpCode.Delete, new DeleteRequest("/app", -1)));

        // The header says OK; the failure is only in the results (§23.11).
        Assert.Equal(new ReplyHeader(response.Header.Xid, before + 1, 0), response.Header);
        Assert.Equal(
            [OpResult.Error(KeeperErrorCode.Ok), OpResult.Error(KeeperErrorCode.BadVersion), OpResult.Error(KeeperErrorCode.RuntimeInconsistency)],
            Results(response));
        _client.Fails(KeeperErrorCode.NoNode, OpCode.Exists, new ExistsRequest("/m", false));
        Assert.Equal(before + 1, _server.Replica.LastProcessedZxid);
        Assert.Equal(0, _client.Stat("/app").Cversion);
    }

    [Fact]
    public void FailedMultiLeavesTheSequenceCounterWhereItWas_Section14_3()
    {
        Multi(Create("/app/s-", CreateMode.PersistentSequential), Create("/app/s-", CreateMode.PersistentSequential), Create("/missing/x"));
        Assert.Equal("/app/s-0000000000", _client.Create("/app/s-", mode: CreateMode.PersistentSequential));
    }

    [Fact]
    public void OpsSeeTheEffectsOfEarlierOps_Section14_3()
    {
        var response = Multi(
            Create("/a"),
            Create("/a/b"),
            Create("/a/s-", CreateMode.PersistentSequential),
            Create("/a/s-", CreateMode.PersistentSequential),
            new MultiOp(OpCode.SetData, new SetDataRequest("/a", null, 0)),
            new MultiOp(OpCode.SetData, new SetDataRequest("/a", null, 1)),
            new MultiOp(OpCode.Delete, new DeleteRequest("/a/b", 0)),
            new MultiOp(OpCode.Check, new CheckVersionRequest("/a", 2)));

        Assert.All(Results(response), r => Assert.Equal(KeeperErrorCode.Ok, r.Err));
        Assert.Equal(new CreateResponse("/a/s-0000000001"), Results(response)[2].Record);
        Assert.Equal(new CreateResponse("/a/s-0000000002"), Results(response)[3].Record);
        Assert.Equal(["s-0000000001", "s-0000000002"], _client.Children("/a"));
    }

    [Fact]
    public void CreateThenDeleteOfTheSameNodeInOneMultiLeavesNothing()
    {
        var response = Multi(Create("/t"), new MultiOp(OpCode.Delete, new DeleteRequest("/t", -1)));
        Assert.Equal([OpCode.Create, OpCode.Delete], Results(response).Select(r => r.Type));
        _client.Fails(KeeperErrorCode.NoNode, OpCode.Exists, new ExistsRequest("/t", false));
    }

    [Fact]
    public void ChecksInsideMultiFollowTheirOwnOrder_Section11_5()
    {
        _client.Create("/unreadable", acl: [new ACL(Perms.Write, Id.AnyoneIdUnsafe)]);
        Assert.Equal(KeeperErrorCode.BadArguments, FirstError(new MultiOp(OpCode.Check, new CheckVersionRequest("/app/", 0))));
        Assert.Equal(KeeperErrorCode.NoNode, FirstError(new MultiOp(OpCode.Check, new CheckVersionRequest("/nope", 0))));
        Assert.Equal(KeeperErrorCode.NoAuth, FirstError(new MultiOp(OpCode.Check, new CheckVersionRequest("/unreadable", 9))));
        Assert.Equal(KeeperErrorCode.BadVersion, FirstError(new MultiOp(OpCode.Check, new CheckVersionRequest("/app", 9))));
    }

    [Fact]
    public void EmptyMultiIsLegalAndConsumesAZxid_Section14_1()
    {
        var before = _server.Replica.LastProcessedZxid;
        var response = Multi();
        Assert.Empty(Results(response));
        Assert.Equal(before + 1, response.Header.Zxid);
    }

    public static TheoryData<int, int> BadCreateOps() => new()
    {
        { (int)OpCode.Create, 9 },
        { (int)OpCode.Create, -1 },
        { (int)OpCode.Create2, (int)CreateMode.PersistentWithTtl },
        { (int)OpCode.CreateContainer, (int)CreateMode.PersistentSequentialWithTtl },
    };

    /// <remarks>ZooKeeper rejects these while reading the request (MultiOperationRecord), after it took the zxid.</remarks>
    [Theory]
    [MemberData(nameof(BadCreateOps))]
    public void InvalidOrTtlFlagsOnAPlainCreateFailTheWholeMultiAsMarshallingError_Section14_1(int type, int flags)
    {
        var before = _server.Replica.LastProcessedZxid;
        var reply = _client.Call(OpCode.Multi, new MultiRequest([Create("/ok"), new MultiOp((OpCode)type, new CreateRequest("/x", null, Acls.OpenAclUnsafe, flags))]));
        Assert.Equal(new ReplyHeader(reply.Header.Xid, before + 1, (int)KeeperErrorCode.MarshallingError), reply.Header);
        Assert.Null(reply.Body);
        _client.Fails(KeeperErrorCode.NoNode, OpCode.Exists, new ExistsRequest("/ok", false));
    }

    [Fact]
    public void ReadOpsInAMultiFailItAsMarshallingErrorAndConsumeAZxid_Section14_1()
    {
        var before = _server.Replica.LastProcessedZxid;
        var reply = _client.Call(OpCode.Multi, new MultiRequest([Create("/ok"), new MultiOp(OpCode.GetData, new GetDataRequest("/app", false))]));
        Assert.Equal(KeeperErrorCode.MarshallingError, reply.Header.Error);
        Assert.Equal(before + 1, reply.Header.Zxid);
    }

    [Fact]
    public void UndecodableMultiConsumesAZxid()
    {
        var before = _server.Replica.LastProcessedZxid;
        var xid = _client.Send(OpCode.Multi, null, decodeError: KeeperErrorCode.MarshallingError);
        Assert.Equal(new ReplyHeader(xid, before + 1, (int)KeeperErrorCode.MarshallingError), _client.ReadReply(xid).Header);
    }

    [Fact]
    public void FlagsNotTheHeaderTypeDecideContainersAndTtlsInsideMulti()
    {
        var response = Multi(
            new MultiOp(OpCode.Create, new CreateRequest("/c1", null, Acls.OpenAclUnsafe, (int)CreateMode.Container)),
            new MultiOp(OpCode.CreateContainer, new CreateRequest("/c2", null, Acls.OpenAclUnsafe, 0)),
            new MultiOp(OpCode.CreateTTL, new CreateTTLRequest("/t1", null, Acls.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl, 1000)),
            new MultiOp(OpCode.CreateTTL, new CreateTTLRequest("/t2", null, Acls.OpenAclUnsafe, 0, 1000)));

        // Containers and TTL nodes answer with create2 results (§23.10); a createTTL op with a
        // plain flag is a plain create (ZooKeeper's Op.create falls back on the flag).
        Assert.Equal([OpCode.Create2, OpCode.Create2, OpCode.Create2, OpCode.Create], Results(response).Select(r => r.Type));
        Assert.Equal(["/c1", "/c2"], _server.Replica.Tree.Containers.Order(StringComparer.Ordinal));
        Assert.Equal(["/t1"], _server.Replica.Tree.Ttls);
    }

    [Fact]
    public void MultiRepliesMatchTheHexOfSection22_5()
    {
        var fresh = new TestServer();
        var client = fresh.Connect();
        client.Create("/app");
        for (var i = 0; i < 4; i++)
        {
            client.SetData("/app", null);
        }

        var xid = client.Send(OpCode.Multi, new MultiRequest([Create("/m"), new MultiOp(OpCode.Check, new CheckVersionRequest("/app", 0))]), 3);
        var reply = client.ReadReply(xid);

        using var writer = new JuteWriter();
        var mark = writer.BeginFrame();
        reply.Header.Write(writer);
        reply.Body!.Write(writer);
        writer.EndFrame(mark);
        Assert.Equal(
            Convert.FromHexString(
                "00000033" + "00000003" + "0000000000000007" + "00000000"
                + "ffffffff" + "00" + "00000000" + "00000000"
                + "ffffffff" + "00" + "ffffff99" + "ffffff99"
                + "ffffffff" + "01" + "ffffffff"),
            writer.ToArray());
    }

    [Fact]
    public void MultiReadRunsEachReadOnItsOwn_Section14_4()
    {
        _client.Create("/app/x", [5]);
        var reply = _client.Call(OpCode.MultiRead, new MultiRequest(
        [
            new MultiOp(OpCode.GetData, new GetDataRequest("/app/x", false)),
            new MultiOp(OpCode.GetChildren, new GetChildrenRequest("/app", false)),
            new MultiOp(OpCode.GetData, new GetDataRequest("/missing", false)),
        ]));

        Assert.Equal(KeeperErrorCode.Ok, reply.Header.Error);
        Assert.Equal(_server.Replica.LastProcessedZxid, reply.Header.Zxid);
        var results = Results(reply);
        Assert.Equal([5], Assert.IsType<GetDataResponse>(results[0].Record).Data);
        Assert.Equal(["x"], Assert.IsType<GetChildrenResponse>(results[1].Record).Children);
        Assert.Equal(OpResult.Error(KeeperErrorCode.NoNode), results[2]);
    }

    /// <remarks>ZooKeeper rebuilds multiRead ops without their watch flag: checked on Apache ZooKeeper 3.8.</remarks>
    [Fact]
    public void MultiReadNeverLeavesWatches_Section14_4()
    {
        _client.Call(OpCode.MultiRead, new MultiRequest([new MultiOp(OpCode.GetData, new GetDataRequest("/app", true)), new MultiOp(OpCode.GetChildren, new GetChildrenRequest("/app", true))]));
        Assert.Empty(_server.Replica.GetWatches());
    }

    [Fact]
    public void MultiReadWithAWriteOpIsAMarshallingErrorAndConsumesNothing()
    {
        var before = _server.Replica.LastProcessedZxid;
        var reply = _client.Call(OpCode.MultiRead, new MultiRequest([new MultiOp(OpCode.GetData, new GetDataRequest("/app", false)), Create("/x")]));
        Assert.Equal(KeeperErrorCode.MarshallingError, reply.Header.Error);
        Assert.Null(reply.Body);
        Assert.Equal(before, _server.Replica.LastProcessedZxid);
    }

    /// <remarks>Seen on Apache ZooKeeper 3.8: the −5 header is followed by an empty MultiResponse.</remarks>
    [Fact]
    public void MultiReadOfWritesOnlyAnswersMinusFiveWithAnEmptyBody()
    {
        var reply = _client.Call(OpCode.MultiRead, new MultiRequest([Create("/x")]));
        Assert.Equal(KeeperErrorCode.MarshallingError, reply.Header.Error);
        Assert.Empty(Results(reply));
        _client.Fails(KeeperErrorCode.NoNode, OpCode.Exists, new ExistsRequest("/x", false));
    }

    [Fact]
    public void TopLevelCheckIsUnimplementedAndClosesTheConnection_Section23_12()
    {
        var xid = _client.Send(OpCode.Check, new CheckVersionRequest("/app", 0));
        Assert.Equal(new ReplyHeader(xid, -1, (int)KeeperErrorCode.Unimplemented), _client.NextFrame().Header);
        _client.ExpectClosed();
    }

    private static MultiOp Create(string path, CreateMode mode = CreateMode.Persistent) =>
        new(OpCode.Create, new CreateRequest(path, null, Acls.OpenAclUnsafe, (int)mode));

    private static IReadOnlyList<OpResult> Results(Frame reply) => Assert.IsType<MultiResponse>(reply.Body).Results;

    private Frame Multi(params MultiOp[] ops) => _client.Call(OpCode.Multi, new MultiRequest(ops));

    private KeeperErrorCode FirstError(MultiOp op) => Results(Multi(op))[0].Err;
}
