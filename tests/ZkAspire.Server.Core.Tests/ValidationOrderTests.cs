// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// Every write validates in ZooKeeper's order and the first failure wins; a failed write is an
/// error txn that consumes a zxid, which its reply carries (wire-protocol doc §11, §23.5).
/// </summary>
public sealed class ValidationOrderTests
{
    private static readonly IReadOnlyList<ACL> NoCreate = [new ACL(Perms.All & ~Perms.Create, Id.AnyoneIdUnsafe)];
    private static readonly IReadOnlyList<ACL> NoDelete = [new ACL(Perms.All & ~Perms.Delete, Id.AnyoneIdUnsafe)];
    private static readonly IReadOnlyList<ACL> NoWrite = [new ACL(Perms.All & ~Perms.Write, Id.AnyoneIdUnsafe)];
    private static readonly IReadOnlyList<ACL> NoAdmin = [new ACL(Perms.All & ~Perms.Admin, Id.AnyoneIdUnsafe)];

    private readonly TestServer _server = new(new ReplicaOptions { TickTimeMs = 2000 });
    private readonly TestClient _client;

    public ValidationOrderTests()
    {
        _client = _server.Connect();
        _client.Create("/p");
        _client.Create("/p/a");
        _client.Create("/p/a/child");
        _client.Create("/locked", acl: NoCreate);
        _client.Create("/nodelete", acl: NoDelete);
        _client.Create("/nodelete/x");
        _client.Create("/nowrite", acl: NoWrite);
        _client.Create("/noadmin", acl: NoAdmin);
        _client.Create("/eph", mode: CreateMode.Ephemeral);
        _client.Create("/eph2", mode: CreateMode.Ephemeral);
    }

    public static TheoryData<string, int, IReadOnlyList<ACL>?, KeeperErrorCode> CreateCases() => new()
    {
        // §11.1 step 1: flags first, whatever else is wrong.
        { "no-slash", 7, null, KeeperErrorCode.BadArguments },
        { "/missing/x", -1, [], KeeperErrorCode.BadArguments },

        // Step 2: TTL flags with TTLs disabled.
        { "no-slash", 5, [], KeeperErrorCode.Unimplemented },

        // Step 3: a path without '/' or with NUL, before the ACL is looked at.
        { "no-slash", 0, [], KeeperErrorCode.BadArguments },
        { "/p/a\0b", 0, [], KeeperErrorCode.BadArguments },

        // Step 4: the ACL before the parent's existence.
        { "/missing/x", 0, [], KeeperErrorCode.InvalidACL },
        { "/missing/x", 0, [new ACL(Perms.All, new Id("world", "nobody"))], KeeperErrorCode.InvalidACL },

        // Step 5: the parent, before the final path is validated ("/x/" → NoNode, as ZooKeeper answers).
        { "/missing/x", 0, null, KeeperErrorCode.NoNode },
        { "/missing/", 0, null, KeeperErrorCode.NoNode },

        // Step 6: CREATE on the parent, before the path is validated.
        { "/locked/.", 0, null, KeeperErrorCode.NoAuth },
        { "/locked/x", 0, null, KeeperErrorCode.NoAuth },

        // Step 8: full path validation.
        { "/p/", 0, null, KeeperErrorCode.BadArguments },
        { "/p/a/", 0, null, KeeperErrorCode.BadArguments },
        { "//a", 0, null, KeeperErrorCode.BadArguments },
        { "/p/..", 0, null, KeeperErrorCode.BadArguments },
        { "/p/\u0001", 0, null, KeeperErrorCode.BadArguments },
        { "/p/\ud83d\ude00", 0, null, KeeperErrorCode.BadArguments },

        // Step 9: existence, before the ephemeral parent.
        { "/", 0, null, KeeperErrorCode.NodeExists },
        { "/p/a", 0, null, KeeperErrorCode.NodeExists },
        { "/eph", 1, null, KeeperErrorCode.NodeExists },

        // Step 10: no children under ephemerals, sequential or not.
        { "/eph/x", 0, null, KeeperErrorCode.NoChildrenForEphemerals },
        { "/eph/x", 2, null, KeeperErrorCode.NoChildrenForEphemerals },
    };

