// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>Body of create, create2 and createContainer.</summary>
/// <param name="Path">The path to create (a prefix, for sequential modes).</param>
/// <param name="Data">The data; may be <see langword="null"/>.</param>
/// <param name="Acl">The ACL of the new node.</param>
/// <param name="Flags">The <see cref="CreateMode"/> as an int.</param>
public sealed record CreateRequest(string Path, byte[]? Data, IReadOnlyList<ACL>? Acl, int Flags) : IJuteRecord<CreateRequest>
{
    /// <inheritdoc/>
    public static CreateRequest Read(ref JuteReader reader) =>
        new(reader.ReadRequiredString("path"), reader.ReadBuffer(), reader.ReadVector<ACL>(), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data);
        writer.WriteVector(Acl);
        writer.WriteInt(Flags);
    }
}

/// <summary>Body of createTTL.</summary>
/// <param name="Path">The path to create.</param>
/// <param name="Data">The data.</param>
/// <param name="Acl">The ACL of the new node.</param>
/// <param name="Flags">The <see cref="CreateMode"/> as an int (5 or 6).</param>
/// <param name="Ttl">The time to live in milliseconds, 1 to 2^40−1.</param>
public sealed record CreateTTLRequest(string Path, byte[]? Data, IReadOnlyList<ACL>? Acl, int Flags, long Ttl) : IJuteRecord<CreateTTLRequest>
{
    /// <inheritdoc/>
    public static CreateTTLRequest Read(ref JuteReader reader) =>
        new(reader.ReadRequiredString("path"), reader.ReadBuffer(), reader.ReadVector<ACL>(), reader.ReadInt(), reader.ReadLong());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data);
        writer.WriteVector(Acl);
        writer.WriteInt(Flags);
        writer.WriteLong(Ttl);
    }
}

/// <summary>Body of delete.</summary>
/// <param name="Path">The node.</param>
/// <param name="Version">The expected version, or −1 for any.</param>
public sealed record DeleteRequest(string Path, int Version) : IJuteRecord<DeleteRequest>
{
    /// <inheritdoc/>
    public static DeleteRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt(Version);
    }
}

/// <summary>Body of check, inside a multi.</summary>
/// <param name="Path">The node.</param>
/// <param name="Version">The expected version, or −1 for any.</param>
public sealed record CheckVersionRequest(string Path, int Version) : IJuteRecord<CheckVersionRequest>
{
    /// <inheritdoc/>
    public static CheckVersionRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt(Version);
    }
}

/// <summary>Body of exists.</summary>
/// <param name="Path">The node.</param>
/// <param name="Watch">Whether to leave a data watch (even if the node is missing).</param>
public sealed record ExistsRequest(string Path, bool Watch) : IJuteRecord<ExistsRequest>
{
    /// <inheritdoc/>
    public static ExistsRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadBool());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBool(Watch);
    }
}

/// <summary>Body of getData.</summary>
/// <param name="Path">The node.</param>
/// <param name="Watch">Whether to leave a data watch.</param>
public sealed record GetDataRequest(string Path, bool Watch) : IJuteRecord<GetDataRequest>
{
    /// <inheritdoc/>
    public static GetDataRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadBool());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBool(Watch);
    }
}

/// <summary>Body of setData.</summary>
/// <param name="Path">The node.</param>
/// <param name="Data">The new data.</param>
/// <param name="Version">The expected version, or −1 for any.</param>
public sealed record SetDataRequest(string Path, byte[]? Data, int Version) : IJuteRecord<SetDataRequest>
{
    /// <inheritdoc/>
    public static SetDataRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadBuffer(), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data);
        writer.WriteInt(Version);
    }
}

/// <summary>Body of getACL.</summary>
/// <param name="Path">The node.</param>
public sealed record GetACLRequest(string Path) : IJuteRecord<GetACLRequest>
{
    /// <inheritdoc/>
    public static GetACLRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"));

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteString(Path);
}

/// <summary>Body of setACL.</summary>
/// <param name="Path">The node.</param>
/// <param name="Acl">The new ACL.</param>
/// <param name="Version">The expected ACL version (aversion), or −1 for any.</param>
public sealed record SetACLRequest(string Path, IReadOnlyList<ACL>? Acl, int Version) : IJuteRecord<SetACLRequest>
{
    /// <inheritdoc/>
    public static SetACLRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadVector<ACL>(), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteVector(Acl);
        writer.WriteInt(Version);
    }
}

/// <summary>Body of getChildren.</summary>
/// <param name="Path">The node.</param>
/// <param name="Watch">Whether to leave a child watch.</param>
public sealed record GetChildrenRequest(string Path, bool Watch) : IJuteRecord<GetChildrenRequest>
{
    /// <inheritdoc/>
    public static GetChildrenRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadBool());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBool(Watch);
    }
}

/// <summary>Body of getChildren2.</summary>
/// <param name="Path">The node.</param>
/// <param name="Watch">Whether to leave a child watch.</param>
public sealed record GetChildren2Request(string Path, bool Watch) : IJuteRecord<GetChildren2Request>
{
    /// <inheritdoc/>
    public static GetChildren2Request Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadBool());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBool(Watch);
    }
}

/// <summary>Body of getAllChildrenNumber.</summary>
/// <param name="Path">The node.</param>
public sealed record GetAllChildrenNumberRequest(string Path) : IJuteRecord<GetAllChildrenNumberRequest>
{
    /// <inheritdoc/>
    public static GetAllChildrenNumberRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"));

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteString(Path);
}

