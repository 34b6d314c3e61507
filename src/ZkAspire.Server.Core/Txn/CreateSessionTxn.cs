// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>The txn that creates a session (<c>org.apache.zookeeper.txn.CreateSessionTxn</c>); the session id is the header's clientId.</summary>
/// <param name="TimeOut">The negotiated timeout in milliseconds.</param>
public sealed record CreateSessionTxn(int TimeOut) : IJuteRecord<CreateSessionTxn>
{
    /// <inheritdoc/>
    static int IJuteRecord<CreateSessionTxn>.MinEncodedSize => 4;

    /// <inheritdoc/>
    public static CreateSessionTxn Read(ref JuteReader reader) => new(reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteInt(TimeOut);
}
