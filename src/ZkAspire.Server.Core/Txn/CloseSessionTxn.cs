// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// The txn that ends a session (<c>org.apache.zookeeper.txn.CloseSessionTxn</c>), by request or
/// by expiry; it deletes the session's ephemerals, all under its one zxid (wire-protocol doc §16).
/// </summary>
/// <param name="Paths2Delete">The ephemerals to delete, as known when the txn was prepped.</param>
public sealed record CloseSessionTxn(IReadOnlyList<string> Paths2Delete) : IJuteRecord<CloseSessionTxn>
{
    /// <inheritdoc/>
    public static CloseSessionTxn Read(ref JuteReader reader) => new(reader.ReadStringVector() ?? []);

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteStringVector(Paths2Delete);
}
