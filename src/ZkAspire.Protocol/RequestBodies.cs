// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>Maps opcodes to the records that carry their request bodies.</summary>
public static class RequestBodies
{
    /// <summary>
    /// Decodes the body of a client request with the given opcode.
    /// </summary>
    /// <param name="type">The opcode from the request header.</param>
    /// <param name="reader">A reader positioned after the header.</param>
    /// <param name="record">The body, or <see langword="null"/> for opcodes without one.</param>
    /// <returns><see langword="false"/> if the opcode is not a client request ZooKeeper knows.</returns>
    /// <exception cref="ProtocolException">The body does not decode.</exception>
    public static bool TryRead(OpCode type, ref JuteReader reader, out IJuteRecord? record)
    {
        record = type switch
        {
            OpCode.Create or OpCode.Create2 or OpCode.CreateContainer => reader.ReadRecord<CreateRequest>(),
            OpCode.CreateTTL => reader.ReadRecord<CreateTTLRequest>(),
            OpCode.Delete => reader.ReadRecord<DeleteRequest>(),
            OpCode.Exists => reader.ReadRecord<ExistsRequest>(),
            OpCode.GetData => reader.ReadRecord<GetDataRequest>(),
            OpCode.SetData => reader.ReadRecord<SetDataRequest>(),
            OpCode.GetACL => reader.ReadRecord<GetACLRequest>(),
            OpCode.SetACL => reader.ReadRecord<SetACLRequest>(),
            OpCode.GetChildren => reader.ReadRecord<GetChildrenRequest>(),
            OpCode.GetChildren2 => reader.ReadRecord<GetChildren2Request>(),
            OpCode.Sync => reader.ReadRecord<SyncRequest>(),
            OpCode.Check => reader.ReadRecord<CheckVersionRequest>(),
            OpCode.Multi or OpCode.MultiRead => reader.ReadRecord<MultiRequest>(),
            OpCode.Reconfig => reader.ReadRecord<ReconfigRequest>(),
            OpCode.CheckWatches => reader.ReadRecord<CheckWatchesRequest>(),
            OpCode.RemoveWatches => reader.ReadRecord<RemoveWatchesRequest>(),
            OpCode.DeleteContainer => reader.ReadRecord<DeleteContainerRequest>(),
            OpCode.Auth => reader.ReadRecord<AuthPacket>(),
            OpCode.SetWatches => reader.ReadRecord<SetWatches>(),
            OpCode.Sasl => reader.ReadRecord<GetSASLRequest>(),
            OpCode.GetEphemerals => reader.ReadRecord<GetEphemeralsRequest>(),
            OpCode.GetAllChildrenNumber => reader.ReadRecord<GetAllChildrenNumberRequest>(),
            OpCode.SetWatches2 => reader.ReadRecord<SetWatches2>(),
            OpCode.AddWatch => reader.ReadRecord<AddWatchRequest>(),
            _ => null,
        };

        return record is not null || type is OpCode.Ping or OpCode.CloseSession or OpCode.WhoAmI;
    }
}
