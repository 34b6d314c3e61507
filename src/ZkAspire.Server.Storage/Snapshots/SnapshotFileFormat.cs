// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;

namespace ZkAspire.Server.Storage;

/// <summary>The header of a snapshot file (docs/storage-format.md §3.1).</summary>
/// <param name="Version">The format version.</param>
/// <param name="ServerId">The server that wrote it.</param>
/// <param name="StartZxid">The last zxid applied when it began (its name); the log is replayed from the next.</param>
/// <param name="NodeCountAtStart">The znodes when it began.</param>
/// <param name="SessionCount">The sessions it holds.</param>
/// <param name="CreatedMs">When it began, in milliseconds since the Unix epoch.</param>
public readonly record struct SnapshotFileHeader(int Version, long ServerId, long StartZxid, long NodeCountAtStart, int SessionCount, long CreatedMs);

/// <summary>The trailer of a complete snapshot file (docs/storage-format.md §3.3).</summary>
/// <param name="ChunkCount">The chunks before it.</param>
/// <param name="PayloadBytes">The bytes of all chunk payloads.</param>
/// <param name="PayloadCrc">The CRC-32C of all payloads in order.</param>
internal readonly record struct SnapshotTrailer(int ChunkCount, long PayloadBytes, uint PayloadCrc);

/// <summary>
/// The byte layout of snapshot files: a 64-byte header, chunks (length, CRC-32C, payload of whole
/// snapshot records from <c>ReplicaSnapshot</c>), and a 32-byte trailer that counts the chunks and
/// checksums all payloads, so a file cut short, a missing or reordered chunk and a flipped bit are
/// all detected.
/// </summary>
internal static class SnapshotFileFormat
{
    /// <summary>"ZKAS".</summary>
    public const uint Magic = 0x5A4B_4153;

    /// <summary>The format version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>The header's size.</summary>
    public const int HeaderSize = 64;

    /// <summary>A chunk header's size.</summary>
    public const int ChunkHeaderSize = 8;

    /// <summary>The trailer's size.</summary>
    public const int TrailerSize = 32;

    /// <summary>The length field value that marks the trailer.</summary>
    public const uint TrailerMarker = 0xFFFF_FFFF;

    /// <summary>The largest chunk payload accepted.</summary>
    public const int MaxChunkBytes = 256 * 1024 * 1024;

    public static void WriteHeader(Span<byte> destination, SnapshotFileHeader header)
    {
        destination[..HeaderSize].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)header.Version);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], HeaderSize);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], header.ServerId);
        BinaryPrimitives.WriteInt64BigEndian(destination[16..], header.StartZxid);
        BinaryPrimitives.WriteInt64BigEndian(destination[24..], header.NodeCountAtStart);
        BinaryPrimitives.WriteInt32BigEndian(destination[32..], header.SessionCount);
        BinaryPrimitives.WriteInt64BigEndian(destination[36..], header.CreatedMs);
        BinaryPrimitives.WriteUInt32BigEndian(destination[60..], Crc32C.Compute(destination[..60]));
    }

    public static string? ReadHeader(ReadOnlySpan<byte> source, out SnapshotFileHeader header)
    {
        header = default;
        if (source.Length < HeaderSize)
        {
            return $"the file is {source.Length} bytes, shorter than the {HeaderSize}-byte snapshot header";
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(source) != Magic)
        {
            return "the snapshot header has the wrong magic (not a ZkAspire snapshot)";
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(source[60..]) != Crc32C.Compute(source[..60]))
        {
            return "the snapshot header fails its checksum";
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(source[4..]);
        if (version != Version || BinaryPrimitives.ReadUInt16BigEndian(source[6..]) != HeaderSize)
        {
            return $"the snapshot has format version {version}; this build reads version {Version}";
        }

        header = new SnapshotFileHeader(
            version,
            BinaryPrimitives.ReadInt64BigEndian(source[8..]),
            BinaryPrimitives.ReadInt64BigEndian(source[16..]),
            BinaryPrimitives.ReadInt64BigEndian(source[24..]),
            BinaryPrimitives.ReadInt32BigEndian(source[32..]),
            BinaryPrimitives.ReadInt64BigEndian(source[36..]));
        return null;
    }

    public static void WriteTrailer(Span<byte> destination, SnapshotTrailer trailer)
    {
        destination[..TrailerSize].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(destination, TrailerMarker);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], trailer.ChunkCount);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], trailer.PayloadBytes);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], trailer.PayloadCrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[28..], Crc32C.Compute(destination[..28]));
    }

    public static bool TryReadTrailer(ReadOnlySpan<byte> source, out SnapshotTrailer trailer)
    {
        trailer = default;
        if (source.Length < TrailerSize
            || BinaryPrimitives.ReadUInt32BigEndian(source) != TrailerMarker
            || BinaryPrimitives.ReadUInt32BigEndian(source[28..]) != Crc32C.Compute(source[..28]))
        {
            return false;
        }

        trailer = new SnapshotTrailer(
            BinaryPrimitives.ReadInt32BigEndian(source[4..]),
            BinaryPrimitives.ReadInt64BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[16..]));
        return true;
    }
}
