// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Storage;

/// <summary>
/// Startup recovery (ZooKeeper's <c>FileTxnSnapLog.restore</c>): the newest snapshot that verifies,
/// then every logged txn after it. A torn or corrupt tail of the last log segment (a batch that
/// fails its checks with nothing well-formed after it) is truncated, and reported: those txns were
/// never acknowledged, since a batch is acknowledged only after its sync and the next batch is
/// written only after that. Anything else that would lose or invent data (damage followed by good
/// batches, a gap in zxids, a damaged segment that is not the last, no usable snapshot and a log
/// that does not start at the first txn) stops with a <see cref="StorageCorruptionException"/>.
/// </summary>
public static class StorageRecovery
{
    /// <summary>Recovers the state of a data directory, repairing a torn log tail.</summary>
    /// <param name="options">Where the files are.</param>
    /// <param name="replicaOptions">The settings the replica will run with.</param>
    /// <param name="fileSystem">The file system; <see cref="LocalFileSystem"/> by default.</param>
    /// <returns>The state, ready for <see cref="ReplicaRecovery.CreateReplica"/>.</returns>
    /// <exception cref="StorageCorruptionException">The directory cannot be recovered without losing acknowledged data.</exception>
    /// <exception cref="IOException">A file cannot be read or repaired.</exception>
    public static RecoveredState Recover(StorageOptions options, ReplicaOptions replicaOptions, IStorageFileSystem? fileSystem = null) =>
        RecoverCore(options, replicaOptions, fileSystem, log: null);

    /// <summary>
    /// Recovers what a member of an ensemble has on disk: the newest snapshot that verifies, the
    /// txns logged after it <b>not applied</b> (they may be an old epoch's tail that no quorum has;
    /// consensus applies them once it knows them committed, docs/design/replication.md), and the
    /// epochs. A torn log tail is truncated as in <see cref="Recover"/>. Txns after the snapshot
    /// that do not continue from it are what is left of a log that a leader's snapshot replaced
    /// (the install was cut short while it deleted the old segments): they are dropped, and reported.
    /// </summary>
    /// <param name="options">Where the files are.</param>
    /// <param name="replicaOptions">The settings the replica will run with.</param>
    /// <param name="fileSystem">The file system; <see cref="LocalFileSystem"/> by default.</param>
    /// <returns>The state, ready for <see cref="ReplicaRecovery.CreateQuorumMember"/>.</returns>
    /// <exception cref="StorageCorruptionException">The directory cannot be recovered without losing acknowledged data.</exception>
    /// <exception cref="IOException">A file cannot be read or repaired.</exception>
    public static QuorumRecoveredState RecoverQuorumMember(StorageOptions options, ReplicaOptions replicaOptions, IStorageFileSystem? fileSystem = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fs = fileSystem ?? LocalFileSystem.Instance;
        foreach (var directory in new[] { options.SnapshotDirectory, options.LogDirectory })
        {
            // Temporary files of epoch writes and segment rewrites that never finished.
            foreach (var name in fs.List(directory, string.Empty))
            {
                if (name.EndsWith(StorageLayout.TempSuffix, StringComparison.Ordinal) && !name.StartsWith(StorageLayout.SnapshotPrefix, StringComparison.Ordinal))
                {
                    fs.Delete(Path.Combine(directory, name));
                }
            }
        }

        var log = new List<TxnLogEntry>();
        var state = RecoverCore(options, replicaOptions, fs, log);
        var accepted = QuorumFiles.ReadEpoch(fs, options, QuorumFiles.AcceptedEpochFile);
        var current = QuorumFiles.ReadEpoch(fs, options, QuorumFiles.CurrentEpochFile);
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{(state.SnapshotPath is null ? "No snapshot" : "Loaded snapshot " + Path.GetFileName(state.SnapshotPath))} at zxid 0x{state.Recovery.SnapshotZxid:x}; {log.Count} logged txns after it{(log.Count > 0 ? $" (to 0x{log[^1].Zxid:x})" : string.Empty)} go to consensus; acceptedEpoch {accepted}, currentEpoch {current}.");
        return new QuorumRecoveredState(state.Recovery, log, accepted, current, state.SnapshotPath, summary, state.Messages);
    }

