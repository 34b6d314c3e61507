// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// The header of every transaction (<c>org.apache.zookeeper.txn.TxnHeader</c>): who asked, which
/// request, its zxid, the single timestamp every change in it uses, and its type.
/// </summary>
/// <param name="ClientId">The session that sent the request (0 for server-internal ones such as deleteContainer).</param>
/// <param name="Cxid">The xid of the request.</param>
/// <param name="Zxid">The transaction's zxid.</param>
/// <param name="Time">Milliseconds since the Unix epoch when the request was prepped; ctime/mtime come from it.</param>
/// <param name="Type">The txn type: an opcode, or <see cref="OpCode.Error"/> for an error txn.</param>
public readonly record struct TxnHeader(long ClientId, int Cxid, long Zxid, long Time, int Type) : IJuteRecord<TxnHeader>
{
    /// <summary>The encoded size of a txn header.</summary>
    public const int EncodedSize = 28;

    /// <summary>Gets the type as an opcode.</summary>
    public OpCode OpCode => (OpCode)Type;

    /// <inheritdoc/>
    static int IJuteRecord<TxnHeader>.MinEncodedSize => EncodedSize;

    /// <inheritdoc/>
    public static TxnHeader Read(ref JuteReader reader) =>
        new(reader.ReadLong(), reader.ReadInt(), reader.ReadLong(), reader.ReadLong(), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteLong(ClientId);
        writer.WriteInt(Cxid);
        writer.WriteLong(Zxid);
        writer.WriteLong(Time);
        writer.WriteInt(Type);
    }
}
