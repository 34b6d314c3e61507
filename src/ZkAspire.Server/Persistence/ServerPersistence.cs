// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using Microsoft.Extensions.Logging;
using ZkAspire.Server.Core;
using ZkAspire.Server.Storage;
using ZkAspire.Server.Transport;

namespace ZkAspire.Server.Persistence;

/// <summary>
/// The server's durable state, wired as <c>src/ZkAspire.Server.Storage/README.md</c> describes:
/// recovery at start, the <see cref="FileTxnLog"/> (group commit, a sync before each
/// acknowledgement) as the replica's persistence, fuzzy snapshots stepped a chunk at a time
/// between inputs, autopurge on a timer off the loop, and a clean close. ZooKeeper's
/// <c>FileTxnSnapLog</c> + <c>SyncRequestProcessor</c> + <c>DatadirCleanupManager</c>.
/// </summary>
/// <remarks>
/// <see cref="AfterBatch"/>, <see cref="Step"/>, <see cref="OnPersisted"/> and
/// <see cref="OnPersistFailed"/> run on the event loop. The log's writer thread and the snapshot
/// writer only post inputs to the loop (<see cref="ITxnLogListener"/>, <see cref="SnapshotDriver.WriterProgressed"/>).
/// </remarks>
internal sealed class ServerPersistence : IReplicaLogListener
{
    /// <summary>The file, in each data directory's layout directory, that a running server holds locked.</summary>
    public const string LockFileName = "server.lock";

    private readonly ILogger _logger;
    private readonly Action<LoopInput> _post;
    private readonly TimeProvider _time;
    private readonly object _purgeGate = new();
    private readonly List<FileStream> _locks = [];
    private FileTxnLog? _log;
    private SnapshotDriver? _snapshots;
    private ITimer? _purgeTimer;
    private Task _purge = Task.CompletedTask;
    private Task _snapshotReport = Task.CompletedTask;
    private int _stepQueued;
    private bool _closed;
    private bool _quorum;

    // Loop only.
    private bool _snapshotDue;
    private long _lastSnapshotZxid = -1;
    private bool _writesFailing;
    private long _failedBatches;

    /// <summary>Creates the persistence of a server with a data directory; <see cref="Open"/> reads it.</summary>
    /// <param name="options">The server's settings (<see cref="ZooKeeperServerOptions.DataDir"/> is set).</param>
    /// <param name="logger">Where to log.</param>
    /// <param name="post">Hands an input to the event loop (any thread).</param>
    /// <param name="time">The clock for timings and the purge timer.</param>
    public ServerPersistence(ZooKeeperServerOptions options, ILogger logger, Action<LoopInput> post, TimeProvider time)
    {
        Options = CreateStorageOptions(options);
        _logger = logger;
        _post = post;
        _time = time;
    }

    /// <summary>Gets or sets the file system a member's log and recovery use (tests inject failures); the local one by default.</summary>
    public IStorageFileSystem? FileSystem { get; set; }

    /// <summary>Gets the storage settings.</summary>
    public StorageOptions Options { get; }

    /// <summary>Gets the txn log, once open.</summary>
    public FileTxnLog Log => _log ?? throw new InvalidOperationException("The txn log is not open.");

    /// <summary>Makes the storage settings from the server's (zoo.cfg gives sizes in KB).</summary>
    /// <param name="options">The server's settings.</param>
    /// <returns>The storage settings.</returns>
    public static StorageOptions CreateStorageOptions(ZooKeeperServerOptions options) => new()
    {
        DataDir = options.DataDir ?? throw new InvalidOperationException("The server keeps its data in memory."),
        DataLogDir = options.DataLogDir,
        ServerId = options.ServerId,
        ForceSync = options.ForceSync,
        PreAllocSizeBytes = options.PreAllocSizeKb * 1024,
        SegmentSizeLimitBytes = options.TxnLogSizeLimitInKb * 1024,
        SnapCount = options.SnapCount,
        SnapSizeLimitBytes = options.SnapSizeLimitInKb * 1024,
        SnapRetainCount = options.AutopurgeSnapRetainCount,
        PurgeIntervalHours = options.AutopurgePurgeIntervalHours,
    };

