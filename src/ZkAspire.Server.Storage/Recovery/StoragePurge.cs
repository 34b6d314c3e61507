// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Server.Storage;

/// <summary>What a purge deleted.</summary>
/// <param name="DeletedSnapshots">The snapshot files deleted.</param>
/// <param name="DeletedLogs">The log segments deleted.</param>
/// <param name="OldestRetainedSnapshotZxid">The start zxid of the oldest snapshot kept, or −1 if nothing was purged.</param>
public sealed record PurgeResult(IReadOnlyList<string> DeletedSnapshots, IReadOnlyList<string> DeletedLogs, long OldestRetainedSnapshotZxid);

/// <summary>
/// Deletes old snapshots and the log segments only they needed (ZooKeeper's <c>PurgeTxnLog</c>):
/// keep the newest <c>autopurge.snapRetainCount</c> snapshots (at least 3), every segment that
/// holds a txn after the oldest of them, and nothing older. Safe to run while the server runs: it
/// never touches the newest segments or a snapshot being written.
/// </summary>
public static class StoragePurge
{
    /// <summary>The fewest snapshots a purge keeps, as ZooKeeper (PurgeTxnLog refuses fewer than 3).</summary>
    public const int MinRetainCount = 3;

    /// <summary>Purges the data directories.</summary>
    /// <param name="options">Where the files are; <see cref="StorageOptions.SnapRetainCount"/> is how many snapshots to keep.</param>
    /// <param name="fileSystem">The file system; <see cref="LocalFileSystem"/> by default.</param>
    /// <returns>What was deleted.</returns>
    /// <exception cref="ArgumentException">The retain count is below 3.</exception>
    public static PurgeResult Purge(StorageOptions options, IStorageFileSystem? fileSystem = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SnapRetainCount < MinRetainCount)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"snapRetainCount must be at least {MinRetainCount}; it is {options.SnapRetainCount}."), nameof(options));
        }

        var fs = fileSystem ?? LocalFileSystem.Instance;
        var snapshots = StorageRecovery.ListSnapshots(fs, options);
        if (snapshots.Count <= options.SnapRetainCount)
        {
            return new PurgeResult([], [], -1);
        }

        var oldestKept = snapshots[options.SnapRetainCount - 1].Zxid;
        var segments = StorageRecovery.ListSegments(fs, options);

        // Keep the segment that holds the txn after the oldest kept snapshot, and all after it.
        var firstKept = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            if (segments[i].Zxid <= oldestKept + 1)
            {
                firstKept = i;
            }
        }

        var deletedLogs = new List<string>();
        for (var i = 0; i < firstKept; i++)
        {
            fs.Delete(segments[i].Path);
            deletedLogs.Add(segments[i].Path);
        }

        var deletedSnapshots = new List<string>();
        for (var i = options.SnapRetainCount; i < snapshots.Count; i++)
        {
            fs.Delete(snapshots[i].Path);
            deletedSnapshots.Add(snapshots[i].Path);
        }

        return new PurgeResult(deletedSnapshots, deletedLogs, oldestKept);
    }
}
