// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>ACL schemes, fix-up, per-op permissions, super user and auth (wire-protocol doc §4.4, §10, §11).</summary>
public sealed class AclTests
{
    private const string AliceDigest = "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=";

    private readonly TestServer _server = new(new ReplicaOptions { TickTimeMs = 2000, SuperDigest = DigestAuthenticationProvider.GenerateDigest("super:hunter2") });

    [Fact]
    public void DigestIdentityIsUserColonBase64Sha1OfTheWholeCredential_Section10() =>
        Assert.Equal(AliceDigest, DigestAuthenticationProvider.GenerateDigest("alice:secret"));

    [Fact]
    public void EveryConnectionHasItsIpIdentityAndDigestAuthAddsOne_Section4_4()
    {
        var client = _server.Connect(address: "10.1.2.3");
        Assert.Equal([new ClientInfo("ip", "10.1.2.3")], client.Ok<WhoAmIResponse>(OpCode.WhoAmI, null).ClientInfo);

        client.AddAuth("digest", "alice:secret");
        client.AddAuth("digest", "alice:secret");
        Assert.Equal(
            [new ClientInfo("ip", "10.1.2.3"), new ClientInfo("digest", "alice")],
            client.Ok<WhoAmIResponse>(OpCode.WhoAmI, null).ClientInfo);
    }

    [Fact]
    public void DualStackAddressesAreSeenAsTheirIpv4Form()
    {
        var client = _server.Connect(address: "::ffff:127.0.0.1");
        Assert.Equal([new ClientInfo("ip", "127.0.0.1")], client.Ok<WhoAmIResponse>(OpCode.WhoAmI, null).ClientInfo);
    }

    [Fact]
    public void AuthReplyHasZxidZeroAndIsNotQueuedBehindWrites_Section4_4()
    {
        var server = new TestServer(hostPersistence: true);
        var client = server.Open();
        client.SendConnect(new ConnectRequest(0, 0, 30_000, 0, new byte[16], false));
        server.PersistAll();
        client.ExpectConnected();

        var createXid = client.Send(OpCode.Create, new CreateRequest("/a", null, Acls.OpenAclUnsafe, 0));
        client.Send(OpCode.Auth, new AuthPacket(0, "digest", Encoding.UTF8.GetBytes("alice:secret")), Xids.Auth);

        Assert.Equal(new ReplyHeader(Xids.Auth, 0, 0), client.NextFrame().Header);
        server.PersistAll();
        Assert.Equal(createXid, client.NextFrame().Header.Xid);
    }

    [Fact]
    public void UnknownSchemeGetsAuthFailedWithZxidZeroThenTheConnectionCloses_Section4_4()
    {
        var client = _server.Connect();
        client.Send(OpCode.Auth, new AuthPacket(0, "kerberos", [1]), Xids.Auth);
        Assert.Equal(new ReplyHeader(Xids.Auth, 0, (int)KeeperErrorCode.AuthFailed), client.NextFrame().Header);
        client.ExpectClosed();

        // The session survives its connection.
        Assert.Equal(1, _server.Replica.GetStats().SessionCount);
    }

    [Fact]
    public void AuthWithTheIpSchemeSucceedsAndAddsNothingNew()
    {
        var client = _server.Connect();
        client.AddAuth("ip", "whatever");
        Assert.Single(client.Ok<WhoAmIResponse>(OpCode.WhoAmI, null).ClientInfo!);
    }

    [Fact]
    public void MalformedAuthPacketClosesTheConnection()
    {
        var client = _server.Connect();
        client.Send(OpCode.Auth, null, Xids.Auth, KeeperErrorCode.MarshallingError);
        client.ExpectClosed();
    }