    /// <summary>
    /// Locks the data directories, loads the session secret, recovers the state (repairing a torn
    /// log tail), opens the txn log and makes the replica whose txns go to it.
    /// </summary>
    /// <param name="replicaOptions">The replica's settings; its session secret is set from the data directory.</param>
    /// <param name="output">Where the replica's outputs go.</param>
    /// <param name="nowMs">The host's clock: restored sessions expire one timeout after it.</param>
    /// <returns>The replica.</returns>
    /// <exception cref="DataDirectoryException">A directory cannot be created, read, written or locked.</exception>
    /// <exception cref="StorageCorruptionException">The directory cannot be recovered without losing acknowledged data.</exception>
    public Replica Open(ReplicaOptions replicaOptions, IReplicaOutput output, long nowMs)
    {
        var started = _time.GetTimestamp();
        Replica replica;
        RecoveredState recovered;
        try
        {
            Lock(Options.SnapshotDirectory);
            if (Options.LogDirectory != Options.SnapshotDirectory)
            {
                Lock(Options.LogDirectory);
            }

            // The same secret after every restart, or restored sessions could not be resumed.
            replicaOptions.SessionSecret = SessionSecretFile.LoadOrCreate(Options, FileSystem);
            recovered = StorageRecovery.Recover(Options, replicaOptions, FileSystem);
            foreach (var message in recovered.Messages)
            {
                _logger.LogWarning("{Message}", message);
            }

            _log = new FileTxnLog(Options, this, FileSystem, _time);
            replica = recovered.Recovery.CreateReplica(output, _log, nowMs);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Abandon();
            throw new DataDirectoryException(string.Create(CultureInfo.InvariantCulture, $"Cannot use the data directory {Describe()}: {e.Message}"), e);
        }
        catch
        {
            Abandon();
            throw;
        }

        foreach (var warning in recovered.Recovery.Warnings)
        {
            _logger.LogWarning("{Message}", warning);
        }

        _logger.LogInformation(
            "{Summary} Recovered {Directory} in {Elapsed} ms (forceSync={ForceSync})",
            recovered.Summary,
            Describe(),
            (long)_time.GetElapsedTime(started).TotalMilliseconds,
            Options.ForceSync ? "yes" : "no");
        if (!Options.ForceSync)
        {
            _logger.LogWarning("forceSync=no: writes are acknowledged before they reach the disk; a power loss or an OS crash can lose acknowledged writes");
        }

        _snapshots = new SnapshotDriver(Options, new Random(), FileSystem, _time);
        _snapshots.WriterProgressed += QueueStep;

        // ZooKeeper snapshots at every start that replayed txns (ZooKeeperServer.loadData); we do
        // it in the background like any other snapshot.
        _snapshotDue = recovered.SnapshotRecommended;
        _lastSnapshotZxid = recovered.SnapshotPath is null ? -1 : recovered.Recovery.SnapshotZxid;
        StartPurgeTimer();
        return replica;
    }

