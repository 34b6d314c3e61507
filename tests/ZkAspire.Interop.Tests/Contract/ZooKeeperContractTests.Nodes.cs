// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Protocol;

namespace ZkAspire.Interop.Tests.Contract;

/// <summary>Creating, changing and deleting znodes: paths, Stat fields, sequence numbers (§9, §11, §12).</summary>
public abstract partial class ZooKeeperContractTests<TFixture>
{
    [Theory]
    [InlineData(CreateMode.Persistent)]
    [InlineData(CreateMode.Ephemeral)]
    [InlineData(CreateMode.PersistentSequential)]
    [InlineData(CreateMode.EphemeralSequential)]
    public async Task CreateInEveryModeReturnsThePathAndStat(CreateMode mode)
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);

        var before = Now();
        var created = await zk.CreateAsync(root + "/node-", "hello"u8.ToArray(), mode: mode);
        var after = Now();

        var response = created.AssertOk().Read<Create2Response>();
        Assert.Empty(created.NotificationsBefore);
        Assert.Equal(mode.IsSequential() ? root + "/node-0000000000" : root + "/node-", response.Path);
        var stat = response.Stat;
        AssertTime(stat.Ctime, before, after);
        Assert.Equal(
            new Stat(
                Czxid: created.Zxid,
                Mzxid: created.Zxid,
                Ctime: stat.Ctime,
                Mtime: stat.Ctime,
                Version: 0,
                Cversion: 0,
                Aversion: 0,
                EphemeralOwner: mode.IsEphemeral() ? zk.SessionId : 0,
                DataLength: 5,
                NumChildren: 0,
                Pzxid: created.Zxid),
            stat);

        // exists and getData report the same Stat; the data is what was written.
        Assert.Equal(stat, (await zk.ExistsAsync(response.Path)).ExistsStat());
        var data = (await zk.GetDataAsync(response.Path)).AssertOk().Read<GetDataResponse>();
        Assert.Equal("hello"u8.ToArray(), data.Data);
        Assert.Equal(stat, data.Stat);

        // The parent: one more child, cversion +1, pzxid = the create's zxid; its own data untouched.
        var parent = (await zk.ExistsAsync(root)).ExistsStat();
        Assert.Equal((1, 1, created.Zxid, 0), (parent.NumChildren, parent.Cversion, parent.Pzxid, parent.Version));
        Assert.True(parent.Mzxid < created.Zxid);
    }

    [Fact]
    public async Task CreateOpcodeRepliesWithThePathOnly()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var created = await zk.CreateAsync(root + "/s-", mode: CreateMode.PersistentSequential, op: OpCode.Create);
        Assert.Equal(new CreateResponse(root + "/s-0000000000"), created.AssertOk().Read<CreateResponse>());
    }

    [Fact]
    public async Task NullAndEmptyDataBothHaveLengthZeroAndReadBackAsWritten()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.CallAsync(OpCode.Create, new CreateRequest(root + "/null", null, Acls.OpenAclUnsafe, 0), Ct)).AssertOk();
        (await zk.CreateAsync(root + "/empty", [])).AssertOk();

        var nullData = (await zk.GetDataAsync(root + "/null")).AssertOk().Read<GetDataResponse>();
        var emptyData = (await zk.GetDataAsync(root + "/empty")).AssertOk().Read<GetDataResponse>();
        Assert.Equal((0, 0), (nullData.Stat.DataLength, emptyData.Stat.DataLength));

        // §23 gotcha 19: null round-trips as null (length −1 on the wire).
        Assert.Null(nullData.Data);
        Assert.NotNull(emptyData.Data);
        Assert.Empty(emptyData.Data);

        (await zk.SetDataAsync(root + "/empty", null)).AssertOk();
        Assert.Null((await zk.GetDataAsync(root + "/empty")).Read<GetDataResponse>().Data);
    }

    [Fact]
    public async Task SequenceSuffixesComeFromTheParentsChildCounter()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);

        async Task<string> CreatePathAsync(string path, CreateMode mode) =>
            (await zk.CreateAsync(path, mode: mode)).AssertOk().Read<Create2Response>().Path;

        Assert.Equal(root + "/a-0000000000", await CreatePathAsync(root + "/a-", CreateMode.PersistentSequential));
        Assert.Equal(root + "/x", await CreatePathAsync(root + "/x", CreateMode.Persistent));
        Assert.Equal(root + "/b-0000000002", await CreatePathAsync(root + "/b-", CreateMode.EphemeralSequential));

        // Deletes don't rewind the counter; every child creation advances it (§12, gotcha 6).
        (await zk.DeleteAsync(root + "/x")).AssertOk();
        (await zk.DeleteAsync(root + "/a-0000000000")).AssertOk();
        Assert.Equal(root + "/a-0000000003", await CreatePathAsync(root + "/a-", CreateMode.PersistentSequential));

        // A prefix may end in '/': the name is the bare number.
        Assert.Equal(root + "/0000000004", await CreatePathAsync(root + "/", CreateMode.PersistentSequential));

        // Failed creates don't advance it either.
        (await zk.CreateAsync(root + "/b-0000000002")).AssertError(KeeperErrorCode.NodeExists);
        Assert.Equal(root + "/c-0000000005", await CreatePathAsync(root + "/c-", CreateMode.PersistentSequential));

        // cversion = 2 × created − current: 6 created, 2 deleted → 8; numChildren 4.
        var stat = (await zk.ExistsAsync(root)).ExistsStat();
        Assert.Equal((8, 4), (stat.Cversion, stat.NumChildren));
        Assert.Equal(
            ["0000000004", "a-0000000003", "b-0000000002", "c-0000000005"],
            (await zk.GetChildrenAsync(root)).SortedChildren());
    }

    [Fact]
    public async Task StatFieldsThroughSetDataSetAclChildChangesAndDelete()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var node = root + "/n";
        var created = (await zk.CreateAsync(node, "v0"u8.ToArray())).AssertOk();
        var c = created.CreatedStat();

        // setData: version +1, mzxid and mtime move, dataLength follows; nothing else changes.
        var before = Now();
        var set = (await zk.SetDataAsync(node, "v-one"u8.ToArray(), version: 0)).AssertOk();
        var after = Now();
        var s1 = set.SetStat();
        Assert.Equal(created.Zxid + 1, set.Zxid);
        AssertTime(s1.Mtime, before, after);
        Assert.Equal(c with { Mzxid = set.Zxid, Mtime = s1.Mtime, Version = 1, DataLength = 5 }, s1);

        // The same data again still counts as a change.
        var same = (await zk.SetDataAsync(node, "v-one"u8.ToArray(), version: 1)).AssertOk();
        var s2 = same.SetStat();
        Assert.Equal(s1 with { Mzxid = same.Zxid, Mtime = s2.Mtime, Version = 2 }, s2);

        // setACL: aversion +1 only; mzxid and mtime stay (§12).
        var acl = (await zk.SetAclAsync(node, [new ACL(Perms.All, Id.AnyoneIdUnsafe), new ACL(Perms.Read, new Id("ip", "127.0.0.1"))], version: 0)).AssertOk();
        var s3 = acl.Read<SetACLResponse>().Stat;
        Assert.Equal(s2 with { Aversion = 1 }, s3);

        // Children: cversion and numChildren and pzxid; never mzxid, mtime or version.
        var child = (await zk.CreateAsync(node + "/c")).AssertOk();
        var s4 = (await zk.ExistsAsync(node)).ExistsStat();
        Assert.Equal(s3 with { Cversion = 1, NumChildren = 1, Pzxid = child.Zxid }, s4);

        // A child's data change is not a child change.
        (await zk.SetDataAsync(node + "/c", [1])).AssertOk();
        Assert.Equal(s4, (await zk.ExistsAsync(node)).ExistsStat());

        var deleted = (await zk.DeleteAsync(node + "/c", version: 1)).AssertOk();
        Assert.Empty(deleted.Reply.Body);
        var s5 = (await zk.ExistsAsync(node)).ExistsStat();
        Assert.Equal(s4 with { Cversion = 2, NumChildren = 0, Pzxid = deleted.Zxid }, s5);

        // getChildren2 carries the parent's Stat.
        var children = (await zk.GetChildren2Async(node)).AssertOk().Read<GetChildren2Response>();
        Assert.Empty(children.Children!);
        Assert.Equal(s5, children.Stat);

        // Deleting the node: the root's cversion and pzxid move.
        var gone = (await zk.DeleteAsync(node, version: 2)).AssertOk();
        var rootStat = (await zk.ExistsAsync(root)).ExistsStat();
        Assert.Equal((2, 0, gone.Zxid), (rootStat.Cversion, rootStat.NumChildren, rootStat.Pzxid));
        (await zk.ExistsAsync(node)).AssertError(KeeperErrorCode.NoNode);
    }

    [Fact]
    public async Task VersionsAreCheckedOnSetDataDeleteAndSetAcl()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var node = root + "/n";
        (await zk.CreateAsync(node)).AssertOk();
        (await zk.SetDataAsync(node, [1])).AssertOk();

        (await zk.SetDataAsync(node, [2], version: 0)).AssertError(KeeperErrorCode.BadVersion);
        (await zk.SetDataAsync(node, [2], version: 2)).AssertError(KeeperErrorCode.BadVersion);
        (await zk.SetDataAsync(node, [2], version: 1)).AssertOk();

        // setACL compares the ACL version (aversion), not the data version (§11.4, gotcha 17).
        (await zk.SetAclAsync(node, Acls.OpenAclUnsafe, version: 2)).AssertError(KeeperErrorCode.BadVersion);
        (await zk.SetAclAsync(node, Acls.OpenAclUnsafe, version: 0)).AssertOk();
        (await zk.SetAclAsync(node, Acls.OpenAclUnsafe, version: -1)).AssertOk();
        Assert.Equal(2, (await zk.ExistsAsync(node)).ExistsStat().Aversion);

        (await zk.DeleteAsync(node, version: 1)).AssertError(KeeperErrorCode.BadVersion);
        (await zk.DeleteAsync(node, version: 2)).AssertOk();
    }

    [Fact]
    public async Task ReservedNodesOfAFreshServer()
    {
        // On a server no test writes to: the facts of §12 and §19.
        var zk = await ConnectAsync(ContractServerOptions.Pristine);
        var zero = new Stat(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        var rootStat = (await zk.GetChildren2Async("/")).AssertOk();
        Assert.Equal(["zookeeper"], rootStat.SortedChildren2());
        Assert.Equal(zero with { Cversion = -1, NumChildren = 1 }, rootStat.Read<GetChildren2Response>().Stat);

        var system = (await zk.GetChildren2Async("/zookeeper")).AssertOk();
        Assert.Equal(["config", "quota"], system.SortedChildren2());
        Assert.Equal(zero with { Cversion = -2, NumChildren = 2 }, system.Read<GetChildren2Response>().Stat);

        Assert.Equal(zero, (await zk.ExistsAsync("/zookeeper/quota")).ExistsStat());

        var config = (await zk.GetDataAsync("/zookeeper/config")).AssertOk().Read<GetDataResponse>();
        Assert.Empty(config.Data ?? []);
        Assert.Equal(zero with { Aversion = -1 }, config.Stat);

        Assert.Equal([new ACL(Perms.Read, Id.AnyoneIdUnsafe)], (await zk.GetAclAsync("/zookeeper/config")).AssertOk().Read<GetACLResponse>().Acl);
        foreach (var path in new[] { "/", "/zookeeper", "/zookeeper/quota" })
        {
            Assert.Equal([new ACL(Perms.All, Id.AnyoneIdUnsafe)], (await zk.GetAclAsync(path)).AssertOk().Read<GetACLResponse>().Acl);
        }

        Assert.Equal(3, (await zk.GetAllChildrenNumberAsync("/")).AssertOk().Read<GetAllChildrenNumberResponse>().TotalNumber);
    }

    [Fact]
    public async Task ReservedNodesCannotBeDeletedOrWritten()
    {
        var zk = await ConnectAsync();
        foreach (var path in new[] { "/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config" })
        {
            (await zk.DeleteAsync(path)).AssertError(KeeperErrorCode.BadArguments);
        }

        // /zookeeper/config is world:anyone:READ; /zookeeper is open, so children may be created.
        (await zk.SetDataAsync("/zookeeper/config", [1])).AssertError(KeeperErrorCode.NoAuth);
        (await zk.CreateAsync("/zookeeper/config/x")).AssertError(KeeperErrorCode.NoAuth);
        var name = "/zookeeper/contract-" + Guid.NewGuid().ToString("n")[..8];
        (await zk.CreateAsync(name)).AssertOk();
        (await zk.DeleteAsync(name)).AssertOk();

        // "/" exists, so creating it is NodeExists.
        (await zk.CreateAsync("/")).AssertError(KeeperErrorCode.NodeExists);
    }

    [Fact]
    public async Task CreateChecksInZooKeepersOrder()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var missing = root + "/missing/x";

        // 1. flags, before anything else.
        (await zk.CallAsync(OpCode.Create, new CreateRequest(missing, [], [], 7), Ct)).AssertError(KeeperErrorCode.BadArguments);
        (await zk.CallAsync(OpCode.Create, new CreateRequest(missing, [], [], -1), Ct)).AssertError(KeeperErrorCode.BadArguments);

        // 3. a path without '/' or with NUL, before the ACL and the parent.
        (await zk.CallAsync(OpCode.Create, new CreateRequest("relative", [], [], 0), Ct)).AssertError(KeeperErrorCode.BadArguments);
        (await zk.CallAsync(OpCode.Create, new CreateRequest(root + "/missing/a\0b", [], [], 0), Ct)).AssertError(KeeperErrorCode.BadArguments);

        // 4. the ACL, before the parent.
        (await zk.CreateAsync(missing, acl: [])).AssertError(KeeperErrorCode.InvalidACL);

        // 5. the parent must exist, before full path validation: "/root/missing/" has parent "/root/missing".
        (await zk.CreateAsync(missing)).AssertError(KeeperErrorCode.NoNode);
        (await zk.CreateAsync(root + "/missing/")).AssertError(KeeperErrorCode.NoNode);
        (await zk.CreateAsync(root + "//x")).AssertError(KeeperErrorCode.NoNode);

        // 8. full validation once the parent exists.
        foreach (var name in new[] { "/", "/.", "/..", "/\u0001", "/\ue000", "/\U0001F600", "/\uffff" })
        {
            (await zk.CreateAsync(root + name)).AssertError(KeeperErrorCode.BadArguments);
        }

        // 9. exists; 10. ephemeral parent.
        (await zk.CreateAsync(root + "/e", mode: CreateMode.Ephemeral)).AssertOk();
        (await zk.CreateAsync(root + "/e")).AssertError(KeeperErrorCode.NodeExists);
        (await zk.CreateAsync(root + "/e/child")).AssertError(KeeperErrorCode.NoChildrenForEphemerals);
        (await zk.CreateAsync(root + "/e/s-", mode: CreateMode.PersistentSequential)).AssertError(KeeperErrorCode.NoChildrenForEphemerals);
        (await zk.CreateAsync(root + "/e/s-", mode: CreateMode.EphemeralSequential)).AssertError(KeeperErrorCode.NoChildrenForEphemerals);
    }

    [Fact]
    public async Task CreatePermissionIsCheckedOnTheParentAndMasksNodeExists()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.CreateAsync(root + "/p")).AssertOk();
        (await zk.CreateAsync(root + "/p/existing")).AssertOk();
        (await zk.SetAclAsync(root + "/p", [new ACL(Perms.All & ~Perms.Create, Id.AnyoneIdUnsafe)])).AssertOk();

        (await zk.CreateAsync(root + "/p/new")).AssertError(KeeperErrorCode.NoAuth);
        (await zk.CreateAsync(root + "/p/existing")).AssertError(KeeperErrorCode.NoAuth);
        (await zk.CreateAsync(root + "/p/s-", mode: CreateMode.PersistentSequential)).AssertError(KeeperErrorCode.NoAuth);

        // The child's own ACL doesn't matter for creating its children; the parent's does.
        (await zk.CreateAsync(root + "/p/existing/grandchild")).AssertOk();
    }

    [Fact]
    public async Task DeleteChecksInZooKeepersOrder()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);

        // 1. reserved paths and malformed paths.
        (await zk.DeleteAsync("relative")).AssertError(KeeperErrorCode.BadArguments);

        // 2. parent exists.
        (await zk.DeleteAsync(root + "/missing/x")).AssertError(KeeperErrorCode.NoNode);

        // 3. DELETE on the parent, before the node's existence: NoAuth masks NoNode (gotcha 16).
        (await zk.CreateAsync(root + "/locked")).AssertOk();
        (await zk.CreateAsync(root + "/locked/child")).AssertOk();
        (await zk.SetAclAsync(root + "/locked", [new ACL(Perms.All & ~Perms.Delete, Id.AnyoneIdUnsafe)])).AssertOk();
        (await zk.DeleteAsync(root + "/locked/missing")).AssertError(KeeperErrorCode.NoAuth);
        (await zk.DeleteAsync(root + "/locked/child")).AssertError(KeeperErrorCode.NoAuth);

        // The node's own ACL doesn't protect it from deletion.
        (await zk.CreateAsync(root + "/readonly", acl: Acls.ReadAclUnsafe)).AssertOk();
        (await zk.DeleteAsync(root + "/readonly")).AssertOk();

        // 4. the node exists.
        (await zk.DeleteAsync(root + "/missing")).AssertError(KeeperErrorCode.NoNode);

        // 5. version, before 6. children.
        (await zk.CreateAsync(root + "/full")).AssertOk();
        (await zk.CreateAsync(root + "/full/c")).AssertOk();
        (await zk.DeleteAsync(root + "/full", version: 5)).AssertError(KeeperErrorCode.BadVersion);
        (await zk.DeleteAsync(root + "/full", version: 0)).AssertError(KeeperErrorCode.NotEmpty);
        (await zk.DeleteAsync(root + "/full")).AssertError(KeeperErrorCode.NotEmpty);
    }

    [Fact]
    public async Task SetDataAndSetAclCheckInZooKeepersOrder()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.SetDataAsync(root + "/missing", [1])).AssertError(KeeperErrorCode.NoNode);

        // setData: WRITE on the node, before the version.
        (await zk.CreateAsync(root + "/ro", acl: [new ACL(Perms.All & ~Perms.Write, Id.AnyoneIdUnsafe)])).AssertOk();
        (await zk.SetDataAsync(root + "/ro", [1])).AssertError(KeeperErrorCode.NoAuth);
        (await zk.SetDataAsync(root + "/ro", [1], version: 9)).AssertError(KeeperErrorCode.NoAuth);

        // setACL: the ACL is checked before the node's existence, then ADMIN, then aversion.
        (await zk.SetAclAsync(root + "/missing", [])).AssertError(KeeperErrorCode.InvalidACL);
        (await zk.SetAclAsync(root + "/missing", null)).AssertError(KeeperErrorCode.InvalidACL);
        (await zk.SetAclAsync(root + "/missing", Acls.OpenAclUnsafe)).AssertError(KeeperErrorCode.NoNode);
        (await zk.CreateAsync(root + "/noadmin", acl: [new ACL(Perms.All & ~Perms.Admin, Id.AnyoneIdUnsafe)])).AssertOk();
        (await zk.SetAclAsync(root + "/noadmin", Acls.OpenAclUnsafe, version: 9)).AssertError(KeeperErrorCode.NoAuth);
        (await zk.SetAclAsync(root + "/ro", Acls.OpenAclUnsafe, version: 3)).AssertError(KeeperErrorCode.BadVersion);
    }

    [Fact]
    public async Task ReadsOfMissingNodes()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var missing = root + "/missing";
        (await zk.ExistsAsync(missing)).AssertError(KeeperErrorCode.NoNode);
        (await zk.GetDataAsync(missing)).AssertError(KeeperErrorCode.NoNode);
        (await zk.GetChildrenAsync(missing)).AssertError(KeeperErrorCode.NoNode);
        (await zk.GetChildren2Async(missing)).AssertError(KeeperErrorCode.NoNode);
        (await zk.GetAclAsync(missing)).AssertError(KeeperErrorCode.NoNode);
        (await zk.GetAllChildrenNumberAsync(missing)).AssertError(KeeperErrorCode.NoNode);
    }

    [Fact]
    public async Task DataUpToTheFrameLimitIsStoredAndLargerFramesCloseTheConnection()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk, "big");
        var path = root + "/big";

        // The whole request frame must fit in jute.maxbuffer (0xFFFFF); the data alone has no other limit.
        var overhead = RequestPayloadLength(path, []);
        var largest = new byte[JuteLimits.DefaultMaxBuffer - overhead];
        Assert.Equal(JuteLimits.DefaultMaxBuffer, RequestPayloadLength(path, largest));
        (await zk.CallAsync(OpCode.Create, new CreateRequest(path, largest, Acls.OpenAclUnsafe, 0), Ct)).AssertOk();
        Assert.Equal(largest.Length, (await zk.ExistsAsync(path)).ExistsStat().DataLength);

        // Its getData reply is larger than 0xFFFFF: a client with the default jute.maxbuffer drops
        // the connection on it (§1); the server sends it anyway.
        var bigReader = await ConnectAsync();
        bigReader.MaxFrameLength = 2 * JuteLimits.DefaultMaxBuffer;
        var read = (await bigReader.GetDataAsync(path)).AssertOk();
        Assert.True(read.Reply.Body.Length + 16 > JuteLimits.DefaultMaxBuffer);
        Assert.Equal(largest.Length, read.Read<GetDataResponse>().Data!.Length);

        // One byte more and the server closes the connection without a reply.
        var bystander = await ConnectAsync();
        var bigger = root + "/bgr";
        var tooLarge = new byte[largest.Length + 1];
        Assert.Equal(JuteLimits.DefaultMaxBuffer + 1, RequestPayloadLength(bigger, tooLarge));
        await zk.SendAsync(OpCode.Create, new CreateRequest(bigger, tooLarge, Acls.OpenAclUnsafe, 0), Ct);
        Assert.Empty(await zk.ReceiveUntilClosedAsync(Ct));
        (await bystander.ExistsAsync(bigger)).AssertError(KeeperErrorCode.NoNode);
    }

    private static int RequestPayloadLength(string path, byte[] data) =>
        RequestHeader.EncodedSize + ContractOps.Encode(new CreateRequest(path, data, Acls.OpenAclUnsafe, 0)).Length;
}
