// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>The remaining opcodes of wire-protocol doc §6 and how undecodable or unknown requests are answered.</summary>
public sealed class OpcodeTests
{
    private readonly TestServer _server = new();
    private readonly TestClient _client;

    public OpcodeTests() => _client = _server.Connect();

    [Theory]
    [InlineData(99)]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData((int)OpCode.Error)]
    [InlineData((int)OpCode.Check)]
    public void UnknownOpcodeGetsUnimplementedWithZxidMinusOneThenTheConnectionCloses_Section6(int type)
    {
        var xid = _client.SendRaw(type, null);
        Assert.Equal(new ReplyHeader(xid, -1, (int)KeeperErrorCode.Unimplemented), _client.NextFrame().Header);
        _client.ExpectClosed();

        // The session outlives its connection.
        Assert.Equal(1, _server.Replica.GetStats().SessionCount);
    }

    /// <remarks>
    /// Deliberate difference: ZooKeeper accepts these server-internal opcodes from clients, and
    /// deleteContainer then deletes any empty non-ephemeral node without an ACL check.
    /// </remarks>
    [Theory]
    [InlineData((int)OpCode.DeleteContainer)]
    [InlineData((int)OpCode.CreateSession)]
    public void ServerInternalOpcodesAreUnknownToClients(int type)
    {
        _client.Create("/victim", acl: [new ACL(Perms.Read, Id.AnyoneIdUnsafe)]);
        var xid = _client.SendRaw(type, type == (int)OpCode.DeleteContainer ? new DeleteContainerRequest("/victim") : null);
        Assert.Equal(new ReplyHeader(xid, -1, (int)KeeperErrorCode.Unimplemented), _client.NextFrame().Header);
        _client.ExpectClosed();
        Assert.NotNull(_server.Replica.Tree.GetNode("/victim"));
    }

    [Fact]
    public void ReconfigIsDisabledAndConsumesAZxid_Section6()
    {
        var before = _server.Replica.LastProcessedZxid;
        var reply = _client.Fails(KeeperErrorCode.ReconfigDisabled, OpCode.Reconfig, new ReconfigRequest(null, null, "server.1=localhost:2888:3888;2181", -1));
        Assert.Equal(before + 1, reply.Header.Zxid);
    }

    [Fact]
    public void GetConfigReadsTheEmptyConfigNode_Section19()
    {
        var config = _client.GetData("/zookeeper/config");
        Assert.Empty(config.Data!);
        Assert.Equal(-1, config.Stat.Aversion);
    }

    [Fact]
    public void PingRepliesWithXidMinusTwoAndTheLastZxid_Section5()
    {
        _client.Create("/a");
        _client.Send(OpCode.Ping, null, Xids.Ping);
        Assert.Equal(new ReplyHeader(Xids.Ping, 2, 0), _client.NextFrame().Header);
    }

    [Fact]
    public void SyncEchoesThePath_Section6()
    {
        Assert.Equal(new SyncResponse("/any/path"), _client.Ok<SyncResponse>(OpCode.Sync, new SyncRequest("/any/path")));
    }

    /// <remarks>Checked on Apache ZooKeeper 3.8 without SASL configured: OK, zxid 0, a null token.</remarks>
    [Fact]
    public void SaslWithoutSaslConfiguredAnswersOkWithANullToken()
    {
        var xid = _client.Send(OpCode.Sasl, new GetSASLRequest([]));
        var reply = _client.NextFrame();
        Assert.Equal(new ReplyHeader(xid, 0, 0), reply.Header);
        Assert.Equal(new SetSASLResponse(null), reply.Body);
    }

    [Fact]
    public void SaslWithANullTokenClosesTheConnection()
    {
        _client.Send(OpCode.Sasl, new GetSASLRequest(null));
        _client.ExpectClosed();
    }

    [Fact]
    public void WhoAmIListsTheConnectionsIdentities_Section11_6() =>
        Assert.Equal([new ClientInfo("ip", "127.0.0.1")], _client.Ok<WhoAmIResponse>(OpCode.WhoAmI, null).ClientInfo);

    [Fact]
    public void GetEphemeralsListsTheSessionsOwnByStringPrefix_Section6()
    {
        _client.Create("/app");
        _client.Create("/app/e1", mode: CreateMode.Ephemeral);
        _client.Create("/apple", mode: CreateMode.Ephemeral);
        _client.Create("/other", mode: CreateMode.Ephemeral);
        _server.Connect().Create("/app/theirs", mode: CreateMode.Ephemeral);

        Assert.Equal(["/app/e1", "/apple", "/other"], Ephemerals(string.Empty));
        Assert.Equal(["/app/e1", "/apple", "/other"], Ephemerals("/"));
        Assert.Equal(["/app/e1", "/apple", "/other"], Ephemerals(" / "));
        Assert.Equal(["/app/e1", "/apple"], Ephemerals("/app"));
        Assert.Equal(["/app/e1"], Ephemerals("/app/"));
        Assert.Empty(Ephemerals("/nothing"));
    }

    [Fact]
    public void GetAllChildrenNumberCountsDescendants_Section6()
    {
        _client.Create("/a");
        _client.Create("/a/b");
        _client.Create("/a/b/c");
        _client.Create("/a/d");
        Assert.Equal(3, _client.Ok<GetAllChildrenNumberResponse>(OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest("/a")).TotalNumber);
        _client.Fails(KeeperErrorCode.NoNode, OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest("/zz"));
    }

    [Theory]
    [InlineData(OpCode.GetData)]
    [InlineData(OpCode.Exists)]
    [InlineData(OpCode.Create)]
    [InlineData(OpCode.SetData)]
    [InlineData(OpCode.SetWatches)]
    public void UndecodableBodyIsAnsweredWithMarshallingErrorInOrderWithoutAZxid_Section7(OpCode type)
    {
        var before = _server.Replica.LastProcessedZxid;
        var xid = _client.Send(type, null, decodeError: KeeperErrorCode.MarshallingError);
        Assert.Equal(new ReplyHeader(xid, before, (int)KeeperErrorCode.MarshallingError), _client.NextFrame().Header);
        Assert.Equal(before, _server.Replica.LastProcessedZxid);
        Assert.Equal(KeeperErrorCode.Ok, _client.Call(OpCode.Ping).Header.Error);
    }

    [Fact]
    public void BodyOfTheWrongTypeIsAMarshallingError()
    {
        var xid = _client.Send(OpCode.GetData, new SyncRequest("/"));
        Assert.Equal(KeeperErrorCode.MarshallingError, _client.NextFrame().Header.Error);
        _client.Fails(KeeperErrorCode.MarshallingError, OpCode.Create, new DeleteRequest("/", -1));
        Assert.True(xid > 0);
    }

    [Fact]
    public void DataLargerThanTheBufferLimitIsRefused()
    {
        var server = new TestServer(new ReplicaOptions { TickTimeMs = 2000, MaxBufferBytes = 1024 });
        var client = server.Connect();
        client.Fails(KeeperErrorCode.BadArguments, OpCode.Create, new CreateRequest("/big", new byte[1025], Acls.OpenAclUnsafe, 0));
        client.Create("/fits", new byte[1024]);
        client.Fails(KeeperErrorCode.BadArguments, OpCode.SetData, new SetDataRequest("/fits", new byte[2000], -1));
    }

    [Fact]
    public void ReservedNodesCannotBeDeletedButTakeChildren_Section19()
    {
        _client.Create("/zookeeper/mine");
        _client.Create("/zookeeper/quota/app");
        Assert.Equal(["config", "mine", "quota"], _client.Children("/zookeeper"));
        _client.Delete("/zookeeper/mine");
        _client.Fails(KeeperErrorCode.BadArguments, OpCode.Delete, new DeleteRequest("/zookeeper/quota", -1));
    }

    [Fact]
    public void FreshServerReportsFiveNodes_Section21()
    {
        var stats = new TestServer().Replica.GetStats();
        Assert.Equal(5, stats.NodeCount);
        Assert.Equal(0, stats.LastProcessedZxid);
        Assert.Equal(ServerMode.Standalone, stats.Mode);
    }

    private string[] Ephemerals(string prefix) =>
        [.. _client.Ok<GetEphemeralsResponse>(OpCode.GetEphemerals, new GetEphemeralsRequest(prefix)).Ephemerals!.Order(StringComparer.Ordinal)];
}
