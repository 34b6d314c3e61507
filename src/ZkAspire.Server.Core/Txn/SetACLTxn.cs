// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>The txn of setACL (<c>org.apache.zookeeper.txn.SetACLTxn</c>).</summary>
/// <param name="Path">The node.</param>
/// <param name="Acl">The new ACL after fix-up.</param>
/// <param name="Version">The node's aversion after this write.</param>
public sealed record SetACLTxn(string Path, IReadOnlyList<ACL> Acl, int Version) : IJuteRecord<SetACLTxn>
{
    /// <inheritdoc/>
    public static SetACLTxn Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadVector<ACL>() ?? [], reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteVector(Acl);
        writer.WriteInt(Version);
    }
}