    /// <summary>
    /// Locks the data directories, recovers what a member of an ensemble has on disk (the newest
    /// snapshot, the logged txns after it unapplied, the epochs), opens the txn log and makes the
    /// replica, LOOKING, whose txns, truncations, snapshot installs and epochs go to the log's
    /// writer thread in order (docs/design/replication.md, "Phase 2").
    /// </summary>
    /// <param name="replicaOptions">The replica's settings (the ensemble's session secret set).</param>
    /// <param name="quorum">The ensemble settings.</param>
    /// <param name="output">Where client replies go.</param>
    /// <param name="peers">Where peer messages go.</param>
    /// <param name="nowMs">The host's clock.</param>
    /// <returns>The replica.</returns>
    /// <exception cref="DataDirectoryException">A directory cannot be created, read, written or locked.</exception>
    /// <exception cref="StorageCorruptionException">The directory cannot be recovered without losing acknowledged data.</exception>
    public Replica OpenQuorumMember(ReplicaOptions replicaOptions, Consensus.QuorumPeerOptions quorum, IReplicaOutput output, IPeerOutput peers, long nowMs)
    {
        var started = _time.GetTimestamp();
        Replica replica;
        QuorumRecoveredState recovered;
        _quorum = true;
        try
        {
            Lock(Options.SnapshotDirectory);
            if (Options.LogDirectory != Options.SnapshotDirectory)
            {
                Lock(Options.LogDirectory);
            }

            recovered = StorageRecovery.RecoverQuorumMember(Options, replicaOptions, FileSystem);
            foreach (var message in recovered.Messages)
            {
                _logger.LogWarning("{Message}", message);
            }

            _log = new FileTxnLog(Options, this, FileSystem, _time);
            replica = recovered.Recovery.CreateQuorumMember(quorum, recovered.AcceptedEpoch, recovered.CurrentEpoch, recovered.Log, output, peers, new QuorumLog(this, _log), nowMs);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Abandon();
            throw new DataDirectoryException(string.Create(CultureInfo.InvariantCulture, $"Cannot use the data directory {Describe()}: {e.Message}"), e);
        }
        catch
        {
            Abandon();
            throw;
        }

        foreach (var warning in recovered.Recovery.Warnings)
        {
            _logger.LogWarning("{Message}", warning);
        }

        _logger.LogInformation("{Summary} Recovered {Directory} in {Elapsed} ms", recovered.Summary, Describe(), (long)_time.GetElapsedTime(started).TotalMilliseconds);
        _snapshots = new SnapshotDriver(Options, new Random(), FileSystem, _time);
        _snapshots.WriterProgressed += QueueStep;

        // A member that starts empty snapshots at once, so that its log never has to start at
        // the first txn of the ensemble's history after a purge.
        _snapshotDue = recovered.SnapshotPath is null;
        _lastSnapshotZxid = recovered.SnapshotPath is null ? -1 : recovered.Recovery.SnapshotZxid;
        StartPurgeTimer();
        return replica;
    }

    /// <summary>After each batch of inputs, on the loop: begins a snapshot when one is due and none is in progress.</summary>
    /// <param name="core">The core.</param>
    public void AfterBatch(IServerCore core)
    {
        var snapshots = _snapshots!;
        var log = _log!;
        if (!_snapshotDue && !snapshots.IsDue(log.TxnsSinceRoll, log.BytesSinceRoll))
        {
            return;
        }

        if (snapshots.InProgress)
        {
            if (!_snapshotDue)
            {
                // ZooKeeper's SyncRequestProcessor: a snapshot due while the last one is still
                // being written is skipped, and the log rolled, so the count starts again. Waiting
                // for it instead would write snapshots back to back under a heavy write load, each
                // of the whole tree, taking the disk from the txn log (docs/performance.md).
                log.RollLog();
                snapshots.SkipBusy();
                _logger.LogWarning("Too busy to snap, skipping: the snapshot at zxid 0x{Zxid:x} is still being written", _lastSnapshotZxid);
            }

            return;
        }

        // The trigger counts txns logged; a snapshot holds txns applied. When none was applied
        // since the last snapshot (they all wait for their sync), wait for them rather than
        // write the same snapshot again.
        if (core.LastProcessedZxid == _lastSnapshotZxid)
        {
            return;
        }

        // ZooKeeper's SyncRequestProcessor: roll the log, then snapshot in the background; the
        // new segment holds every txn after the snapshot's start (the fuzzy overlap included).
        _snapshotDue = false;
        log.RollLog();
        var snapshot = core.BeginSnapshot();
        snapshots.Begin(snapshot);
        _lastSnapshotZxid = snapshot.StartZxid;
        _logger.LogInformation(
            "Taking a snapshot at zxid 0x{Zxid:x} ({Nodes} znodes, {Sessions} sessions) in the background",
            snapshot.StartZxid,
            snapshot.NodeCountAtStart,
            snapshot.SessionCount);
        _snapshotReport = ReportSnapshotAsync(snapshots.Completion!, _time.GetTimestamp());
        QueueStep();
    }

    /// <summary>On the loop: produces the next snapshot chunk, and asks for another turn if more remain.</summary>
    public void Step()
    {
        Volatile.Write(ref _stepQueued, 0);
        if (_snapshots?.Step() == SnapshotStepResult.MoreWork)
        {
            QueueStep();
        }
    }

