// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>Reply to create: the actual path (with any sequence suffix).</summary>
/// <param name="Path">The created node's path.</param>
public sealed record CreateResponse(string Path) : IJuteRecord<CreateResponse>
{
    /// <inheritdoc/>
    public static CreateResponse Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"));

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteString(Path);
}

/// <summary>Reply to create2, createContainer and createTTL: the actual path and the new node's Stat.</summary>
/// <param name="Path">The created node's path.</param>
/// <param name="Stat">The new node's Stat.</param>
public sealed record Create2Response(string Path, Stat Stat) : IJuteRecord<Create2Response>
{
    /// <inheritdoc/>
    public static Create2Response Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadRecord<Stat>());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        Stat.Write(writer);
    }
}

/// <summary>Reply to exists when the node exists.</summary>
/// <param name="Stat">The node's Stat.</param>
public sealed record ExistsResponse(Stat Stat) : IJuteRecord<ExistsResponse>
{
    /// <inheritdoc/>
    public static ExistsResponse Read(ref JuteReader reader) => new(reader.ReadRecord<Stat>());

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => Stat.Write(writer);
}

/// <summary>Reply to getData.</summary>
/// <param name="Data">The data (<see langword="null"/> if stored as null).</param>
/// <param name="Stat">The node's Stat.</param>
public sealed record GetDataResponse(byte[]? Data, Stat Stat) : IJuteRecord<GetDataResponse>
{
    /// <inheritdoc/>
    public static GetDataResponse Read(ref JuteReader reader) => new(reader.ReadBuffer(), reader.ReadRecord<Stat>());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteBuffer(Data);
        Stat.Write(writer);
    }
}

/// <summary>Reply to setData.</summary>
/// <param name="Stat">The node's new Stat.</param>
public sealed record SetDataResponse(Stat Stat) : IJuteRecord<SetDataResponse>
{
    /// <inheritdoc/>
    public static SetDataResponse Read(ref JuteReader reader) => new(reader.ReadRecord<Stat>());

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => Stat.Write(writer);
}

/// <summary>Reply to getACL.</summary>
/// <param name="Acl">The ACL (digest hashes masked without ADMIN).</param>
/// <param name="Stat">The node's Stat.</param>
public sealed record GetACLResponse(IReadOnlyList<ACL>? Acl, Stat Stat) : IJuteRecord<GetACLResponse>
{
    /// <inheritdoc/>
    public static GetACLResponse Read(ref JuteReader reader) => new(reader.ReadVector<ACL>(), reader.ReadRecord<Stat>());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteVector(Acl);
        Stat.Write(writer);
    }
}

/// <summary>Reply to setACL.</summary>
/// <param name="Stat">The node's new Stat.</param>
public sealed record SetACLResponse(Stat Stat) : IJuteRecord<SetACLResponse>
{
    /// <inheritdoc/>
    public static SetACLResponse Read(ref JuteReader reader) => new(reader.ReadRecord<Stat>());

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => Stat.Write(writer);
}

/// <summary>Reply to getChildren: child names, in no particular order.</summary>
/// <param name="Children">The child names (not full paths).</param>
public sealed record GetChildrenResponse(IReadOnlyList<string>? Children) : IJuteRecord<GetChildrenResponse>
{
    /// <inheritdoc/>
    public static GetChildrenResponse Read(ref JuteReader reader) => new(reader.ReadStringVector());

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteStringVector(Children);
}

/// <summary>Reply to getChildren2: child names and the parent's Stat.</summary>
/// <param name="Children">The child names.</param>
/// <param name="Stat">The parent's Stat.</param>
public sealed record GetChildren2Response(IReadOnlyList<string>? Children, Stat Stat) : IJuteRecord<GetChildren2Response>
{
    /// <inheritdoc/>
    public static GetChildren2Response Read(ref JuteReader reader) => new(reader.ReadStringVector(), reader.ReadRecord<Stat>());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteStringVector(Children);
        Stat.Write(writer);
    }
}

/// <summary>Reply to getAllChildrenNumber.</summary>
/// <param name="TotalNumber">The number of descendants.</param>
public sealed record GetAllChildrenNumberResponse(int TotalNumber) : IJuteRecord<GetAllChildrenNumberResponse>
{
    /// <inheritdoc/>
    public static GetAllChildrenNumberResponse Read(ref JuteReader reader) => new(reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteInt(TotalNumber);
}

/// <summary>Reply to getEphemerals: full paths of the session's ephemeral nodes.</summary>
/// <param name="Ephemerals">The paths.</param>
public sealed record GetEphemeralsResponse(IReadOnlyList<string>? Ephemerals) : IJuteRecord<GetEphemeralsResponse>
{
    /// <inheritdoc/>
    public static GetEphemeralsResponse Read(ref JuteReader reader) => new(reader.ReadStringVector());

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteStringVector(Ephemerals);
}

/// <summary>Reply to sync.</summary>
/// <param name="Path">The path of the request.</param>
public sealed record SyncResponse(string Path) : IJuteRecord<SyncResponse>
{
    /// <inheritdoc/>
    public static SyncResponse Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"));

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteString(Path);
}

/// <summary>Reply to whoAmI.</summary>
/// <param name="ClientInfo">One entry per identity of the connection.</param>
public sealed record WhoAmIResponse(IReadOnlyList<ClientInfo>? ClientInfo) : IJuteRecord<WhoAmIResponse>
{
    /// <inheritdoc/>
    public static WhoAmIResponse Read(ref JuteReader reader) => new(reader.ReadVector<ClientInfo>());

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteVector(ClientInfo);
}

/// <summary>Reply to a SASL request: a token from the server.</summary>
/// <param name="Token">The token.</param>
public sealed record SetSASLResponse(byte[]? Token) : IJuteRecord<SetSASLResponse>
{
    /// <inheritdoc/>
    public static SetSASLResponse Read(ref JuteReader reader) => new(reader.ReadBuffer());

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteBuffer(Token);
}