    private static RecoveredState RecoverCore(StorageOptions options, ReplicaOptions replicaOptions, IStorageFileSystem? fileSystem, List<TxnLogEntry>? log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(replicaOptions);
        var fs = fileSystem ?? LocalFileSystem.Instance;
        var messages = new List<string>();
        fs.CreateDirectory(options.SnapshotDirectory);
        fs.CreateDirectory(options.LogDirectory);

        // A temp file is a snapshot that never finished: it was never relied on.
        foreach (var name in fs.List(options.SnapshotDirectory, StorageLayout.SnapshotPrefix))
        {
            if (name.EndsWith(StorageLayout.TempSuffix, StringComparison.Ordinal))
            {
                fs.Delete(Path.Combine(options.SnapshotDirectory, name));
                messages.Add($"Deleted {name}, a snapshot that was never completed.");
            }
        }

        var snapshots = ListSnapshots(fs, options);
        var segments = ListSegments(fs, options);
        if (snapshots.Count == 0)
        {
            var recovery = new ReplicaRecovery(replicaOptions);
            if (segments.Count > 0 && !TxnLogFormat.IsNextZxid(0, segments[0].Zxid))
            {
                throw new StorageCorruptionException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"There is no snapshot in {options.SnapshotDirectory} and the txn log in {options.LogDirectory} starts at zxid 0x{segments[0].Zxid:x}, not at the first txn: the txns before it are missing. Restore the snapshots, or move the data directory aside to start empty."));
            }

