// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Storage;

/// <summary>
/// The files only a member of an ensemble has, and the log surgery the leader may order: Zab's
/// <c>acceptedEpoch</c> and <c>currentEpoch</c> (ZooKeeper's files of the same names, a decimal
/// number and a newline, written to a temporary file, synced and renamed), TRUNC and SNAP.
/// Called on the log's writer thread, in order with the appends (docs/storage-format.md).
/// </summary>
public static class QuorumFiles
{
    /// <summary>The accepted epoch's file, in the snapshot directory.</summary>
    public const string AcceptedEpochFile = "acceptedEpoch";

    /// <summary>The current epoch's file, in the snapshot directory.</summary>
    public const string CurrentEpochFile = "currentEpoch";

    /// <summary>Reads an epoch file; 0 if there is none (a new member, or one that never accepted an epoch).</summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="options">Where the files are.</param>
    /// <param name="name"><see cref="AcceptedEpochFile"/> or <see cref="CurrentEpochFile"/>.</param>
    /// <returns>The epoch.</returns>
    /// <exception cref="StorageCorruptionException">The file does not hold an epoch.</exception>
    public static int ReadEpoch(IStorageFileSystem fileSystem, StorageOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(options);
        var path = Path.Combine(options.SnapshotDirectory, name);
        if (!fileSystem.Exists(path))
        {
            return 0;
        }

        using var file = fileSystem.Open(path, StorageFileMode.Read);
        var bytes = new byte[Math.Min(file.Length, 64)];
        var read = file.Read(bytes, 0);
        var text = Encoding.ASCII.GetString(bytes, 0, read).Trim();

        // The file is renamed into place only once complete, so anything else is damage (ZooKeeper
        // refuses to start too: "Unable to load database on disk").
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            ? epoch
            : throw new StorageCorruptionException($"'{text}' is not an epoch; the file is written whole by rename, so it was damaged", path, 0);
    }

    /// <summary>Writes an epoch file durably: a temporary file, synced, renamed over the old one, and the directory synced.</summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="options">Where the files are.</param>
    /// <param name="name"><see cref="AcceptedEpochFile"/> or <see cref="CurrentEpochFile"/>.</param>
    /// <param name="epoch">The epoch.</param>
    public static void WriteEpoch(IStorageFileSystem fileSystem, StorageOptions options, string name, int epoch)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(options);
        // Never recreate the directory: recovery made it at start, and if it has gone since (deleted
        // under a running server) the write must fail and stop the member, not start a new history.
        var directory = options.SnapshotDirectory;
        var path = Path.Combine(directory, name);
        var temp = path + StorageLayout.TempSuffix;
        fileSystem.Delete(temp);
        using (var file = fileSystem.Open(temp, StorageFileMode.CreateNew))
        {
            file.Write(Encoding.ASCII.GetBytes(epoch.ToString(CultureInfo.InvariantCulture) + "\n"), 0);
            file.Sync();
        }

