// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests.Contract;

/// <summary>Authentication, ACL checks per operation, and the session-level reads (§4.4, §10, §11.6).</summary>
public abstract partial class ZooKeeperContractTests<TFixture>
{
    private static readonly string AliceDigest = ContractServerOptions.Digest("alice", "secret");

    [Fact]
    public async Task DigestAuthAddsAnIdentityAndWhoAmIListsThem()
    {
        var zk = await ConnectAsync();
        Assert.Equal([new ClientInfo("ip", "127.0.0.1")], (await zk.WhoAmIAsync()).AssertOk().Read<WhoAmIResponse>().ClientInfo);

        // Auth replies at once with xid −4 and zxid 0, no body (§4.4).
        var auth = await zk.DigestAsync("alice", "secret");
        Assert.Equal(new ReplyHeader(Xids.Auth, 0, 0), auth.Reply.Header);
        Assert.Empty(auth.Reply.Body);

        // Digest never fails: any user:password is an identity, even without a colon.
        (await zk.DigestAsync("bob", "other")).AssertOk();
        (await zk.AuthAsync("digest", "nocolon")).AssertOk();
        var identities = (await zk.WhoAmIAsync()).AssertOk().Read<WhoAmIResponse>().ClientInfo!;
        Assert.Equal(
            [new ClientInfo("digest", "alice"), new ClientInfo("digest", "bob"), new ClientInfo("digest", "nocolon"), new ClientInfo("ip", "127.0.0.1")],
            identities.OrderBy(i => i.AuthScheme, StringComparer.Ordinal).ThenBy(i => i.User, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("foo", "bar")]
    [InlineData("world", "anyone")]
    [InlineData("super", "x")]
    public async Task AnUnknownAuthSchemeFailsAndClosesTheConnection(string scheme, string credentials)
    {
        var zk = await ConnectAsync();
        var auth = await zk.AuthAsync(scheme, credentials);
        Assert.Equal(new ReplyHeader(Xids.Auth, 0, (int)KeeperErrorCode.AuthFailed), auth.Reply.Header);
        Assert.Empty(await zk.ReceiveUntilClosedAsync(Ct));
    }

    [Fact]
    public async Task TheAuthSchemeExpandsToTheCallersAuthenticatedIdentities()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);

        // Without credentials, auth: is invalid; ip identities don't count (§10).
        (await zk.CreateAsync(root + "/a", acl: Acls.CreatorAllAcl)).AssertError(KeeperErrorCode.InvalidACL);

        (await zk.DigestAsync("alice", "secret")).AssertOk();
        (await zk.DigestAsync("bob", "other")).AssertOk();
        (await zk.CreateAsync(root + "/a", acl: Acls.CreatorAllAcl)).AssertOk();
        var acl = (await zk.GetAclAsync(root + "/a")).AssertOk().Read<GetACLResponse>();
        Assert.Equal(
            [new ACL(Perms.All, new Id("digest", AliceDigest)), new ACL(Perms.All, new Id("digest", ContractServerOptions.Digest("bob", "other")))],
            acl.Acl!.OrderBy(a => a.Id.Identity, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("world", "someone")]
    [InlineData("digest", "alice")]
    [InlineData("digest", "a:b:c")]
    [InlineData("ip", "not-an-ip")]
    [InlineData("ip", "300.0.0.1")]
    [InlineData("ip", "10.0.0.0/33")]
    [InlineData("foo", "bar")]
    [InlineData("auth", "x")]
    [InlineData("super", "x")]
    [InlineData("x509", "CN=a")]
    [InlineData(null, "anyone")]
    public async Task InvalidAcls(string? scheme, string id)
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.CreateAsync(root + "/a", acl: [new ACL(Perms.All, new Id(scheme, id))])).AssertError(KeeperErrorCode.InvalidACL);
        (await zk.SetAclAsync(root, [new ACL(Perms.All, new Id(scheme, id))])).AssertError(KeeperErrorCode.InvalidACL);
    }

