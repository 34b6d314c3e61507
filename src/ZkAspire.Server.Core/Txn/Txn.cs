// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// One sub-txn of a <see cref="MultiTxn"/> (<c>org.apache.zookeeper.txn.Txn</c>): on the wire its
/// type and the sub-txn's bytes as a buffer.
/// </summary>
/// <param name="Type">The sub-txn's type (an opcode, or <see cref="OpCode.Error"/>).</param>
/// <param name="Record">The sub-txn record.</param>
public sealed record Txn(int Type, IJuteRecord Record) : IJuteRecord<Txn>
{
    /// <summary>Gets the type as an opcode.</summary>
    public OpCode OpCode => (OpCode)Type;

    /// <inheritdoc/>
    static int IJuteRecord<Txn>.MinEncodedSize => 8;

    /// <inheritdoc/>
    public static Txn Read(ref JuteReader reader)
    {
        var type = reader.ReadInt();
        var bytes = reader.ReadBufferSpan(out var isNull);
        if (isNull)
        {
            throw new ProtocolException("A sub-txn of a multi txn has no data.");
        }

        var inner = new JuteReader(bytes);
        var record = TxnRecords.Read(type, ref inner)
            ?? throw new ProtocolException($"Invalid sub-txn type {type} in a multi txn.");
        return new Txn(type, record);
    }

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(Type);

        // The jute field is a buffer holding the serialized record; reserve its length and fill it in.
        var mark = writer.BeginFrame();
        Record.Write(writer);
        writer.EndFrame(mark);
    }
}
