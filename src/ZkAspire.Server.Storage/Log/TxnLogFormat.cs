// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using ZkAspire.Protocol;

namespace ZkAspire.Server.Storage;

/// <summary>The header of a log segment (docs/storage-format.md §2.1).</summary>
/// <param name="Version">The format version.</param>
/// <param name="ServerId">The server that wrote it.</param>
/// <param name="FirstZxid">The zxid of its first txn (its name).</param>
/// <param name="CreatedMs">When it was created, in milliseconds since the Unix epoch.</param>
/// <param name="Flags">Bit 0: written with forceSync=no.</param>
public readonly record struct TxnLogSegmentHeader(int Version, long ServerId, long FirstZxid, long CreatedMs, int Flags)
{
    /// <summary>Gets the epoch of the segment's txns (the high 32 bits of <see cref="FirstZxid"/>).</summary>
    public int Epoch => new Zxid(FirstZxid).Epoch;

    /// <summary>Gets whether the segment was written without syncs (forceSync=no).</summary>
    public bool WrittenWithoutSync => (Flags & TxnLogFormat.FlagNoSync) != 0;
}

/// <summary>The header of one group-commit batch (docs/storage-format.md §2.2).</summary>
/// <param name="RecordsLength">The bytes of its records, record headers included.</param>
/// <param name="Count">The number of records.</param>
/// <param name="FirstZxid">The first record's zxid.</param>
/// <param name="LastZxid">The last record's zxid.</param>
internal readonly record struct TxnLogBatchHeader(int RecordsLength, int Count, long FirstZxid, long LastZxid);

/// <summary>
/// The byte layout of log segments: a 64-byte segment header, then batches, each a 32-byte batch
/// header and length-prefixed, CRC-32C-checked records holding a <c>TxnHeader</c> and a txn
/// record in jute. Big-endian throughout, as jute.
/// </summary>
internal static class TxnLogFormat
{
    /// <summary>"ZKAL".</summary>
    public const uint SegmentMagic = 0x5A4B_414C;

    /// <summary>"ZKAB".</summary>
    public const uint BatchMagic = 0x5A4B_4142;

    /// <summary>The format version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>The segment header's size.</summary>
    public const int HeaderSize = 64;

    /// <summary>A batch header's size.</summary>
    public const int BatchHeaderSize = 32;

    /// <summary>A record header's size (length and CRC).</summary>
    public const int RecordHeaderSize = 8;

    /// <summary>The segment flag of a log written with forceSync=no.</summary>
    public const int FlagNoSync = 1;

    /// <summary>The largest records region a batch may claim; anything larger is damage.</summary>
    public const int MaxBatchRecordsLength = 256 * 1024 * 1024;

    /// <summary>Writes a segment header.</summary>
    /// <param name="destination">64 bytes.</param>
    /// <param name="header">The header.</param>
    public static void WriteSegmentHeader(Span<byte> destination, TxnLogSegmentHeader header)
    {
        destination[..HeaderSize].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(destination, SegmentMagic);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)header.Version);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], HeaderSize);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], header.ServerId);
        BinaryPrimitives.WriteInt64BigEndian(destination[16..], header.FirstZxid);
        BinaryPrimitives.WriteInt64BigEndian(destination[24..], header.CreatedMs);
        BinaryPrimitives.WriteInt32BigEndian(destination[32..], header.Flags);
        BinaryPrimitives.WriteUInt32BigEndian(destination[60..], Crc32C.Compute(destination[..60]));
    }

    /// <summary>Reads a segment header.</summary>
    /// <param name="source">At least 64 bytes.</param>
    /// <param name="header">The header.</param>
    /// <returns>What is wrong with it, or <see langword="null"/>.</returns>
    public static string? ReadSegmentHeader(ReadOnlySpan<byte> source, out TxnLogSegmentHeader header)
    {
        header = default;
        if (source.Length < HeaderSize)
        {
            return $"the file is {source.Length} bytes, shorter than the {HeaderSize}-byte segment header";
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(source) != SegmentMagic)
        {
            return "the segment header has the wrong magic (not a ZkAspire log segment)";
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(source[60..]) != Crc32C.Compute(source[..60]))
        {
            return "the segment header fails its checksum";
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(source[4..]);
        if (version != Version || BinaryPrimitives.ReadUInt16BigEndian(source[6..]) != HeaderSize)
        {
            return $"the segment has format version {version}; this build reads version {Version}";
        }

        header = new TxnLogSegmentHeader(
            version,
            BinaryPrimitives.ReadInt64BigEndian(source[8..]),
            BinaryPrimitives.ReadInt64BigEndian(source[16..]),
            BinaryPrimitives.ReadInt64BigEndian(source[24..]),
            BinaryPrimitives.ReadInt32BigEndian(source[32..]));
        return null;
    }

    /// <summary>Writes a batch header.</summary>
    /// <param name="destination">32 bytes.</param>
    /// <param name="header">The header.</param>
    public static void WriteBatchHeader(Span<byte> destination, TxnLogBatchHeader header)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, BatchMagic);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], header.RecordsLength);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], header.Count);
        BinaryPrimitives.WriteInt64BigEndian(destination[12..], header.FirstZxid);
        BinaryPrimitives.WriteInt64BigEndian(destination[20..], header.LastZxid);
        BinaryPrimitives.WriteUInt32BigEndian(destination[28..], Crc32C.Compute(destination[..28]));
    }

    /// <summary>Reads a batch header.</summary>
    /// <param name="source">At least 32 bytes.</param>
    /// <param name="header">The header.</param>
    /// <returns><see langword="true"/> if it is a well-formed batch header.</returns>
    public static bool TryReadBatchHeader(ReadOnlySpan<byte> source, out TxnLogBatchHeader header)
    {
        header = default;
        if (source.Length < BatchHeaderSize
            || BinaryPrimitives.ReadUInt32BigEndian(source) != BatchMagic
            || BinaryPrimitives.ReadUInt32BigEndian(source[28..]) != Crc32C.Compute(source[..28]))
        {
            return false;
        }

        header = new TxnLogBatchHeader(
            BinaryPrimitives.ReadInt32BigEndian(source[4..]),
            BinaryPrimitives.ReadInt32BigEndian(source[8..]),
            BinaryPrimitives.ReadInt64BigEndian(source[12..]),
            BinaryPrimitives.ReadInt64BigEndian(source[20..]));
        return header.Count > 0
            && header.RecordsLength >= header.Count * (RecordHeaderSize + 28)
            && header.RecordsLength <= MaxBatchRecordsLength
            && header.LastZxid >= header.FirstZxid;
    }

    /// <summary>
    /// Whether <paramref name="next"/> may follow <paramref name="previous"/> in a log: the next
    /// counter in the same epoch, or counter 1 of a later epoch (a new leader's epoch, or a
    /// standalone server's rollover).
    /// </summary>
    /// <param name="previous">A zxid.</param>
    /// <param name="next">The zxid after it.</param>
    /// <returns><see langword="true"/> if there is no gap.</returns>
    public static bool IsNextZxid(long previous, long next)
    {
        if (next == previous + 1 && (uint)next != uint.MaxValue)
        {
            return true;
        }

        var p = new Zxid(previous);
        var n = new Zxid(next);
        return n.Epoch > p.Epoch && n.Counter == 1;
    }
}
