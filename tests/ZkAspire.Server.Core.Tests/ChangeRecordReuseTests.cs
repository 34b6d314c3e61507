// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// Prep reuses the change records of applied txns for the next writes: writes in flight must
/// still see exactly the changes before them, never a reused record's old state.
/// </summary>
public sealed class ChangeRecordReuseTests
{
    private readonly TestServer _server = new(hostPersistence: true);

    [Fact]
    public void Writes_in_flight_see_the_changes_before_them_after_records_were_reused()
    {
        var client = _server.Open();
        client.SendConnect(new ConnectRequest(0, 0, 30_000, 0, new byte[16], false));
        _server.PersistAll();
        client.ExpectConnected();
        for (var round = 0; round < 3; round++)
        {
            var node = "/n" + round;

            // In flight together: each is validated against the change record of the one before.
            var create = client.Send(OpCode.Create, new CreateRequest(node, [1], Acls.OpenAclUnsafe, 0));
            var set = client.Send(OpCode.SetData, new SetDataRequest(node, [2], 0));
            var child = client.Send(OpCode.Create, new CreateRequest(node + "/c", null, Acls.OpenAclUnsafe, 0));
            var staleSet = client.Send(OpCode.SetData, new SetDataRequest(node, [3], 0));
            var deleteParent = client.Send(OpCode.Delete, new DeleteRequest(node, 1));
            var deleteChild = client.Send(OpCode.Delete, new DeleteRequest(node + "/c", 0));
            var deleteAgain = client.Send(OpCode.Delete, new DeleteRequest(node + "/c", -1));
            var setMissing = client.Send(OpCode.SetData, new SetDataRequest(node + "/c", [4], -1));
            _server.PersistAll();

            Assert.Equal(KeeperErrorCode.Ok, client.ReadReply(create).Header.Error);
            Assert.Equal(1, Assert.IsType<SetDataResponse>(client.ReadReply(set).Body).Stat.Version);
            Assert.Equal(KeeperErrorCode.Ok, client.ReadReply(child).Header.Error);
            Assert.Equal(KeeperErrorCode.BadVersion, client.ReadReply(staleSet).Header.Error);
            Assert.Equal(KeeperErrorCode.NotEmpty, client.ReadReply(deleteParent).Header.Error);
            Assert.Equal(KeeperErrorCode.Ok, client.ReadReply(deleteChild).Header.Error);
            Assert.Equal(KeeperErrorCode.NoNode, client.ReadReply(deleteAgain).Header.Error);
            Assert.Equal(KeeperErrorCode.NoNode, client.ReadReply(setMissing).Header.Error);

            Assert.Equal([2], client.GetData(node).Data);
            Assert.Empty(client.Children(node));
        }
    }
}