    [Fact]
    public async Task AclEdgeCasesThatAreAccepted()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);

        // No permission bits, unknown bits, CIDR host bits: all stored as given.
        (await zk.CreateAsync(root + "/none", acl: [new ACL(Perms.None, Id.AnyoneIdUnsafe)])).AssertOk();
        (await zk.CreateAsync(root + "/odd", acl: [new ACL((Perms)64 | Perms.Read, Id.AnyoneIdUnsafe)])).AssertOk();
        (await zk.CreateAsync(root + "/cidr", acl: [new ACL(Perms.All, new Id("ip", "127.0.0.1/8"))])).AssertOk();
        Assert.Equal([new ACL((Perms)64 | Perms.Read, Id.AnyoneIdUnsafe)], (await zk.GetAclAsync(root + "/odd")).AssertOk().Read<GetACLResponse>().Acl);

        // Exact duplicates are dropped; entries differing in perms are kept.
        (await zk.CreateAsync(root + "/dup", acl: [.. Acls.OpenAclUnsafe, .. Acls.OpenAclUnsafe, .. Acls.ReadAclUnsafe])).AssertOk();
        Assert.Equal([.. Acls.OpenAclUnsafe, .. Acls.ReadAclUnsafe], (await zk.GetAclAsync(root + "/dup")).AssertOk().Read<GetACLResponse>().Acl);

        // An ACL with no permissions denies even reads, but the parent's DELETE still lets it go.
        (await zk.GetDataAsync(root + "/none")).AssertError(KeeperErrorCode.NoAuth);
        (await zk.DeleteAsync(root + "/none")).AssertOk();
    }

    [Fact]
    public async Task PermissionsAreCheckedPerOperation()
    {
        var alice = await ConnectAsync();
        var bob = await ConnectAsync();
        (await alice.DigestAsync("alice", "secret")).AssertOk();
        (await bob.DigestAsync("bob", "other")).AssertOk();
        var root = await NewRootAsync(alice);
        var node = root + "/n";
        IReadOnlyList<ACL> aliceOnly = [new ACL(Perms.All, new Id("digest", AliceDigest))];
        (await alice.CreateAsync(node, [1], acl: aliceOnly)).AssertOk();
        (await alice.CreateAsync(node + "/kid")).AssertOk();

        foreach (var call in new Func<RawZooKeeperConnection, Task<RawCall>>[]
        {
            c => c.GetDataAsync(node),
            c => c.GetChildrenAsync(node),
            c => c.GetChildren2Async(node),
            c => c.GetAclAsync(node),
            c => c.GetAllChildrenNumberAsync(node),
            c => c.SetDataAsync(node, [2]),
            c => c.SetAclAsync(node, aliceOnly),
            c => c.CreateAsync(node + "/new"),
            c => c.DeleteAsync(node + "/kid"),
        })
        {
            (await call(bob)).AssertError(KeeperErrorCode.NoAuth);
            (await call(alice)).AssertOk();
        }

        // exists checks READ since 3.8.4/3.9.2; Debian's 3.8.0 does not (§11.6, §24).
        var exists = await bob.ExistsAsync(node);
        if (Traits.ExistsChecksRead)
        {
            exists.AssertError(KeeperErrorCode.NoAuth);
        }
        else
        {
            exists.AssertOk();
        }
    }

    [Fact]
    public async Task EachPermissionBitGuardsItsOperations()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);

        async Task<string> NodeWithAsync(Perms perms, string name)
        {
            var path = root + "/" + name;
            (await zk.CreateAsync(path, [1])).AssertOk();
            (await zk.CreateAsync(path + "/kid")).AssertOk();
            (await zk.SetAclAsync(path, [new ACL(perms, Id.AnyoneIdUnsafe)])).AssertOk();
            return path;
        }

        var read = await NodeWithAsync(Perms.Read, "read");
        (await zk.GetDataAsync(read)).AssertOk();
        (await zk.GetChildrenAsync(read)).AssertOk();
        (await zk.GetAclAsync(read)).AssertOk();
        (await zk.SetDataAsync(read, [2])).AssertError(KeeperErrorCode.NoAuth);
        (await zk.CreateAsync(read + "/x")).AssertError(KeeperErrorCode.NoAuth);
        (await zk.DeleteAsync(read + "/kid")).AssertError(KeeperErrorCode.NoAuth);
        (await zk.SetAclAsync(read, Acls.OpenAclUnsafe)).AssertError(KeeperErrorCode.NoAuth);

        // getACL needs READ or ADMIN (§10).
        var admin = await NodeWithAsync(Perms.Admin, "admin");
        (await zk.GetAclAsync(admin)).AssertOk();
        (await zk.GetDataAsync(admin)).AssertError(KeeperErrorCode.NoAuth);
        var write = await NodeWithAsync(Perms.Write, "write");
        (await zk.GetAclAsync(write)).AssertError(KeeperErrorCode.NoAuth);
        (await zk.SetDataAsync(write, [2])).AssertOk();
        (await zk.GetDataAsync(write)).AssertError(KeeperErrorCode.NoAuth);

        var create = await NodeWithAsync(Perms.Create, "create");
        (await zk.CreateAsync(create + "/x")).AssertOk();
        (await zk.DeleteAsync(create + "/x")).AssertError(KeeperErrorCode.NoAuth);

        var delete = await NodeWithAsync(Perms.Delete, "delete");
        (await zk.DeleteAsync(delete + "/kid")).AssertOk();
        (await zk.CreateAsync(delete + "/kid")).AssertError(KeeperErrorCode.NoAuth);

        // multi's check needs READ (§11.5).
        var check = await zk.MultiAsync(ContractOps.Check(write, 0));
        Assert.Equal([KeeperErrorCode.NoAuth], check.AssertOk().Read<MultiResponse>().Results.Select(r => r.Err));
    }

    [Fact]
    public async Task IpAclsMatchTheConnectionsAddress()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.CreateAsync(root + "/exact", [1], acl: [new ACL(Perms.All, new Id("ip", "127.0.0.1"))])).AssertOk();
        (await zk.CreateAsync(root + "/cidr", [1], acl: [new ACL(Perms.All, new Id("ip", "127.0.0.0/8"))])).AssertOk();
        (await zk.CreateAsync(root + "/other", [1], acl: [new ACL(Perms.All, new Id("ip", "10.0.0.0/8"))])).AssertOk();
        (await zk.GetDataAsync(root + "/exact")).AssertOk();
        (await zk.GetDataAsync(root + "/cidr")).AssertOk();
        (await zk.GetDataAsync(root + "/other")).AssertError(KeeperErrorCode.NoAuth);
    }

    [Fact]
    public async Task GetAclMasksDigestsForCallersWithoutAdmin()
    {
        var zk = await ConnectAsync();
        (await zk.DigestAsync("alice", "secret")).AssertOk();
        var root = await NewRootAsync(zk);
        IReadOnlyList<ACL> acl = [new ACL(Perms.Read, Id.AnyoneIdUnsafe), new ACL(Perms.All, new Id("digest", AliceDigest))];
        (await zk.CreateAsync(root + "/n", acl: acl)).AssertOk();

        // Alice has ADMIN and sees the hash; a stranger with READ sees "alice:x" (§10).
        Assert.Equal(acl, (await zk.GetAclAsync(root + "/n")).AssertOk().Read<GetACLResponse>().Acl);
        var stranger = await ConnectAsync();
        Assert.Equal(
            [new ACL(Perms.Read, Id.AnyoneIdUnsafe), new ACL(Perms.All, new Id("digest", "alice:x"))],
            (await stranger.GetAclAsync(root + "/n")).AssertOk().Read<GetACLResponse>().Acl);
    }

    [Fact]
    public async Task TheSuperUserPassesEveryCheck()
    {
        var alice = await ConnectAsync();
        (await alice.DigestAsync("alice", "secret")).AssertOk();
        var root = await NewRootAsync(alice);
        (await alice.CreateAsync(root + "/n", [1], acl: [new ACL(Perms.All, new Id("digest", AliceDigest))])).AssertOk();

        var super = await ConnectAsync();
        (await super.DigestAsync(ContractServerOptions.SuperUser, ContractServerOptions.SuperPassword)).AssertOk();
        Assert.Contains(new ClientInfo("super", string.Empty), (await super.WhoAmIAsync()).AssertOk().Read<WhoAmIResponse>().ClientInfo!);
        (await super.GetDataAsync(root + "/n")).AssertOk();
        (await super.SetDataAsync(root + "/n", [2])).AssertOk();
        Assert.Equal(AliceDigest, (await super.GetAclAsync(root + "/n")).AssertOk().Read<GetACLResponse>().Acl![0].Id.Identity);
        (await super.DeleteAsync(root + "/n")).AssertOk();

        // A wrong super password is just another digest identity.
        var impostor = await ConnectAsync();
        (await impostor.DigestAsync(ContractServerOptions.SuperUser, "guess")).AssertOk();
        (await alice.CreateAsync(root + "/m", [1], acl: [new ACL(Perms.All, new Id("digest", AliceDigest))])).AssertOk();
        (await impostor.GetDataAsync(root + "/m")).AssertError(KeeperErrorCode.NoAuth);
    }

    [Fact]
    public async Task GetEphemeralsListsThisSessionsEphemeralsByStringPrefix()
    {
        var zk = await ConnectAsync();
        var other = await ConnectAsync();
        var root = await NewRootAsync(zk);
        (await zk.CreateAsync(root + "/e1", mode: CreateMode.Ephemeral)).AssertOk();
        (await zk.CreateAsync(root + "/e2", mode: CreateMode.EphemeralSequential)).AssertOk();
        (await zk.CreateAsync(root + "/p")).AssertOk();
        (await zk.CreateAsync(root + "/p/e3", mode: CreateMode.Ephemeral)).AssertOk();
        (await other.CreateAsync(root + "/theirs", mode: CreateMode.Ephemeral)).AssertOk();

        static string[] Sorted(RawCall call) => [.. call.AssertOk().Read<GetEphemeralsResponse>().Ephemerals!.Order(StringComparer.Ordinal)];

        string[] mine = [root + "/e1", root + "/e20000000001", root + "/p/e3"];
        Assert.Equal(mine, Sorted(await zk.GetEphemeralsAsync("/")));
        Assert.Equal(mine, Sorted(await zk.GetEphemeralsAsync(string.Empty)));
        Assert.Equal(mine, Sorted(await zk.GetEphemeralsAsync(root)));

        // The prefix is a string prefix, not a path: "/root/e" matches "/root/e1" and "/root/e2…".
        Assert.Equal([root + "/e1", root + "/e20000000001"], Sorted(await zk.GetEphemeralsAsync(root + "/e")));
        Assert.Equal([root + "/p/e3"], Sorted(await zk.GetEphemeralsAsync(root + "/p")));
        Assert.Empty(Sorted(await zk.GetEphemeralsAsync(root + "/missing")));
        Assert.Equal([root + "/theirs"], Sorted(await other.GetEphemeralsAsync("/")));
    }

    [Fact]
    public async Task GetAllChildrenNumberCountsEveryDescendant()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        static int Count(RawCall call) => call.AssertOk().Read<GetAllChildrenNumberResponse>().TotalNumber;
        Assert.Equal(0, Count(await zk.GetAllChildrenNumberAsync(root)));
        (await zk.CreateAsync(root + "/a")).AssertOk();
        (await zk.CreateAsync(root + "/a/b")).AssertOk();
        (await zk.CreateAsync(root + "/a/b/c")).AssertOk();
        (await zk.CreateAsync(root + "/d", mode: CreateMode.Ephemeral)).AssertOk();
        Assert.Equal(4, Count(await zk.GetAllChildrenNumberAsync(root)));
        Assert.Equal(2, Count(await zk.GetAllChildrenNumberAsync(root + "/a")));
        Assert.Equal(2, Count(await zk.GetAllChildrenNumberAsync("/zookeeper")));
    }

    [Fact]
    public async Task SyncEchoesThePathWhateverItIs()
    {
        var zk = await ConnectAsync();
        var root = await NewRootAsync(zk);
        var baseline = await LastZxidAsync(zk);
        foreach (var path in new[] { root, root + "/missing/x", "/", "not-a-path" })
        {
            var sync = (await zk.SyncAsync(path)).AssertOk();
            Assert.Equal(new SyncResponse(path), sync.Read<SyncResponse>());
            Assert.Equal(baseline, sync.Zxid);
        }
    }
}