    [Theory]
    [MemberData(nameof(CreateCases))]
    public void CreateFailsWithTheFirstBrokenRule_Section11_1(string path, int flags, IReadOnlyList<ACL>? acl, KeeperErrorCode expected) =>
        AssertFailsAndConsumesAZxid(expected, OpCode.Create, new CreateRequest(path, null, acl ?? Acls.OpenAclUnsafe, flags));

    public static TheoryData<string, int, KeeperErrorCode> DeleteCases() => new()
    {
        // §11.2 step 1: reserved nodes and malformed paths.
        { "/", -1, KeeperErrorCode.BadArguments },
        { "/zookeeper", -1, KeeperErrorCode.BadArguments },
        { "/zookeeper/quota", -1, KeeperErrorCode.BadArguments },
        { "/zookeeper/config", -1, KeeperErrorCode.BadArguments },
        { "no-slash", -1, KeeperErrorCode.BadArguments },
        { "/p/a\0", -1, KeeperErrorCode.BadArguments },

        // Step 2: the parent.
        { "/missing/x", -1, KeeperErrorCode.NoNode },

        // Step 3: DELETE on the parent comes before the node's existence: NoAuth masks NoNode.
        { "/nodelete/missing", -1, KeeperErrorCode.NoAuth },
        { "/nodelete/x", -1, KeeperErrorCode.NoAuth },

        // Step 4: the node ("/p/" is the child "" of /p, which does not exist).
        { "/p/missing", -1, KeeperErrorCode.NoNode },
        { "/p/", -1, KeeperErrorCode.NoNode },

        // Step 5: the version, before NotEmpty.
        { "/p/a", 3, KeeperErrorCode.BadVersion },

        // Step 6: children.
        { "/p/a", -1, KeeperErrorCode.NotEmpty },
        { "/p/a", 0, KeeperErrorCode.NotEmpty },
    };

    [Theory]
    [MemberData(nameof(DeleteCases))]
    public void DeleteFailsWithTheFirstBrokenRule_Section11_2(string path, int version, KeeperErrorCode expected) =>
        AssertFailsAndConsumesAZxid(expected, OpCode.Delete, new DeleteRequest(path, version));

    public static TheoryData<string, int, KeeperErrorCode> SetDataCases() => new()
    {
        { "/missing/", 5, KeeperErrorCode.BadArguments },
        { "no-slash", 5, KeeperErrorCode.BadArguments },
        { "/missing", 5, KeeperErrorCode.NoNode },
        { "/nowrite", 5, KeeperErrorCode.NoAuth },
        { "/p", 5, KeeperErrorCode.BadVersion },
    };

    [Theory]
    [MemberData(nameof(SetDataCases))]
    public void SetDataFailsWithTheFirstBrokenRule_Section11_3(string path, int version, KeeperErrorCode expected) =>
        AssertFailsAndConsumesAZxid(expected, OpCode.SetData, new SetDataRequest(path, [1], version));

    public static TheoryData<string, IReadOnlyList<ACL>?, int, KeeperErrorCode> SetAclCases() => new()
    {
        { "/missing/", [], 5, KeeperErrorCode.BadArguments },

        // The ACL is fixed up before the node is looked at.
        { "/missing", [], 5, KeeperErrorCode.InvalidACL },
        { "/missing", null, 5, KeeperErrorCode.NoNode },
        { "/noadmin", null, 5, KeeperErrorCode.NoAuth },
        { "/p", null, 5, KeeperErrorCode.BadVersion },
    };

    [Theory]
    [MemberData(nameof(SetAclCases))]
    public void SetAclFailsWithTheFirstBrokenRule_Section11_4(string path, IReadOnlyList<ACL>? acl, int version, KeeperErrorCode expected) =>
        AssertFailsAndConsumesAZxid(expected, OpCode.SetACL, new SetACLRequest(path, acl ?? Acls.OpenAclUnsafe, version));