    public static TheoryData<string, string?, KeeperErrorCode> FixupCases() => new()
    {
        { "world", "nobody", KeeperErrorCode.InvalidACL },
        { "world", null, KeeperErrorCode.MarshallingError },
        { "digest", "a:b:c", KeeperErrorCode.InvalidACL },
        { "digest", "nocolon", KeeperErrorCode.InvalidACL },
        { "digest", "a:", KeeperErrorCode.InvalidACL },
        { "digest", "a:b:", KeeperErrorCode.Ok },
        { "digest", ":hash", KeeperErrorCode.Ok },
        { "digest", null, KeeperErrorCode.MarshallingError },
        { "ip", "10.0.0.0/8", KeeperErrorCode.Ok },
        { "ip", "10.0.0.1", KeeperErrorCode.Ok },
        { "ip", "+1.2.3.4", KeeperErrorCode.Ok },
        { "ip", "10.0.0.0/33", KeeperErrorCode.InvalidACL },
        { "ip", "10.0.0", KeeperErrorCode.InvalidACL },
        { "ip", "256.0.0.1", KeeperErrorCode.InvalidACL },
        { "ip", "::1", KeeperErrorCode.InvalidACL },
        { "ip", null, KeeperErrorCode.MarshallingError },
        { "super", "x", KeeperErrorCode.InvalidACL },
        { "sasl", "bob", KeeperErrorCode.InvalidACL },
        { "nonsense", null, KeeperErrorCode.InvalidACL },
        { "auth", "", KeeperErrorCode.InvalidACL },
    };

    /// <remarks>Checked against Apache ZooKeeper 3.8: null ids hit a NullPointerException there, answered as MarshallingError.</remarks>
    [Theory]
    [MemberData(nameof(FixupCases))]
    public void AclFixupRejectsMalformedEntries_Section10(string scheme, string? id, KeeperErrorCode expected)
    {
        var client = _server.Connect();
        var reply = client.Call(OpCode.Create, new CreateRequest("/n", null, [new ACL(Perms.All, new Id(scheme, id))], 0));
        Assert.Equal(expected, reply.Header.Error);
    }

    [Fact]
    public void EmptyOrNullAclIsInvalid_Section10()
    {
        var client = _server.Connect();
        client.Fails(KeeperErrorCode.InvalidACL, OpCode.Create, new CreateRequest("/n", null, [], 0));
        client.Fails(KeeperErrorCode.InvalidACL, OpCode.Create, new CreateRequest("/n", null, null, 0));
    }

    [Fact]
    public void AuthSchemeExpandsToTheAuthenticatedIdentitiesButNotIp_Section10()
    {
        var client = _server.Connect();
        client.AddAuth("digest", "alice:secret");
        client.AddAuth("digest", "bob:pw");
        client.Create("/mine", acl: [new ACL(Perms.All, Id.AuthIds), new ACL(Perms.All, Id.AuthIds)]);

        var acl = client.Ok<GetACLResponse>(OpCode.GetACL, new GetACLRequest("/mine")).Acl!;
        Assert.Equal(
            [
                new ACL(Perms.All, new Id("digest", AliceDigest)),
                new ACL(Perms.All, new Id("digest", DigestAuthenticationProvider.GenerateDigest("bob:pw"))),
            ],
            acl);
    }

    [Fact]
    public void DuplicateEntriesAreRemoved_Section10()
    {
        var client = _server.Connect();
        var entry = new ACL(Perms.Read, new Id("ip", "10.0.0.1"));
        client.Create("/d", acl: [entry, Acls.OpenAclUnsafe[0], entry]);
        Assert.Equal([entry, Acls.OpenAclUnsafe[0]], client.Ok<GetACLResponse>(OpCode.GetACL, new GetACLRequest("/d")).Acl);
    }

    [Fact]
    public void DigestAclGrantsOnlyTheMatchingUser_Section10()
    {
        var owner = _server.Connect();
        owner.AddAuth("digest", "alice:secret");
        owner.Create("/secret", [7], acl: [new ACL(Perms.All, new Id("digest", AliceDigest))]);

        var stranger = _server.Connect();
        stranger.Fails(KeeperErrorCode.NoAuth, OpCode.GetData, new GetDataRequest("/secret", false));
        stranger.AddAuth("digest", "alice:wrong");
        stranger.Fails(KeeperErrorCode.NoAuth, OpCode.GetData, new GetDataRequest("/secret", false));
        stranger.AddAuth("digest", "alice:secret");
        Assert.Equal([7], stranger.GetData("/secret").Data);
    }