/// <summary>Body of getEphemerals.</summary>
/// <param name="PrefixPath">A string prefix of the paths to list; empty or <c>/</c> for all.</param>
public sealed record GetEphemeralsRequest(string PrefixPath) : IJuteRecord<GetEphemeralsRequest>
{
    /// <inheritdoc/>
    public static GetEphemeralsRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("prefixPath"));

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteString(PrefixPath);
}

/// <summary>Body of sync.</summary>
/// <param name="Path">The path (echoed back).</param>
public sealed record SyncRequest(string Path) : IJuteRecord<SyncRequest>
{
    /// <inheritdoc/>
    public static SyncRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"));

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteString(Path);
}

/// <summary>Body of setWatches: one-shot watches to re-register after a reconnect.</summary>
/// <param name="RelativeZxid">The last zxid the client saw; changes after it fire at once.</param>
/// <param name="DataWatches">Paths with data watches.</param>
/// <param name="ExistWatches">Paths with exists watches on missing nodes.</param>
/// <param name="ChildWatches">Paths with child watches.</param>
public sealed record SetWatches(long RelativeZxid, IReadOnlyList<string>? DataWatches, IReadOnlyList<string>? ExistWatches, IReadOnlyList<string>? ChildWatches)
    : IJuteRecord<SetWatches>
{
    /// <inheritdoc/>
    public static SetWatches Read(ref JuteReader reader) =>
        new(reader.ReadLong(), reader.ReadStringVector(), reader.ReadStringVector(), reader.ReadStringVector());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteLong(RelativeZxid);
        writer.WriteStringVector(DataWatches);
        writer.WriteStringVector(ExistWatches);
        writer.WriteStringVector(ChildWatches);
    }
}

/// <summary>Body of setWatches2: one-shot and persistent watches to re-register after a reconnect.</summary>
/// <param name="RelativeZxid">The last zxid the client saw.</param>
/// <param name="DataWatches">Paths with data watches.</param>
/// <param name="ExistWatches">Paths with exists watches on missing nodes.</param>
/// <param name="ChildWatches">Paths with child watches.</param>
/// <param name="PersistentWatches">Paths with persistent watches.</param>
/// <param name="PersistentRecursiveWatches">Paths with persistent recursive watches.</param>
public sealed record SetWatches2(
    long RelativeZxid,
    IReadOnlyList<string>? DataWatches,
    IReadOnlyList<string>? ExistWatches,
    IReadOnlyList<string>? ChildWatches,
    IReadOnlyList<string>? PersistentWatches,
    IReadOnlyList<string>? PersistentRecursiveWatches) : IJuteRecord<SetWatches2>
{
    /// <inheritdoc/>
    public static SetWatches2 Read(ref JuteReader reader) => new(
        reader.ReadLong(),
        reader.ReadStringVector(),
        reader.ReadStringVector(),
        reader.ReadStringVector(),
        reader.ReadStringVector(),
        reader.ReadStringVector());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteLong(RelativeZxid);
        writer.WriteStringVector(DataWatches);
        writer.WriteStringVector(ExistWatches);
        writer.WriteStringVector(ChildWatches);
        writer.WriteStringVector(PersistentWatches);
        writer.WriteStringVector(PersistentRecursiveWatches);
    }
}

/// <summary>Body of addWatch.</summary>
/// <param name="Path">The path to watch (need not exist).</param>
/// <param name="Mode">The <see cref="AddWatchMode"/> as an int.</param>
public sealed record AddWatchRequest(string Path, int Mode) : IJuteRecord<AddWatchRequest>
{
    /// <inheritdoc/>
    public static AddWatchRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt(Mode);
    }
}

/// <summary>Body of checkWatches.</summary>
/// <param name="Path">The path.</param>
/// <param name="Type">The <see cref="WatcherType"/> as an int.</param>
public sealed record CheckWatchesRequest(string Path, int Type) : IJuteRecord<CheckWatchesRequest>
{
    /// <inheritdoc/>
    public static CheckWatchesRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt(Type);
    }
}

/// <summary>Body of removeWatches.</summary>
/// <param name="Path">The path.</param>
/// <param name="Type">The <see cref="WatcherType"/> as an int.</param>
public sealed record RemoveWatchesRequest(string Path, int Type) : IJuteRecord<RemoveWatchesRequest>
{
    /// <inheritdoc/>
    public static RemoveWatchesRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt(Type);
    }
}

/// <summary>Body of reconfig.</summary>
/// <param name="JoiningServers">Servers to add.</param>
/// <param name="LeavingServers">Server ids to remove.</param>
/// <param name="NewMembers">A whole new member list.</param>
/// <param name="CurConfigId">The expected config version, or −1.</param>
public sealed record ReconfigRequest(string? JoiningServers, string? LeavingServers, string? NewMembers, long CurConfigId) : IJuteRecord<ReconfigRequest>
{
    /// <inheritdoc/>
    public static ReconfigRequest Read(ref JuteReader reader) => new(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadLong());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteString(JoiningServers);
        writer.WriteString(LeavingServers);
        writer.WriteString(NewMembers);
        writer.WriteLong(CurConfigId);
    }
}

/// <summary>Body of a SASL request: a token from the client.</summary>
/// <param name="Token">The token.</param>
public sealed record GetSASLRequest(byte[]? Token) : IJuteRecord<GetSASLRequest>
{
    /// <inheritdoc/>
    public static GetSASLRequest Read(ref JuteReader reader) => new(reader.ReadBuffer());

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteBuffer(Token);
}

/// <summary>Body of the server-internal deleteContainer: the path as a buffer of UTF-8 bytes.</summary>
/// <param name="Path">The container's path.</param>
public sealed record DeleteContainerRequest(string Path) : IJuteRecord<DeleteContainerRequest>
{
    /// <inheritdoc/>
    public static DeleteContainerRequest Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"));

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteString(Path);
}
