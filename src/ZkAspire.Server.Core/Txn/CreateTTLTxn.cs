// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>The txn of createTTL (<c>org.apache.zookeeper.txn.CreateTTLTxn</c>).</summary>
/// <param name="Path">The actual path, sequence suffix included.</param>
/// <param name="Data">The data.</param>
/// <param name="Acl">The ACL after fix-up.</param>
/// <param name="ParentCVersion">The parent's child counter after this create.</param>
/// <param name="Ttl">The time to live in milliseconds.</param>
public sealed record CreateTTLTxn(string Path, byte[]? Data, IReadOnlyList<ACL> Acl, int ParentCVersion, long Ttl) : IJuteRecord<CreateTTLTxn>
{
    /// <inheritdoc/>
    public static CreateTTLTxn Read(ref JuteReader reader) => new(
        reader.ReadRequiredString("path"),
        reader.ReadBuffer(),
        reader.ReadVector<ACL>() ?? [],
        reader.ReadInt(),
        reader.ReadLong());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data);
        writer.WriteVector(Acl);
        writer.WriteInt(ParentCVersion);
        writer.WriteLong(Ttl);
    }
}
