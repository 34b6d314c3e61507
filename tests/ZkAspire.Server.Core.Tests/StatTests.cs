// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>The eleven Stat fields through creates, writes and deletes (wire-protocol doc §12).</summary>
public sealed class StatTests
{
    private readonly TestServer _server = new();
    private readonly TestClient _client;

    public StatTests() => _client = _server.Connect();

    [Fact]
    public void CreateStatHasEveryFieldFromTheCreate()
    {
        _server.NowMs += 1234;
        var created = _client.Create2("/a", [1, 2, 3]);

        Assert.Equal("/a", created.Path);
        Assert.Equal(new Stat(2, 2, _server.NowMs, _server.NowMs, 0, 0, 0, 0, 3, 0, 2), created.Stat);
        Assert.Equal(created.Stat, _client.Stat("/a"));
    }

    [Fact]
    public void SetDataMovesMzxidMtimeVersionAndDataLengthOnly()
    {
        var created = _client.Create2("/a", [1]).Stat;
        _server.NowMs += 500;
        var set = _client.SetData("/a", [1, 2, 3, 4]);

        Assert.Equal(created with { Mzxid = 3, Mtime = _server.NowMs, Version = 1, DataLength = 4 }, set);

        // Identical data still counts as a write.
        Assert.Equal(2, _client.SetData("/a", [1, 2, 3, 4]).Version);
    }

    [Fact]
    public void SetAclMovesOnlyAversion()
    {
        var created = _client.Create2("/a", [1]).Stat;
        var set = _client.Ok<SetACLResponse>(OpCode.SetACL, new SetACLRequest("/a", Acls.OpenAclUnsafe, -1)).Stat;
        Assert.Equal(created with { Aversion = 1 }, set);
    }

    [Fact]
    public void ChildCreatesAndDeletesMoveCversionAndPzxidButNotMzxidOrMtime()
    {
        var parent = _client.Create2("/p").Stat;
        _client.Create("/p/a");
        _client.Create("/p/b");
        var afterCreates = _client.Stat("/p");
        Assert.Equal(parent with { Cversion = 2, NumChildren = 2, Pzxid = 4 }, afterCreates);

        _client.Delete("/p/a");
        var afterDelete = _client.Stat("/p");
        Assert.Equal(parent with { Cversion = 3, NumChildren = 1, Pzxid = 5 }, afterDelete);

        // A child's data changes nothing on the parent.
        _client.SetData("/p/b", [9]);
        Assert.Equal(afterDelete, _client.Stat("/p"));
    }

    [Fact]
    public void FailedChildCreateLeavesTheParentUntouched()
    {
        _client.Create("/p");
        _client.Create("/p/a");
        var before = _client.Stat("/p");
        _client.Fails(KeeperErrorCode.NodeExists, OpCode.Create, new CreateRequest("/p/a", null, Acls.OpenAclUnsafe, 0));
        Assert.Equal(before, _client.Stat("/p"));
    }

    [Fact]
    public void EphemeralOwnerIsTheSessionAndDataLengthOfNullDataIsZero()
    {
        var stat = _client.Ok<Create2Response>(OpCode.Create2, new CreateRequest("/e", null, Acls.OpenAclUnsafe, (int)CreateMode.Ephemeral)).Stat;
        Assert.Equal(_client.SessionId, stat.EphemeralOwner);
        Assert.Equal(0, stat.DataLength);
        Assert.Null(_client.GetData("/e").Data);

        _client.Create("/empty", []);
        Assert.NotNull(_client.GetData("/empty").Data);
        Assert.Empty(_client.GetData("/empty").Data!);
    }

    [Fact]
    public void SequentialSuffixIsTheParentsChildCounterNotThePrefixOrTheCversion()
    {
        _client.Create("/q");
        Assert.Equal("/q/a-0000000000", _client.Create("/q/a-", mode: CreateMode.PersistentSequential));
        _client.Create("/q/plain");
        Assert.Equal("/q/b-0000000002", _client.Create("/q/b-", mode: CreateMode.EphemeralSequential));
        _client.Delete("/q/plain");

        // Deletes don't give numbers back, and the reported cversion (4) is not the counter (3).
        Assert.Equal(4, _client.Stat("/q").Cversion);
        Assert.Equal("/q/a-0000000003", _client.Create("/q/a-", mode: CreateMode.PersistentSequential));

        // A prefix ending in '/' is fine: the name is just the number.
        Assert.Equal("/q/0000000004", _client.Create("/q/", mode: CreateMode.PersistentSequential));
    }

