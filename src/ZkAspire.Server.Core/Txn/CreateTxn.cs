// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>The txn of create and create2 (<c>org.apache.zookeeper.txn.CreateTxn</c>).</summary>
/// <param name="Path">The actual path, sequence suffix included.</param>
/// <param name="Data">The data; may be <see langword="null"/>.</param>
/// <param name="Acl">The ACL after fix-up.</param>
/// <param name="Ephemeral">Whether the node belongs to the txn's session.</param>
/// <param name="ParentCVersion">The parent's child counter after this create.</param>
public sealed record CreateTxn(string Path, byte[]? Data, IReadOnlyList<ACL> Acl, bool Ephemeral, int ParentCVersion) : IJuteRecord<CreateTxn>
{
    /// <inheritdoc/>
    public static CreateTxn Read(ref JuteReader reader) => new(
        reader.ReadRequiredString("path"),
        reader.ReadBuffer(),
        reader.ReadVector<ACL>() ?? [],
        reader.ReadBool(),
        reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data);
        writer.WriteVector(Acl);
        writer.WriteBool(Ephemeral);
        writer.WriteInt(ParentCVersion);
    }
}
