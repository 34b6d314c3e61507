// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>The txn of setData (<c>org.apache.zookeeper.txn.SetDataTxn</c>).</summary>
/// <param name="Path">The node.</param>
/// <param name="Data">The new data.</param>
/// <param name="Version">The node's version after this write.</param>
public sealed record SetDataTxn(string Path, byte[]? Data, int Version) : IJuteRecord<SetDataTxn>
{
    /// <inheritdoc/>
    public static SetDataTxn Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadBuffer(), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data);
        writer.WriteInt(Version);
    }
}
