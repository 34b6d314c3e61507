// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>The txn of a check op inside a multi (<c>org.apache.zookeeper.txn.CheckVersionTxn</c>); it changes nothing.</summary>
/// <param name="Path">The node checked.</param>
/// <param name="Version">The node's version plus one, as ZooKeeper records it.</param>
public sealed record CheckVersionTxn(string Path, int Version) : IJuteRecord<CheckVersionTxn>
{
    /// <inheritdoc/>
    public static CheckVersionTxn Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt(Version);
    }
}