            ReplayLog(fs, segments, recovery, log, 0, messages);
            var summary = segments.Count == 0
                ? "The data directory holds no snapshot and no txn log: the server starts empty."
                : string.Create(CultureInfo.InvariantCulture, $"No snapshot yet: replayed {recovery.TxnsReplayed} txns from the log to zxid 0x{recovery.LastZxid:x} ({recovery.NodeCount} znodes, {recovery.SessionCount} sessions).");
            return new RecoveredState(recovery, null, summary, messages, snapshotRecommended: true);
        }

        var problems = new List<string>();
        foreach (var (zxid, path) in snapshots)
        {
            var recovery = new ReplicaRecovery(replicaOptions);
            try
            {
                var header = SnapshotFileReader.Read(fs, path, (records, offset) => LoadChunk(recovery, records, path, offset));
                recovery.EndSnapshot();
                if (header.StartZxid != zxid || recovery.SnapshotZxid != zxid)
                {
                    throw new StorageCorruptionException($"the file name says zxid 0x{zxid:x}, the header 0x{header.StartZxid:x} and the records 0x{recovery.SnapshotZxid:x}", path, 0);
                }
            }
            catch (Exception e) when (e is StorageCorruptionException or SnapshotFormatException)
            {
                problems.Add(e.Message);
                messages.Add($"Snapshot {Path.GetFileName(path)} is damaged and is skipped: {e.Message}");
                continue;
            }

            if (segments.Count > 0 && problems.Count > 0 && FindStart(segments, zxid) < 0 && segments[0].Zxid > zxid + 1)
            {
                throw new StorageCorruptionException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The newest usable snapshot, {Path.GetFileName(path)}, starts at zxid 0x{zxid:x}, but the txn log starts at 0x{segments[0].Zxid:x}: the txns in between are missing. Damaged newer snapshots: {string.Join("; ", problems)}"));
            }

            ReplayLog(fs, segments, recovery, log, zxid, messages);
            if (recovery.LastZxid == zxid && (log is null || log.Count == 0) && segments.Count > 0 && LastLoggedZxidBelow(segments, zxid))
            {
                messages.Add(string.Create(CultureInfo.InvariantCulture, $"The txn log ends before snapshot {Path.GetFileName(path)} (zxid 0x{zxid:x}); the snapshot alone is the state."));
            }

            var loaded = string.Create(
                CultureInfo.InvariantCulture,
                $"Loaded snapshot {Path.GetFileName(path)} and replayed {recovery.TxnsReplayed} txns to zxid 0x{recovery.LastZxid:x} ({recovery.NodeCount} znodes, {recovery.SessionCount} sessions).");
            return new RecoveredState(recovery, path, loaded, messages, snapshotRecommended: problems.Count > 0 || recovery.TxnsReplayed > 0);
        }

        throw new StorageCorruptionException($"No snapshot in {options.SnapshotDirectory} can be used: {string.Join("; ", problems)}. Move the damaged files aside only if the txn log starts at the first txn, or restore a backup.");
    }

    internal static List<(long Zxid, string Path)> ListSnapshots(IStorageFileSystem fs, StorageOptions options)
    {
        var list = new List<(long, string)>();
        foreach (var name in fs.List(options.SnapshotDirectory, StorageLayout.SnapshotPrefix))
        {
            if (StorageLayout.TryParse(name, StorageLayout.SnapshotPrefix, out var zxid))
            {
                list.Add((zxid, Path.Combine(options.SnapshotDirectory, name)));
            }
        }

        list.Sort((a, b) => b.Item1.CompareTo(a.Item1));
        return list;
    }

    internal static List<(long Zxid, string Path)> ListSegments(IStorageFileSystem fs, StorageOptions options)
    {
        var list = new List<(long, string)>();
        foreach (var name in fs.List(options.LogDirectory, StorageLayout.LogPrefix))
        {
            if (StorageLayout.TryParse(name, StorageLayout.LogPrefix, out var zxid))
            {
                list.Add((zxid, Path.Combine(options.LogDirectory, name)));
            }
        }

        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return list;
    }

    private static void LoadChunk(ReplicaRecovery recovery, ReadOnlySpan<byte> records, string path, long offset)
    {
        try
        {
            recovery.LoadSnapshotChunk(records);
        }
        catch (SnapshotFormatException e)
        {
            throw new StorageCorruptionException($"the chunk's records are malformed: {e.Message}", path, offset);
        }
    }

    // The segment holding the txn after 'zxid': the last one named at or below zxid + 1.
    private static int FindStart(List<(long Zxid, string Path)> segments, long zxid)
    {
        var start = -1;
        for (var i = 0; i < segments.Count; i++)
        {
            if (segments[i].Zxid <= zxid + 1)
            {
                start = i;
            }
        }

        return start;
    }

    private static bool LastLoggedZxidBelow(List<(long Zxid, string Path)> segments, long zxid) => segments[^1].Zxid <= zxid;

    // Replays the txns after 'fromZxid' over 'recovery', or, for a quorum member, collects them in
    // 'log' without applying them.
    private static void ReplayLog(IStorageFileSystem fs, List<(long Zxid, string Path)> segments, ReplicaRecovery recovery, List<TxnLogEntry>? log, long fromZxid, List<string> messages)
    {
        var start = Math.Max(0, FindStart(segments, fromZxid));
        var previous = -1L;
        var last = fromZxid;
        var discarding = false;
        for (var i = start; i < segments.Count; i++)
        {
            var (nameZxid, path) = segments[i];
            var isLast = i == segments.Count - 1;
            var stopBefore = isLast ? long.MaxValue : segments[i + 1].Zxid;
            var scan = TxnLogSegmentScan.Read(fs, path, nameZxid, previous, stopBefore, (entry, offset) =>
            {
                if (entry.Zxid <= fromZxid || discarding)
                {
                    return;
                }

                if (last == fromZxid && log is not null && !TxnLogFormat.IsNextZxid(fromZxid, entry.Zxid))
                {
                    discarding = true;
                    messages.Add(string.Create(CultureInfo.InvariantCulture, $"The txn log after the snapshot at zxid 0x{fromZxid:x} does not continue from it (it goes on at 0x{entry.Zxid:x}): it is what is left of a log a leader's snapshot replaced, and is dropped."));
                    return;
                }

                if (last == fromZxid && !TxnLogFormat.IsNextZxid(fromZxid, entry.Zxid))
                {
                    throw new StorageCorruptionException(
                        string.Create(CultureInfo.InvariantCulture, $"the first txn after the snapshot's zxid 0x{fromZxid:x} is 0x{entry.Zxid:x}: the txns in between are missing"),
                        path,
                        offset);
                }

                last = entry.Zxid;
                if (log is null)
                {
                    recovery.Replay(entry);
                }
                else
                {
                    log.Add(entry);
                }
            });

            var name = Path.GetFileName(path);
            if (scan.SupersededZxids.Count > 0)
            {
                messages.Add($"{name} holds {Describe(scan.SupersededZxids)}, written again in {Path.GetFileName(segments[i + 1].Path)} after a failed write; the later copy is used.");
            }

            if (scan.GapBefore)
            {
                throw new StorageCorruptionException(
                    string.Create(CultureInfo.InvariantCulture, $"the previous segment ends at zxid 0x{previous:x} and this one does not continue from it: txns are missing"),
                    path,
                    TxnLogFormat.HeaderSize);
            }

            if (scan.HeaderProblem is not null)
            {
                if (!isLast || scan.ValidBatchAfterDamage is not null)
                {
                    throw new StorageCorruptionException($"{scan.HeaderProblem}; the segment holds txns that cannot be trusted", path, 0);
                }

                // A segment whose creation was cut short: it never held an acknowledged txn.
                fs.Delete(path);
                messages.Add($"Deleted {name}, a log segment whose creation was cut short ({scan.HeaderProblem}); it held no txn.");
                break;
            }

            if (scan.DamageOffset is { } damage)
            {
                var written = scan.Header.WrittenWithoutSync;
                if (scan.ValidBatchAfterDamage is { } after && !(isLast && written))
                {
                    throw new StorageCorruptionException(
                        string.Create(CultureInfo.InvariantCulture, $"{scan.DamageReason}, and a good batch follows at offset {after}: the damage is in the middle of the log, not a torn tail. Last good zxid before it: 0x{scan.LastZxid:x}"),
                        path,
                        damage);
                }

                if (isLast)
                {
                    var dropped = scan.FileLength - scan.DataEnd;
                    using (var file = fs.Open(path, StorageFileMode.ReadWrite))
                    {
                        file.SetLength(scan.DataEnd);
                        file.Sync();
                    }

                    messages.Add(string.Create(
                        CultureInfo.InvariantCulture,
                        $"Truncated a torn tail of {name} at offset {scan.DataEnd}: dropped {dropped} bytes ({scan.DamageReason}) holding {(scan.DamagedZxids.Count == 0 ? "no complete txn" : Describe(scan.DamagedZxids))}; they were never acknowledged.{(written ? " The segment was written with forceSync=no, so any batch after the damage is dropped too." : string.Empty)}"));
                }
                else
                {
                    // A write failed and the segment could not be cut back: the next segment
                    // continues from its last good txn (the next scan checks there is no gap).
                    messages.Add(string.Create(CultureInfo.InvariantCulture, $"{name} ends in a failed write at offset {damage} ({scan.DamageReason}); {Path.GetFileName(segments[i + 1].Path)} continues after zxid 0x{scan.LastZxid:x}."));
                }
            }

            if (scan.LastZxid > 0)
            {
                previous = scan.LastZxid;
            }
        }
    }

    private static string Describe(List<long> zxids) => zxids.Count switch
    {
        0 => "no txn",
        1 => string.Create(CultureInfo.InvariantCulture, $"zxid 0x{zxids[0]:x}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{zxids.Count} txns, zxids 0x{zxids[0]:x} to 0x{zxids[^1]:x}"),
    };
}