    /// <remarks>
    /// Deliberately not ZooKeeper 3.6+'s behaviour: its ZOOKEEPER-3249 guard ('only move the
    /// counter forwards') stops the counter at 2147483647, so ZooKeeper answers NodeExists to
    /// every later sequential create of the same prefix. We wrap as the programmer's guide says.
    /// </remarks>
    [Fact]
    public void SequenceCounterWrapsLikeAJavaInt_Section12()
    {
        _client.Create("/q");

        // Reaching 2^31 − 1 by creating children would take hours: set the counter directly.
        var node = _server.Replica.Tree.GetNode("/q")!;
        node.Stat = node.Stat with { Cversion = int.MaxValue };

        Assert.Equal("/q/s-2147483647", _client.Create("/q/s-", mode: CreateMode.PersistentSequential));
        Assert.Equal("/q/s--2147483648", _client.Create("/q/s-", mode: CreateMode.PersistentSequential));
        Assert.Equal("/q/s--2147483647", _client.Create("/q/s-", mode: CreateMode.PersistentSequential));

        // The counter is now −2147483646 and the reported cversion wraps as well: 2 × C − 3.
        Assert.Equal(unchecked((2 * -2147483646) - 3), _client.Stat("/q").Cversion);
    }

    [Fact]
    public void VersionWrapsLikeAJavaInt()
    {
        _client.Create("/v");
        var node = _server.Replica.Tree.GetNode("/v")!;
        node.Stat = node.Stat with { Version = int.MaxValue };

        Assert.Equal(int.MinValue, _client.SetData("/v", [1], int.MaxValue).Version);
    }

    [Fact]
    public void MultiOpsShareCzxidAndCtime_Section23_8()
    {
        _server.NowMs += 77;
        var multi = new MultiRequest(
        [
            new MultiOp(OpCode.Create, new CreateRequest("/m1", null, Acls.OpenAclUnsafe, 0)),
            new MultiOp(OpCode.Create, new CreateRequest("/m2", null, Acls.OpenAclUnsafe, 2)),
        ]);
        _client.Ok<MultiResponse>(OpCode.Multi, multi);
        _server.NowMs += 1000;

        var m1 = _client.Stat("/m1");
        var m2 = _client.Stat("/m20000000001");
        Assert.Equal(m1.Czxid, m2.Czxid);
        Assert.Equal(m1.Ctime, m2.Ctime);
        Assert.Equal(TestServer.StartMs + 77, m1.Ctime);
    }

    [Fact]
    public void RootAndZookeeperCversionsOnAFreshServerAreMinusOneAndMinusTwo_Section12()
    {
        Assert.Equal(-1, _client.Stat("/").Cversion);
        Assert.Equal(-2, _client.Stat("/zookeeper").Cversion);
        _client.Create("/first");
        Assert.Equal(0, _client.Stat("/").Cversion);
    }

    [Fact]
    public void GetChildrenReturnsNamesAndGetChildren2TheParentStat()
    {
        _client.Create("/p");
        _client.Create("/p/x");
        _client.Create("/p/y");
        Assert.Equal(["x", "y"], _client.Children("/p"));
        var two = _client.Ok<GetChildren2Response>(OpCode.GetChildren2, new GetChildren2Request("/p", false));
        Assert.Equal(["x", "y"], two.Children!.Order(StringComparer.Ordinal));
        Assert.Equal(_client.Stat("/p"), two.Stat);
        Assert.Equal(["zookeeper"], _client.Children("/").Where(c => c == "zookeeper"));
        Assert.Equal(["config", "quota"], _client.Children("/zookeeper"));
    }

    [Fact]
    public void EmptyPathReadsTheRootAsZooKeeperDoes()
    {
        Assert.Equal(_client.Stat("/"), _client.GetData(string.Empty).Stat);
        Assert.Equal(3, _client.Ok<GetAllChildrenNumberResponse>(OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest("/")).TotalNumber);
        Assert.Equal(4, _client.Ok<GetAllChildrenNumberResponse>(OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest(string.Empty)).TotalNumber);
    }
}
