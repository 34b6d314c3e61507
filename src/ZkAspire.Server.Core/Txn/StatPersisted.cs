// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// A znode's metadata as the server keeps it (<c>org.apache.zookeeper.data.StatPersisted</c>):
/// <see cref="Stat"/> without dataLength and numChildren, with the raw ephemeralOwner and the
/// raw child counter.
/// </summary>
/// <param name="Czxid">The zxid of the create.</param>
/// <param name="Mzxid">The zxid of the last setData (or the create).</param>
/// <param name="Ctime">Creation time from the txn header.</param>
/// <param name="Mtime">Last setData time from the txn header.</param>
/// <param name="Version">Number of setData calls.</param>
/// <param name="Cversion">
/// The number of children ever created (deletes don't touch it): the sequential suffix, and the
/// source of the reported cversion, 2 × this − numChildren (wire-protocol doc §12).
/// </param>
/// <param name="Aversion">Number of setACL calls.</param>
/// <param name="EphemeralOwner">
/// The owning session of an ephemeral, <see cref="EphemeralOwners.Container"/> for a container, a
/// TTL encoding for a TTL node, else 0 (§9).
/// </param>
/// <param name="Pzxid">The zxid of the last child create or delete (or the create).</param>
public readonly record struct StatPersisted(
    long Czxid,
    long Mzxid,
    long Ctime,
    long Mtime,
    int Version,
    int Cversion,
    int Aversion,
    long EphemeralOwner,
    long Pzxid) : IJuteRecord<StatPersisted>
{
    /// <summary>The encoded size.</summary>
    public const int EncodedSize = 60;

    /// <inheritdoc/>
    static int IJuteRecord<StatPersisted>.MinEncodedSize => EncodedSize;

    /// <summary>The metadata of a new znode (<c>DataTree.createStat</c>): everything from the create's zxid and time.</summary>
    /// <param name="zxid">The create's zxid.</param>
    /// <param name="time">The create's txn time.</param>
    /// <param name="ephemeralOwner">The raw ephemeral owner.</param>
    /// <returns>The metadata.</returns>
    public static StatPersisted ForCreate(long zxid, long time, long ephemeralOwner) =>
        new(zxid, zxid, time, time, 0, 0, 0, ephemeralOwner, zxid);

    /// <inheritdoc/>
    public static StatPersisted Read(ref JuteReader reader) => new(
        reader.ReadLong(),
        reader.ReadLong(),
        reader.ReadLong(),
        reader.ReadLong(),
        reader.ReadInt(),
        reader.ReadInt(),
        reader.ReadInt(),
        reader.ReadLong(),
        reader.ReadLong());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Write(writer.GetSpan(EncodedSize));
        writer.Advance(EncodedSize);
    }

    /// <summary>
    /// Writes the <see cref="EncodedSize"/> bytes of the record (the fields in order, big-endian,
    /// as jute writes them) into a span: for writers that lay out a whole record at once (the
    /// snapshot's node records).
    /// </summary>
    /// <param name="destination">At least <see cref="EncodedSize"/> bytes.</param>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination[..8], Czxid);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], Mzxid);
        BinaryPrimitives.WriteInt64BigEndian(destination[16..], Ctime);
        BinaryPrimitives.WriteInt64BigEndian(destination[24..], Mtime);
        BinaryPrimitives.WriteInt32BigEndian(destination[32..], Version);
        BinaryPrimitives.WriteInt32BigEndian(destination[36..], Cversion);
        BinaryPrimitives.WriteInt32BigEndian(destination[40..], Aversion);
        BinaryPrimitives.WriteInt64BigEndian(destination[44..], EphemeralOwner);
        BinaryPrimitives.WriteInt64BigEndian(destination[52..EncodedSize], Pzxid);
    }
}
