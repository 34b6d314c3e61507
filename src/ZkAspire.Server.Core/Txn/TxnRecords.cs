// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>Maps txn types to the records that carry them (as <c>SerializeUtils.deserializeTxn</c> does).</summary>
public static class TxnRecords
{
    /// <summary>Reads the txn record of a given type.</summary>
    /// <param name="type">The txn type from the <see cref="TxnHeader"/> or <see cref="Txn"/>.</param>
    /// <param name="reader">The reader, positioned at the record.</param>
    /// <returns>The record, or <see langword="null"/> for a type that has none.</returns>
    /// <exception cref="ProtocolException">The bytes do not form the record.</exception>
    public static IJuteRecord? Read(int type, ref JuteReader reader) => (OpCode)type switch
    {
        OpCode.Create or OpCode.Create2 => reader.ReadRecord<CreateTxn>(),
        OpCode.CreateTTL => reader.ReadRecord<CreateTTLTxn>(),
        OpCode.CreateContainer => reader.ReadRecord<CreateContainerTxn>(),
        OpCode.Delete or OpCode.DeleteContainer => reader.ReadRecord<DeleteTxn>(),
        OpCode.SetData or OpCode.Reconfig => reader.ReadRecord<SetDataTxn>(),
        OpCode.SetACL => reader.ReadRecord<SetACLTxn>(),
        OpCode.Check => reader.ReadRecord<CheckVersionTxn>(),
        OpCode.CreateSession => reader.ReadRecord<CreateSessionTxn>(),
        OpCode.CloseSession => reader.ReadRecord<CloseSessionTxn>(),
        OpCode.Error => reader.ReadRecord<ErrorTxn>(),
        OpCode.Multi => reader.ReadRecord<MultiTxn>(),
        _ => null,
    };
}