    [Fact]
    public void VersionMinusOneMatchesAnyVersion_Section23_17()
    {
        _client.SetData("/p", [1], 0);
        _client.SetData("/p", [2], -1);
        Assert.Equal(2, _client.Stat("/p").Version);
        _client.Delete("/p/a/child", -1);
    }

    [Fact]
    public void SetAclComparesTheAversionNotTheDataVersion_Section11_4()
    {
        _client.SetData("/p", [1]);
        _client.SetData("/p", [2]);
        Assert.Equal(1, _client.Ok<SetACLResponse>(OpCode.SetACL, new SetACLRequest("/p", Acls.OpenAclUnsafe, 0)).Stat.Aversion);
        AssertFailsAndConsumesAZxid(KeeperErrorCode.BadVersion, OpCode.SetACL, new SetACLRequest("/p", Acls.OpenAclUnsafe, 2));
        Assert.Equal(2, _client.Ok<SetACLResponse>(OpCode.SetACL, new SetACLRequest("/p", Acls.OpenAclUnsafe, 1)).Stat.Aversion);
    }

    [Fact]
    public void CreateErrorReplyCarriesTheConsumedZxid_Section22_3()
    {
        var fresh = new TestServer();
        var client = fresh.Connect();
        Assert.Equal(2, client.Call(OpCode.Create, new CreateRequest("/app", [0x68, 0x69], Acls.OpenAclUnsafe, 0)).Header.Zxid);
        var failed = client.Call(OpCode.Create, new CreateRequest("/app", [0x68, 0x69], Acls.OpenAclUnsafe, 0));
        Assert.Equal(new ReplyHeader(2, 3, (int)KeeperErrorCode.NodeExists), failed.Header);

        // The next successful write gets the zxid after it.
        Assert.Equal(4, client.Call(OpCode.Create, new CreateRequest("/b", null, Acls.OpenAclUnsafe, 0)).Header.Zxid);
    }

    [Fact]
    public void ReadsConsumeNoZxidAndCarryTheLastProcessedOne_Section5()
    {
        var zxid = _server.Replica.LastProcessedZxid;
        Assert.Equal(zxid, _client.Call(OpCode.GetData, new GetDataRequest("/p", false)).Header.Zxid);
        Assert.Equal(zxid, _client.Call(OpCode.GetData, new GetDataRequest("/missing", false)).Header.Zxid);
        Assert.Equal(zxid, _client.Call(OpCode.Exists, new ExistsRequest("/missing", true)).Header.Zxid);
        Assert.Equal(zxid, _client.Call(OpCode.GetChildren, new GetChildrenRequest("/p", false)).Header.Zxid);
        Assert.Equal(zxid, _client.Call(OpCode.Ping).Header.Zxid);
        Assert.Equal(zxid, _server.Replica.LastProcessedZxid);
    }

    [Fact]
    public void ReadsDoNoPathValidationBeyondLookup_Section11_6()
    {
        Assert.Equal(KeeperErrorCode.NoNode, _client.Call(OpCode.GetData, new GetDataRequest("/p/", false)).Header.Error);
        Assert.Equal(KeeperErrorCode.NoNode, _client.Call(OpCode.GetChildren, new GetChildrenRequest("no-slash", false)).Header.Error);

        // exists alone refuses a NUL.
        Assert.Equal(KeeperErrorCode.BadArguments, _client.Call(OpCode.Exists, new ExistsRequest("/p\0", true)).Header.Error);
        Assert.Empty(_server.Replica.GetWatches());
    }

    private void AssertFailsAndConsumesAZxid(KeeperErrorCode expected, OpCode type, IJuteRecord body)
    {
        var before = _server.Replica.LastProcessedZxid;
        var reply = _client.Fails(expected, type, body);
        Assert.Equal(before + 1, reply.Header.Zxid);
        Assert.Equal(before + 1, _server.Replica.LastProcessedZxid);
    }
}