    /// <summary>On the loop, after a group commit: notes that the disk takes writes (again).</summary>
    public void OnPersisted()
    {
        if (_writesFailing)
        {
            _writesFailing = false;
            _logger.LogInformation("The txn log in {Directory} takes writes again, after {Count} failed group commits", Options.LogDirectory, _failedBatches);
            _failedBatches = 0;
        }
    }

    /// <summary>On the loop, after a failed group commit: logs it (the first of a run as an error, the rest quietly).</summary>
    /// <param name="fromZxid">The first failed zxid.</param>
    /// <param name="error">The IO error.</param>
    public void OnPersistFailed(long fromZxid, Exception error)
    {
        _failedBatches++;
        if (!_writesFailing)
        {
            _writesFailing = true;
            _logger.LogError(
                error,
                "Cannot write the txn log in {Directory} from zxid 0x{Zxid:x}: {Reason}. Writes are refused (NotReadOnly) until the disk takes them again; reads are served",
                Options.LogDirectory,
                fromZxid,
                error.Message);
        }
        else
        {
            _logger.LogDebug("The txn log still cannot be written from zxid 0x{Zxid:x}: {Reason}", fromZxid, error.Message);
        }
    }

    /// <inheritdoc/>
    void ITxnLogListener.Persisted(long zxid)
    {
        // A member of an ensemble hears of durability through its flushes only.
        if (!_quorum)
        {
            _post(new LoopInput(LoopInputKind.Persisted, null, default, null, 0, zxid));
        }
    }

    /// <inheritdoc/>
    void ITxnLogListener.PersistFailed(long fromZxid, Exception error) =>
        _post(new LoopInput(_quorum ? LoopInputKind.PersistFatal : LoopInputKind.PersistFailed, null, default, error, 0, fromZxid));

    /// <inheritdoc/>
    void IReplicaLogListener.Flushed(long batch) => _post(new LoopInput(LoopInputKind.Flushed, null, default, null, 0, batch));

    /// <summary>
    /// After the event loop has ended: stops the purge timer, abandons a snapshot still being
    /// produced (one being written is finished), writes and syncs what the log holds, closes it and
    /// unlocks the directories.
    /// </summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async Task CloseAsync()
    {
        Task purge;
        lock (_purgeGate)
        {
            _closed = true;
            purge = _purge;
        }

        if (_purgeTimer is not null)
        {
            await _purgeTimer.DisposeAsync().ConfigureAwait(false);
        }

        await purge.ConfigureAwait(false);
        if (_snapshots is not null)
        {
            _snapshots.Abort();
            await _snapshotReport.ConfigureAwait(false);
        }

        if (_log is { } log)
        {
            // Joins the writer thread, which writes and syncs what is queued: off the caller's thread.
            await Task.Run(log.Dispose).ConfigureAwait(false);
            _logger.LogInformation("Closed the txn log in {Directory} ({Txns} txns in {Batches} group commits since the start)", Options.LogDirectory, log.TxnsWritten, log.BatchesWritten);
        }

        Release();
    }

    private void QueueStep()
    {
        // At most one step waits in the loop's queue: the snapshot advances one chunk per turn
        // of the loop, behind the client inputs already queued, and never stalls them.
        if (Interlocked.CompareExchange(ref _stepQueued, 1, 0) == 0)
        {
            _post(new LoopInput(LoopInputKind.SnapshotStep, null, default, null, 0));
        }
    }

