// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers;
using System.Buffers.Binary;

namespace ZkAspire.Server.Storage;

/// <summary>Reads and verifies a snapshot file, handing each chunk's records to the caller as it is verified.</summary>
internal static class SnapshotFileReader
{
    /// <summary>Reads a snapshot.</summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="path">The file.</param>
    /// <param name="onChunk">Receives each chunk's payload (whole snapshot records), in order; may be null to verify only.</param>
    /// <returns>The header.</returns>
    /// <exception cref="StorageCorruptionException">The file is damaged, cut short or not a snapshot; nothing after the damage was handed over.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static SnapshotFileHeader Read(IStorageFileSystem fileSystem, string path, SnapshotChunkHandler? onChunk)
    {
        using var file = fileSystem.Open(path, StorageFileMode.Read);
        var length = file.Length;
        Span<byte> fixedBytes = stackalloc byte[SnapshotFileFormat.HeaderSize];
        var read = file.Read(fixedBytes, 0);
        var problem = SnapshotFileFormat.ReadHeader(fixedBytes[..read], out var header);
        if (problem is not null)
        {
            throw new StorageCorruptionException(problem, path, 0);
        }

        var offset = (long)SnapshotFileFormat.HeaderSize;
        var running = Crc32C.Seed;
        var payloadBytes = 0L;
        var chunks = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        Span<byte> chunkHeader = stackalloc byte[SnapshotFileFormat.TrailerSize];
        try
        {
            while (true)
            {
                read = file.Read(chunkHeader, offset);
                if (read < SnapshotFileFormat.ChunkHeaderSize)
                {
                    throw new StorageCorruptionException("the snapshot ends before its trailer (it was cut short)", path, offset);
                }

                var chunkLength = BinaryPrimitives.ReadUInt32BigEndian(chunkHeader);
                if (chunkLength == SnapshotFileFormat.TrailerMarker)
                {
                    if (!SnapshotFileFormat.TryReadTrailer(chunkHeader[..read], out var trailer))
                    {
                        throw new StorageCorruptionException("the snapshot trailer is damaged", path, offset);
                    }

                    if (trailer.ChunkCount != chunks || trailer.PayloadBytes != payloadBytes || trailer.PayloadCrc != Crc32C.Finish(running))
                    {
                        throw new StorageCorruptionException($"the trailer counts {trailer.ChunkCount} chunks of {trailer.PayloadBytes} bytes; the file holds {chunks} of {payloadBytes}, or their checksum differs", path, offset);
                    }

                    if (offset + SnapshotFileFormat.TrailerSize != length)
                    {
                        throw new StorageCorruptionException($"{length - offset - SnapshotFileFormat.TrailerSize} bytes follow the trailer", path, offset + SnapshotFileFormat.TrailerSize);
                    }

                    return header;
                }

                if (chunkLength == 0 || chunkLength > SnapshotFileFormat.MaxChunkBytes || offset + SnapshotFileFormat.ChunkHeaderSize + chunkLength > length)
                {
                    throw new StorageCorruptionException($"a chunk claims {chunkLength} bytes, which the file does not hold", path, offset);
                }

                if (buffer.Length < chunkLength)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent((int)chunkLength);
                }

                var payload = buffer.AsSpan(0, (int)chunkLength);
                if (file.Read(payload, offset + SnapshotFileFormat.ChunkHeaderSize) != payload.Length)
                {
                    throw new StorageCorruptionException("a chunk is cut short", path, offset);
                }

                var crc = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, chunkHeader[..4]), payload));
                if (crc != BinaryPrimitives.ReadUInt32BigEndian(chunkHeader[4..]))
                {
                    throw new StorageCorruptionException($"chunk {chunks} fails its checksum", path, offset);
                }

                running = Crc32C.Append(running, payload);
                payloadBytes += chunkLength;
                chunks++;
                onChunk?.Invoke(payload, offset);
                offset += SnapshotFileFormat.ChunkHeaderSize + chunkLength;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>Receives one verified chunk of a snapshot.</summary>
/// <param name="records">The chunk's payload: whole snapshot records.</param>
/// <param name="offset">The chunk's file offset.</param>
internal delegate void SnapshotChunkHandler(ReadOnlySpan<byte> records, long offset);