        fileSystem.Move(temp, path);
        fileSystem.SyncDirectory(directory);
    }

    /// <summary>
    /// Cuts the log after <paramref name="zxid"/>: deletes the segments that start after it (the
    /// newest first, so that a crash leaves a log without holes), then has the segment holding it
    /// rewritten without its later txns (to a temporary file, renamed over it).
    /// </summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="options">Where the log is.</param>
    /// <param name="zxid">The last zxid to keep.</param>
    /// <param name="rewrite">Writes a complete, synced segment (path, first zxid, txns).</param>
    internal static void TruncateLog(IStorageFileSystem fileSystem, StorageOptions options, long zxid, Action<string, long, List<TxnLogEntry>> rewrite)
    {
        var segments = StorageRecovery.ListSegments(fileSystem, options);
        for (var i = segments.Count - 1; i >= 0 && segments[i].Zxid > zxid; i--)
        {
            fileSystem.Delete(segments[i].Path);
            segments.RemoveAt(i);
        }

        fileSystem.SyncDirectory(options.LogDirectory);
        if (segments.Count == 0)
        {
            return;
        }

        var (nameZxid, path) = segments[^1];
        var kept = new List<TxnLogEntry>();
        var scan = TxnLogSegmentScan.Read(fileSystem, path, nameZxid, -1, long.MaxValue, (entry, _) =>
        {
            if (entry.Zxid <= zxid)
            {
                kept.Add(entry);
            }
        });
        if (scan.LastZxid <= zxid && scan.IsIntact)
        {
            return;
        }

        if (kept.Count == 0)
        {
            fileSystem.Delete(path);
        }
        else
        {
            var temp = path + StorageLayout.TempSuffix;
            rewrite(temp, nameZxid, kept);
            fileSystem.Move(temp, path);
        }

        fileSystem.SyncDirectory(options.LogDirectory);
    }

    /// <summary>
    /// Stores a leader's snapshot (SNAP) as <c>snapshot.&lt;zxid&gt;</c> and drops the log and any
    /// newer snapshot. The snapshot is durable under its name before anything is deleted, and
    /// segments are deleted newest first; a crash in between leaves a log whose txns after the
    /// snapshot do not continue from it, which quorum recovery discards (see
    /// <see cref="StorageRecovery.RecoverQuorumMember"/>).
    /// </summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="options">Where the files are.</param>
    /// <param name="zxid">The snapshot's zxid.</param>
    /// <param name="records">The snapshot records, complete.</param>
    /// <param name="nowMs">The time for the header.</param>
    internal static void InstallSnapshot(IStorageFileSystem fileSystem, StorageOptions options, long zxid, ReadOnlySpan<byte> records, long nowMs)
    {
        WriteSnapshotFile(fileSystem, options, zxid, records, nowMs);
        foreach (var (snapshotZxid, path) in StorageRecovery.ListSnapshots(fileSystem, options))
        {
            if (snapshotZxid > zxid)
            {
                fileSystem.Delete(path);
            }
        }

        var segments = StorageRecovery.ListSegments(fileSystem, options);
        for (var i = segments.Count - 1; i >= 0; i--)
        {
            fileSystem.Delete(segments[i].Path);
        }

        fileSystem.SyncDirectory(options.SnapshotDirectory);
        fileSystem.SyncDirectory(options.LogDirectory);
    }

    /// <summary>Writes a complete snapshot file (one chunk) from its records: a temporary file, synced, renamed.</summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="options">Where the snapshots are.</param>
    /// <param name="zxid">The snapshot's zxid.</param>
    /// <param name="records">The records.</param>
    /// <param name="nowMs">The time for the header.</param>
    internal static void WriteSnapshotFile(IStorageFileSystem fileSystem, StorageOptions options, long zxid, ReadOnlySpan<byte> records, long nowMs)
    {
        if (records.Length > SnapshotFileFormat.MaxChunkBytes)
        {
            throw new IOException($"A snapshot of {records.Length} bytes exceeds the largest chunk ({SnapshotFileFormat.MaxChunkBytes} bytes).");
        }

        // Never recreate the directory (see WriteEpoch).
        var directory = options.SnapshotDirectory;
        var final = Path.Combine(directory, StorageLayout.SnapshotName(zxid));
        var temp = final + StorageLayout.TempSuffix;
        fileSystem.Delete(temp);
        using (var file = fileSystem.Open(temp, StorageFileMode.CreateNew))
        {
            // The node and session counts of the header are informational (dump); a received
            // snapshot does not know them without decoding it, so they are 0.
            var bytes = new byte[Math.Max(SnapshotFileFormat.HeaderSize, SnapshotFileFormat.TrailerSize)];
            SnapshotFileFormat.WriteHeader(bytes, new SnapshotFileHeader(SnapshotFileFormat.Version, options.ServerId, zxid, 0, 0, nowMs));
            file.Write(bytes.AsSpan(0, SnapshotFileFormat.HeaderSize), 0);
            var offset = (long)SnapshotFileFormat.HeaderSize;
            var prefix = new byte[SnapshotFileFormat.ChunkHeaderSize];
            BinaryPrimitives.WriteInt32BigEndian(prefix, records.Length);
            BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(4), Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, prefix.AsSpan(0, 4)), records)));
            file.Write(prefix, offset);
            file.Write(records, offset + prefix.Length);
            offset += prefix.Length + records.Length;
            SnapshotFileFormat.WriteTrailer(bytes, new SnapshotTrailer(1, records.Length, Crc32C.Finish(Crc32C.Append(Crc32C.Seed, records))));
            file.Write(bytes.AsSpan(0, SnapshotFileFormat.TrailerSize), offset);
            file.Sync();
        }

        fileSystem.Move(temp, final);
        fileSystem.SyncDirectory(directory);
    }
}