    private async Task ReportSnapshotAsync(Task<SnapshotFileInfo> completion, long started)
    {
        try
        {
            var file = await completion.ConfigureAwait(false);
            _logger.LogInformation(
                "Snapshot {File} written: {Nodes} znodes, {Sessions} sessions, {Bytes} bytes in {Elapsed} ms",
                Path.GetFileName(file.Path),
                file.Nodes,
                file.Sessions,
                file.Bytes,
                (long)_time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException)
        {
            _logger.LogInformation("The snapshot in progress was abandoned: the server is stopping");
        }
        catch (Exception e)
        {
            // The log still holds every txn; the next trigger tries again.
            _logger.LogWarning(e, "Writing a snapshot to {Directory} failed: {Reason}. The txn log still holds every txn; the next snapshot is tried after another snapCount txns", Options.SnapshotDirectory, e.Message);
        }
        finally
        {
            // A turn of the loop now, not at the next input: the txns logged while this snapshot
            // was written may already call for the next one.
            QueueStep();
        }
    }

    private void StartPurgeTimer()
    {
        if (Options.PurgeIntervalHours <= 0)
        {
            _logger.LogInformation("Autopurge is off (autopurge.purgeInterval=0): old snapshots and log segments are kept");
            return;
        }

        // ZooKeeper's DatadirCleanupManager: a purge at start, then every purgeInterval hours.
        _logger.LogInformation("Autopurge every {Hours} h, keeping {Count} snapshots", Options.PurgeIntervalHours, Options.SnapRetainCount);
        _purgeTimer = _time.CreateTimer(_ => StartPurge(), null, TimeSpan.Zero, TimeSpan.FromHours(Options.PurgeIntervalHours));
    }

    private void StartPurge()
    {
        lock (_purgeGate)
        {
            if (!_closed && _purge.IsCompleted)
            {
                _purge = Task.Run(Purge);
            }
        }
    }

    private void Purge()
    {
        try
        {
            var result = StoragePurge.Purge(Options);
            if (result.DeletedSnapshots.Count + result.DeletedLogs.Count == 0)
            {
                _logger.LogDebug("Purge: nothing to delete");
                return;
            }

            _logger.LogInformation(
                "Purge: deleted {Snapshots} snapshots and {Logs} log segments older than the snapshot at zxid 0x{Zxid:x}",
                result.DeletedSnapshots.Count,
                result.DeletedLogs.Count,
                result.OldestRetainedSnapshotZxid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(e, "Purge failed: {Reason}", e.Message);
        }
    }

    private void Lock(string directory)
    {
        // One server per data directory: two writing the same log would corrupt it (ZooKeeper has
        // no such guard). The lock is an flock, released by the kernel when the process dies.
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, LockFileName);
        try
        {
            _locks.Add(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"cannot lock {path} (is another server using this directory?): {e.Message}", e);
        }
    }

    private void Abandon()
    {
        // A start that failed: stop the log's writer thread if it was started (it holds nothing).
        _log?.Dispose();
        _log = null;
        Release();
    }

    private void Release()
    {
        foreach (var file in _locks)
        {
            file.Dispose();
        }

        _locks.Clear();
    }

    private string Describe() => Options.DataLogDir is null || Options.LogDirectory == Options.SnapshotDirectory
        ? Options.DataDir
        : $"{Options.DataDir} (dataLogDir {Options.DataLogDir})";

    /// <summary>
    /// The replica's persistence as a member of an ensemble: the txn log, in order; a snapshot
    /// received from the leader also abandons the local snapshot in progress, which was of the
    /// state it replaces.
    /// </summary>
    /// <param name="owner">The persistence.</param>
    /// <param name="log">The txn log.</param>
    private sealed class QuorumLog(ServerPersistence owner, FileTxnLog log) : IReplicaPersistence
    {
        /// <inheritdoc/>
        public void Append(TxnLogEntry entry) => log.Append(entry);

        /// <inheritdoc/>
        public void Truncate(long zxid)
        {
            owner._logger.LogInformation("Truncating the txn log after zxid 0x{Zxid:x}: the leader does not have the txns after it (TRUNC)", zxid);
            log.Truncate(zxid);
        }

        /// <inheritdoc/>
        public void InstallSnapshot(long zxid, ReadOnlyMemory<byte> snapshot)
        {
            owner._snapshots?.Abort();
            owner._lastSnapshotZxid = zxid;
            owner._logger.LogInformation("Installing the leader's snapshot at zxid 0x{Zxid:x} ({Bytes} bytes); the txn log is replaced", zxid, snapshot.Length);
            log.InstallSnapshot(zxid, snapshot);
        }

        /// <inheritdoc/>
        public void SetAcceptedEpoch(int epoch) => log.SetAcceptedEpoch(epoch);

        /// <inheritdoc/>
        public void SetCurrentEpoch(int epoch) => log.SetCurrentEpoch(epoch);

        /// <inheritdoc/>
        public void Flush(long batch) => log.Flush(batch);
    }
}
