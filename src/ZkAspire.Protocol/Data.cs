// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>An identity in an ACL or of a connection: a scheme and an id (<c>org.apache.zookeeper.data.Id</c>).</summary>
/// <param name="Scheme">The scheme: world, auth, digest, ip, super, …</param>
/// <param name="Identity">The id within the scheme, e.g. <c>anyone</c> or <c>user:hash</c>.</param>
public sealed record Id(string? Scheme, string? Identity) : IJuteRecord<Id>
{
    /// <summary>Gets <c>world:anyone</c>.</summary>
    public static Id AnyoneIdUnsafe { get; } = new("world", "anyone");

    /// <summary>Gets <c>auth:</c>, which a create or setACL replaces by the caller's authenticated ids.</summary>
    public static Id AuthIds { get; } = new("auth", string.Empty);

    /// <inheritdoc/>
    static int IJuteRecord<Id>.MinEncodedSize => 8;

    /// <inheritdoc/>
    public static Id Read(ref JuteReader reader) => new(reader.ReadString(), reader.ReadString());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Scheme);
        writer.WriteString(Identity);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Scheme}:{Identity}";
}

/// <summary>One entry of a znode's access control list (<c>org.apache.zookeeper.data.ACL</c>).</summary>
/// <param name="Perms">The permissions granted.</param>
/// <param name="Id">To whom.</param>
public sealed record ACL(Perms Perms, Id Id) : IJuteRecord<ACL>
{
    /// <inheritdoc/>
    static int IJuteRecord<ACL>.MinEncodedSize => 12;

    /// <inheritdoc/>
    public static ACL Read(ref JuteReader reader) => new((Perms)reader.ReadInt(), reader.ReadRecord<Id>());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteInt((int)Perms);
        Id.Write(writer);
    }
}

/// <summary>Well-known ACL lists (<c>ZooDefs.Ids</c>).</summary>
public static class Acls
{
    /// <summary>Gets a completely open ACL: all permissions to <c>world:anyone</c>.</summary>
    public static IReadOnlyList<ACL> OpenAclUnsafe { get; } = [new ACL(Perms.All, Id.AnyoneIdUnsafe)];

    /// <summary>Gets an ACL that gives the creator's authenticated ids all permissions.</summary>
    public static IReadOnlyList<ACL> CreatorAllAcl { get; } = [new ACL(Perms.All, Id.AuthIds)];

    /// <summary>Gets an ACL that lets anyone read.</summary>
    public static IReadOnlyList<ACL> ReadAclUnsafe { get; } = [new ACL(Perms.Read, Id.AnyoneIdUnsafe)];
}

/// <summary>The metadata of a znode (<c>org.apache.zookeeper.data.Stat</c>), 68 bytes on the wire.</summary>
/// <param name="Czxid">The zxid of the create.</param>
/// <param name="Mzxid">The zxid of the last setData (or the create).</param>
/// <param name="Ctime">Creation time, milliseconds since the Unix epoch.</param>
/// <param name="Mtime">Last modification time, milliseconds since the Unix epoch.</param>
/// <param name="Version">Number of setData calls.</param>
/// <param name="Cversion">Number of child changes (2 × children ever created − current children).</param>
/// <param name="Aversion">Number of setACL calls.</param>
/// <param name="EphemeralOwner">The owning session of an ephemeral node, else 0.</param>
/// <param name="DataLength">The data's length (0 for null data).</param>
/// <param name="NumChildren">The number of children.</param>
/// <param name="Pzxid">The zxid of the last child create or delete (or the create).</param>
public readonly record struct Stat(
    long Czxid,
    long Mzxid,
    long Ctime,
    long Mtime,
    int Version,
    int Cversion,
    int Aversion,
    long EphemeralOwner,
    int DataLength,
    int NumChildren,
    long Pzxid) : IJuteRecord<Stat>
{
    /// <summary>The encoded size of a Stat.</summary>
    public const int EncodedSize = 68;

    /// <inheritdoc/>
    static int IJuteRecord<Stat>.MinEncodedSize => EncodedSize;

    /// <inheritdoc/>
    public static Stat Read(ref JuteReader reader) => new(
        reader.ReadLong(),
        reader.ReadLong(),
        reader.ReadLong(),
        reader.ReadLong(),
        reader.ReadInt(),
        reader.ReadInt(),
        reader.ReadInt(),
        reader.ReadLong(),
        reader.ReadInt(),
        reader.ReadInt(),
        reader.ReadLong());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteLong(Czxid);
        writer.WriteLong(Mzxid);
        writer.WriteLong(Ctime);
        writer.WriteLong(Mtime);
        writer.WriteInt(Version);
        writer.WriteInt(Cversion);
        writer.WriteInt(Aversion);
        writer.WriteLong(EphemeralOwner);
        writer.WriteInt(DataLength);
        writer.WriteInt(NumChildren);
        writer.WriteLong(Pzxid);
    }
}

/// <summary>One authenticated identity of a connection, as whoAmI reports it.</summary>
/// <param name="AuthScheme">The scheme, e.g. <c>ip</c> or <c>digest</c>.</param>
/// <param name="User">The user within the scheme.</param>
public sealed record ClientInfo(string? AuthScheme, string? User) : IJuteRecord<ClientInfo>
{
    /// <inheritdoc/>
    static int IJuteRecord<ClientInfo>.MinEncodedSize => 8;

    /// <inheritdoc/>
    public static ClientInfo Read(ref JuteReader reader) => new(reader.ReadString(), reader.ReadString());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(AuthScheme);
        writer.WriteString(User);
    }
}