    [Fact]
    public void IpAclMatchesAddressesAndCidrBlocks_Section10()
    {
        var admin = _server.Connect();
        admin.Create("/net", [1], acl: [new ACL(Perms.Read, new Id("ip", "10.1.0.0/16")), new ACL(Perms.All, new Id("ip", "192.168.1.7"))]);

        Assert.Equal([1], _server.Connect(address: "10.1.200.3").GetData("/net").Data);
        _server.Connect(address: "10.2.0.1").Fails(KeeperErrorCode.NoAuth, OpCode.GetData, new GetDataRequest("/net", false));
        _server.Connect(address: "10.1.0.1").Fails(KeeperErrorCode.NoAuth, OpCode.SetData, new SetDataRequest("/net", null, -1));
        _server.Connect(address: "192.168.1.7").SetData("/net", [2]);
        _server.Connect(address: "::1").Fails(KeeperErrorCode.NoAuth, OpCode.GetData, new GetDataRequest("/net", false));
    }

    [Fact]
    public void SuperDigestPassesEveryCheck_Section10()
    {
        var owner = _server.Connect();
        owner.AddAuth("digest", "alice:secret");
        owner.Create("/locked", acl: [new ACL(Perms.Read, new Id("digest", AliceDigest))]);
        owner.Create("/locked2", acl: [new ACL(Perms.Read, new Id("digest", AliceDigest))]);

        var super = _server.Connect();
        super.AddAuth("digest", "super:hunter2");
        Assert.Contains(new ClientInfo("super", string.Empty), super.Ok<WhoAmIResponse>(OpCode.WhoAmI, null).ClientInfo!);
        super.SetData("/locked", [1]);
        super.Create("/locked/child");
        super.Ok<SetACLResponse>(OpCode.SetACL, new SetACLRequest("/locked2", Acls.OpenAclUnsafe, -1));
        super.Delete("/locked/child");

        // Only the configured password makes a super user.
        var impostor = _server.Connect();
        impostor.AddAuth("digest", "super:guess");
        impostor.Fails(KeeperErrorCode.NoAuth, OpCode.SetData, new SetDataRequest("/locked", [2], -1));
    }

    [Fact]
    public void EachOpChecksItsPermission_Section11()
    {
        var owner = _server.Connect();
        owner.Create("/r", acl: [new ACL(Perms.All & ~Perms.Read, Id.AnyoneIdUnsafe)]);
        owner.Create("/w", acl: [new ACL(Perms.All & ~Perms.Write, Id.AnyoneIdUnsafe)]);
        owner.Create("/c", acl: [new ACL(Perms.All & ~Perms.Create, Id.AnyoneIdUnsafe)]);
        owner.Create("/d", acl: [new ACL(Perms.All & ~Perms.Delete, Id.AnyoneIdUnsafe)]);
        owner.Create("/d/x");
        owner.Create("/a", acl: [new ACL(Perms.All & ~Perms.Admin, Id.AnyoneIdUnsafe)]);
        owner.Create("/none", acl: [new ACL(Perms.Admin, Id.AnyoneIdUnsafe)]);

        owner.Fails(KeeperErrorCode.NoAuth, OpCode.GetData, new GetDataRequest("/r", false));
        owner.Fails(KeeperErrorCode.NoAuth, OpCode.GetChildren, new GetChildrenRequest("/r", false));
        owner.Fails(KeeperErrorCode.NoAuth, OpCode.GetChildren2, new GetChildren2Request("/r", false));
        owner.Fails(KeeperErrorCode.NoAuth, OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest("/r"));
        owner.Fails(KeeperErrorCode.NoAuth, OpCode.SetData, new SetDataRequest("/w", null, -1));
        owner.Fails(KeeperErrorCode.NoAuth, OpCode.Create, new CreateRequest("/c/x", null, Acls.OpenAclUnsafe, 0));
        owner.Fails(KeeperErrorCode.NoAuth, OpCode.Delete, new DeleteRequest("/d/x", -1));
        owner.Fails(KeeperErrorCode.NoAuth, OpCode.SetACL, new SetACLRequest("/a", Acls.OpenAclUnsafe, -1));

        // READ or ADMIN is enough for getACL.
        Assert.Single(owner.Ok<GetACLResponse>(OpCode.GetACL, new GetACLRequest("/r")).Acl!);
        Assert.Single(owner.Ok<GetACLResponse>(OpCode.GetACL, new GetACLRequest("/none")).Acl!);
        owner.Create("/nothing", acl: [new ACL(Perms.Write, Id.AnyoneIdUnsafe)]);
        owner.Fails(KeeperErrorCode.NoAuth, OpCode.GetACL, new GetACLRequest("/nothing"));
    }

