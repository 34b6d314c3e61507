// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>The txn of delete and deleteContainer (<c>org.apache.zookeeper.txn.DeleteTxn</c>).</summary>
/// <param name="Path">The node to delete.</param>
public sealed record DeleteTxn(string Path) : IJuteRecord<DeleteTxn>
{
    /// <inheritdoc/>
    public static DeleteTxn Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"));

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteString(Path);
}
