// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>The txn of createContainer (<c>org.apache.zookeeper.txn.CreateContainerTxn</c>).</summary>
/// <param name="Path">The actual path, sequence suffix included.</param>
/// <param name="Data">The data.</param>
/// <param name="Acl">The ACL after fix-up.</param>
/// <param name="ParentCVersion">The parent's child counter after this create.</param>
public sealed record CreateContainerTxn(string Path, byte[]? Data, IReadOnlyList<ACL> Acl, int ParentCVersion) : IJuteRecord<CreateContainerTxn>
{
    /// <inheritdoc/>
    public static CreateContainerTxn Read(ref JuteReader reader) => new(
        reader.ReadRequiredString("path"),
        reader.ReadBuffer(),
        reader.ReadVector<ACL>() ?? [],
        reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data);
        writer.WriteVector(Acl);
        writer.WriteInt(ParentCVersion);
    }
}