    [Fact]
    public void DeleteAndCreateLookOnlyAtTheParentsAcl_Section23_16()
    {
        var owner = _server.Connect();
        owner.Create("/open");
        owner.Create("/open/sealed", acl: [new ACL(Perms.Read, new Id("digest", AliceDigest))]);
        owner.Delete("/open/sealed");

        owner.Create("/cr", acl: [new ACL(Perms.Create, Id.AnyoneIdUnsafe)]);
        owner.Create("/cr/x");
        owner.Fails(KeeperErrorCode.NoAuth, OpCode.Delete, new DeleteRequest("/cr/x", -1));
    }

    [Fact]
    public void ExistsChecksReadOnExistingNodesOnly_Section11_6()
    {
        // 3.8.4+/3.9.2+ semantics (the Debian 3.8.0 build does not check).
        var owner = _server.Connect();
        owner.Create("/hidden", acl: [new ACL(Perms.Write, Id.AnyoneIdUnsafe)]);
        owner.Fails(KeeperErrorCode.NoAuth, OpCode.Exists, new ExistsRequest("/hidden", true));
        Assert.Empty(_server.Replica.GetWatches());
        owner.Fails(KeeperErrorCode.NoNode, OpCode.Exists, new ExistsRequest("/hidden/missing", false));
    }

    [Fact]
    public void GetAclMasksDigestsForCallersWithoutAdmin_Section10()
    {
        var owner = _server.Connect();
        owner.AddAuth("digest", "alice:secret");
        IReadOnlyList<ACL> acl = [new ACL(Perms.Read, Id.AnyoneIdUnsafe), new ACL(Perms.All, new Id("digest", AliceDigest))];
        owner.Create("/masked", acl: acl);

        Assert.Equal(acl, owner.Ok<GetACLResponse>(OpCode.GetACL, new GetACLRequest("/masked")).Acl);
        var reader = _server.Connect();
        Assert.Equal(
            [new ACL(Perms.Read, Id.AnyoneIdUnsafe), new ACL(Perms.All, new Id("digest", "alice:x"))],
            reader.Ok<GetACLResponse>(OpCode.GetACL, new GetACLRequest("/masked")).Acl);
    }

    [Fact]
    public void ConfigNodeIsReadOnlyForEveryoneButSuper_Section19()
    {
        var client = _server.Connect();
        Assert.Equal([new ACL(Perms.Read, Id.AnyoneIdUnsafe)], client.Ok<GetACLResponse>(OpCode.GetACL, new GetACLRequest("/zookeeper/config")).Acl);
        client.Fails(KeeperErrorCode.NoAuth, OpCode.SetData, new SetDataRequest("/zookeeper/config", [1], -1));
        client.Fails(KeeperErrorCode.NoAuth, OpCode.Create, new CreateRequest("/zookeeper/config/x", null, Acls.OpenAclUnsafe, 0));
        client.AddAuth("digest", "super:hunter2");
        client.SetData("/zookeeper/config", [1]);
    }
}
