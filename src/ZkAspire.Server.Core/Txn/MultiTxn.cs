// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// The txn of a multi (<c>org.apache.zookeeper.txn.MultiTxn</c>): one sub-txn per op, all under
/// the multi's zxid and time. A failed multi holds the txns prepped before the failure, the
/// failing op's <see cref="ErrorTxn"/> and <see cref="ErrorTxn"/>s of −2 after it; applying it
/// changes nothing (wire-protocol doc §14.3).
/// </summary>
/// <param name="Txns">The sub-txns, in op order.</param>
public sealed record MultiTxn(IReadOnlyList<Txn> Txns) : IJuteRecord<MultiTxn>
{
    /// <inheritdoc/>
    public static MultiTxn Read(ref JuteReader reader) => new(reader.ReadVector<Txn>() ?? []);

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteVector(Txns);
}
