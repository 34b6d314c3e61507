// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// A transaction as the persistence seam sees it (<c>org.apache.zookeeper.server.TxnLogEntry</c>):
/// the header and the txn record, written one after the other.
/// </summary>
/// <param name="Header">The header.</param>
/// <param name="Txn">The txn record: <see cref="CreateTxn"/>, <see cref="DeleteTxn"/>, <see cref="MultiTxn"/>, <see cref="ErrorTxn"/>, ….</param>
public sealed record TxnLogEntry(TxnHeader Header, IJuteRecord Txn) : IJuteRecord<TxnLogEntry>
{
    /// <inheritdoc/>
    static int IJuteRecord<TxnLogEntry>.MinEncodedSize => TxnHeader.EncodedSize;

    /// <summary>Gets the zxid.</summary>
    public long Zxid => Header.Zxid;

    /// <inheritdoc/>
    public static TxnLogEntry Read(ref JuteReader reader)
    {
        var header = reader.ReadRecord<TxnHeader>();
        var txn = TxnRecords.Read(header.Type, ref reader)
            ?? throw new ProtocolException($"Unknown txn type {header.Type}.");
        return new TxnLogEntry(header, txn);
    }

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        Header.Write(writer);
        Txn.Write(writer);
    }
}
