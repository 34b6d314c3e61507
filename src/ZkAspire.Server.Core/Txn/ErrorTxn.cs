// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// The txn of a write that failed validation (<c>org.apache.zookeeper.txn.ErrorTxn</c>): it
/// changes nothing but consumes a zxid, which the error reply carries (wire-protocol doc §11).
/// </summary>
/// <param name="Err">The error code.</param>
public sealed record ErrorTxn(int Err) : IJuteRecord<ErrorTxn>
{
    /// <summary>Gets the error code.</summary>
    public KeeperErrorCode Error => (KeeperErrorCode)Err;

    /// <inheritdoc/>
    static int IJuteRecord<ErrorTxn>.MinEncodedSize => 4;

    /// <inheritdoc/>
    public static ErrorTxn Read(ref JuteReader reader) => new(reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteInt(Err);
}
