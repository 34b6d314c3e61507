// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Storage;

/// <summary>Where and how the txn log and snapshots are kept; the host fills it from zoo.cfg.</summary>
public sealed class StorageOptions
{
    /// <summary>Gets or sets the snapshot directory (<c>dataDir</c>); files go in its <c>zkaspire-1</c> subdirectory.</summary>
    public required string DataDir { get; set; }

    /// <summary>Gets or sets the txn log directory (<c>dataLogDir</c>), ideally on its own device; <see langword="null"/> for <see cref="DataDir"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? DataLogDir { get; set; }

    /// <summary>Gets or sets this server's id (<c>myid</c>), recorded in file headers; 0 standalone.</summary>
    /// <value>The default value is 0.</value>
    public long ServerId { get; set; }

    /// <summary>
    /// Gets or sets whether every batch is synced to the device before its txns are reported
    /// persisted (<c>forceSync</c>). Without it a power loss can lose acknowledged writes; only
    /// tests and benchmarks that say so turn it off.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ForceSync { get; set; } = true;

    /// <summary>Gets or sets the block log segments grow by (<c>preAllocSize</c>, which zoo.cfg gives in KB).</summary>
    /// <value>The default value is 64 MiB, as ZooKeeper.</value>
    public long PreAllocSizeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets the size at which a log segment is closed and a new one begun, whatever the snapshots do (<c>zookeeper.txnLogSizeLimitInKb</c>).</summary>
    /// <value>The default value is 1 GiB.</value>
    public long SegmentSizeLimitBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Gets or sets the most txns one group commit writes and syncs (<c>zookeeper.syncRequestProcessor.maxBatchSize</c>).</summary>
    /// <value>The default value is 1000, as ZooKeeper.</value>
    public int MaxBatchTxns { get; set; } = 1000;

    /// <summary>Gets or sets the most bytes one group commit writes.</summary>
    /// <value>The default value is 4 MiB.</value>
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets the number of txns between snapshots (<c>snapCount</c>), randomized per server into [snapCount/2 + 1, snapCount].</summary>
    /// <value>The default value is 100000, as ZooKeeper.</value>
    public int SnapCount { get; set; } = 100_000;

    /// <summary>Gets or sets the log bytes between snapshots (<c>snapSizeLimitInKb</c>, in bytes here), randomized like <see cref="SnapCount"/>; 0 or less for no limit.</summary>
    /// <value>The default value is 4 GiB, as ZooKeeper.</value>
    public long SnapSizeLimitBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Gets or sets how many snapshots a purge keeps (<c>autopurge.snapRetainCount</c>); at least 3.</summary>
    /// <value>The default value is 3.</value>
    public int SnapRetainCount { get; set; } = 3;

    /// <summary>Gets or sets the hours between automatic purges (<c>autopurge.purgeInterval</c>); 0 turns them off. The host runs the timer.</summary>
    /// <value>The default value is 0, as ZooKeeper.</value>
    public int PurgeIntervalHours { get; set; }

    /// <summary>Gets or sets the znodes and sessions one snapshot chunk holds: how long one snapshot step holds the event loop.</summary>
    /// <value>The default value is 1000.</value>
    public int SnapshotChunkRecords { get; set; } = 1000;

    /// <summary>Gets or sets the bytes after which a snapshot chunk takes no further record (it may exceed this by one znode).</summary>
    /// <value>The default value is 4 MiB.</value>
    public int SnapshotChunkBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets the most snapshot chunks waiting for the file writer before the host stops producing more.</summary>
    /// <value>The default value is 8.</value>
    public int SnapshotMaxQueuedChunks { get; set; } = 8;

    /// <summary>
    /// Gets or sets how many snapshot bytes may be written between two syncs of the snapshot file.
    /// </summary>
    /// <remarks>
    /// Syncing as it goes keeps the page cache from holding a whole snapshot of dirty data: on
    /// ext4 (data=ordered) a single sync of a large file makes the txn log's concurrent
    /// fdatasync wait for all of it, and every write waiting on the log stalls (RocksDB's
    /// <c>bytes_per_sync</c> addresses the same effect).
    /// </remarks>
    /// <value>The default value is 4 MiB.</value>
    public int SnapshotBytesPerSync { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets the directory of snapshot files.</summary>
    public string SnapshotDirectory => Path.Combine(DataDir, StorageLayout.VersionDirectory);

    /// <summary>Gets the directory of log segments.</summary>
    public string LogDirectory => Path.Combine(DataLogDir ?? DataDir, StorageLayout.VersionDirectory);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            throw new ArgumentException("dataDir is required.", nameof(DataDir));
        }

        if (PreAllocSizeBytes < 4096 || SegmentSizeLimitBytes < PreAllocSizeBytes)
        {
            throw new ArgumentException($"preAllocSize must be at least 4 KB and at most the segment size limit ({SegmentSizeLimitBytes} bytes); it is {PreAllocSizeBytes} bytes.");
        }

        if (MaxBatchTxns < 1 || MaxBatchBytes < 1024 || SnapCount < 2 || SnapshotChunkRecords < 1 || SnapshotChunkBytes < 1024 || SnapshotMaxQueuedChunks < 1 || SnapshotBytesPerSync < 4096)
        {
            throw new ArgumentException("maxBatchTxns, maxBatchBytes (≥ 1 KB), snapCount (≥ 2) and the snapshot chunk settings (bytes ≥ 1 KB) must be positive.");
        }
    }
}
