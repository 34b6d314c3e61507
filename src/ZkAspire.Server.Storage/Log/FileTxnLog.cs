// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Storage;

/// <summary>
/// The txn log writer, with group commit (ZooKeeper's <c>SyncRequestProcessor</c> +
/// <c>FileTxnLog</c>): the event loop hands txns over with <see cref="Append"/>; one writer thread
/// takes everything queued since its last sync, encodes it into one reused buffer, writes it with
/// one call, syncs once, and reports the highest durable zxid. Concurrent writes share a sync, so
/// durable throughput is bounded by the device's bandwidth, not by its syncs per second.
/// </summary>
/// <remarks>
/// <para>
/// Segments are named by their first zxid, preallocated in <see cref="StorageOptions.PreAllocSizeBytes"/>
/// blocks (so a sync need not update the file size) and rolled at <see cref="RollLog"/> (after a
/// snapshot begins), at the size limit, and when the epoch changes; a rolled segment is cut to its
/// data. A failed write or sync truncates the segment back to its last durable batch (or, if even
/// that fails, abandons it for a new segment), reports the failed zxids, and drops appends until
/// the host calls <see cref="ResumeAfterFailure"/>; the next batch is then retried afresh.
/// </para>
/// <para>Append, RollLog and ResumeAfterFailure are called from the host's event loop only.</para>
/// </remarks>
public sealed class FileTxnLog : IReplicaPersistence, IDisposable
{
    private readonly StorageOptions _options;
    private readonly IStorageFileSystem _fileSystem;
    private readonly ITxnLogListener _listener;
    private readonly TimeProvider _time;
    private readonly Thread _thread;
    private readonly object _gate = new();
    private readonly JuteWriter _scratch = new(4096);

    // Shared with the writer thread under _gate: the operations since its last take, and the flags.
    private List<LogOperation> _queue = [];
    private bool _failed;
    private bool _rollRequested;
    private bool _stopping;

    // Counters the writer thread updates and anyone reads.
    private long _batchesWritten;
    private long _txnsWritten;
    private long _bytesSinceRoll;

    // The writer thread's own: the operations it took, the run of appends it writes at once, the
    // flushes that wait for that run, the batch it encodes them into, the open segment.
    private List<LogOperation> _taken = [];
    private readonly List<TxnLogEntry> _run = [];
    private readonly List<long> _flushes = [];
    private byte[] _batch = new byte[64 * 1024];
    private int _batchLength;
    private IStorageFile? _segment;
    private int _segmentEpoch;
    private long _position;
    private long _allocated;

    /// <summary>Creates the log and starts its writer thread.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="listener">Hears about completed and failed batches.</param>
    /// <param name="fileSystem">The file system; <see cref="LocalFileSystem"/> by default.</param>
    /// <param name="time">The clock for segment headers; the system clock by default.</param>
    public FileTxnLog(StorageOptions options, ITxnLogListener listener, IStorageFileSystem? fileSystem = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(listener);
        options.Validate();
        _options = options;
        _listener = listener;
        _fileSystem = fileSystem ?? LocalFileSystem.Instance;
        _time = time ?? TimeProvider.System;
        _fileSystem.CreateDirectory(options.LogDirectory);
        _thread = new Thread(Run) { IsBackground = true, Name = "zkaspire-txnlog" };
        _thread.Start();
    }

    /// <summary>Gets the number of txns appended since the last <see cref="RollLog"/> (the snapshot trigger counts these).</summary>
    public long TxnsSinceRoll { get; private set; }

    /// <summary>Gets the log bytes written since the last <see cref="RollLog"/> (the snapshot size trigger counts these).</summary>
    public long BytesSinceRoll => Interlocked.Read(ref _bytesSinceRoll);

    /// <summary>Gets the number of batches written (one write and one sync each).</summary>
    public long BatchesWritten => Interlocked.Read(ref _batchesWritten);

    /// <summary>Gets the number of txns written.</summary>
    public long TxnsWritten => Interlocked.Read(ref _txnsWritten);

    /// <inheritdoc/>
    public void Append(TxnLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (Enqueue(new LogOperation(LogOperationKind.Append, entry, 0, default)))
        {
            TxnsSinceRoll++;
        }
    }

    /// <summary>
    /// Drops every logged txn after <paramref name="zxid"/> (a new leader's TRUNC): segments that
    /// start after it are deleted, and the one holding it is rewritten without its later txns
    /// (to a temporary file, synced and renamed over it). Written in order with the appends: the
    /// txns handed over before are synced first.
    /// </summary>
    /// <param name="zxid">The last zxid to keep.</param>
    public void Truncate(long zxid) => Enqueue(new LogOperation(LogOperationKind.Truncate, null, zxid, default));

    /// <summary>
    /// Stores a complete snapshot received from the leader (SNAP) as <c>snapshot.&lt;zxid&gt;</c>
    /// (temporary file, sync, rename), then deletes every log segment and every snapshot newer
    /// than it: the history now starts at <paramref name="zxid"/>.
    /// </summary>
    /// <param name="zxid">The snapshot's zxid.</param>
    /// <param name="snapshot">The snapshot records, complete.</param>
    public void InstallSnapshot(long zxid, ReadOnlyMemory<byte> snapshot) => Enqueue(new LogOperation(LogOperationKind.InstallSnapshot, null, zxid, snapshot));

    /// <summary>Writes the <c>acceptedEpoch</c> file (temporary file, sync, rename), after the txns handed over before are synced.</summary>
    /// <param name="epoch">The epoch.</param>
    public void SetAcceptedEpoch(int epoch) => Enqueue(new LogOperation(LogOperationKind.AcceptedEpoch, null, epoch, default));

    /// <summary>Writes the <c>currentEpoch</c> file (temporary file, sync, rename), after the txns handed over before are synced.</summary>
    /// <param name="epoch">The epoch.</param>
    public void SetCurrentEpoch(int epoch) => Enqueue(new LogOperation(LogOperationKind.CurrentEpoch, null, epoch, default));

    /// <summary>
    /// Asks for <see cref="IReplicaLogListener.Flushed"/> with <paramref name="batch"/> once every
    /// operation handed over before it is durable; flushes that wait for the same sync are
    /// reported together, in order (group commit).
    /// </summary>
    /// <param name="batch">The batch number.</param>
    /// <exception cref="InvalidOperationException">The listener is not an <see cref="IReplicaLogListener"/>.</exception>
    public void Flush(long batch)
    {
        if (_listener is not IReplicaLogListener)
        {
            throw new InvalidOperationException("Flush needs an IReplicaLogListener to report to.");
        }

        Enqueue(new LogOperation(LogOperationKind.Flush, null, batch, default));
    }

    private bool Enqueue(in LogOperation operation)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                throw new ObjectDisposedException(nameof(FileTxnLog));
            }

            // After a failure every append is dropped until the core has failed them all and the
            // host resumes: the core reuses the failed zxids, so nothing queued meanwhile may land.
            if (_failed)
            {
                return false;
            }

            _queue.Add(operation);
            if (_queue.Count == 1)
            {
                Monitor.Pulse(_gate);
            }
        }

        return true;
    }

    /// <summary>Makes the next batch start a new segment (ZooKeeper's <c>rollLog</c>, called when a snapshot begins) and restarts <see cref="TxnsSinceRoll"/>.</summary>
    public void RollLog()
    {
        lock (_gate)
        {
            _rollRequested = true;
        }

        TxnsSinceRoll = 0;
        Interlocked.Exchange(ref _bytesSinceRoll, 0);
    }

    /// <summary>After <see cref="ITxnLogListener.PersistFailed"/> and <c>Replica.PersistFailed</c>: accept appends again.</summary>
    public void ResumeAfterFailure()
    {
        lock (_gate)
        {
            _failed = false;
        }
    }

    /// <summary>Writes what is queued, stops the writer thread and closes the segment.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
        _scratch.Dispose();
    }

    private void Run()
    {
        while (true)
        {
            bool roll;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }

                if (_queue.Count == 0)
                {
                    break;
                }

                (_queue, _taken) = (_taken, _queue);
                roll = _rollRequested;
                _rollRequested = false;
            }

            if (roll)
            {
                CloseSegment(trim: true);
            }

            WriteTaken();
            _taken.Clear();
        }

        CloseSegment(trim: false);
    }

    private void WriteTaken()
    {
        var i = 0;
        while (i < _taken.Count)
        {
            // A run of appends (and the flushes among them) is written with as few syncs as the
            // batch limits allow; the flushes are reported once the whole run is durable.
            _run.Clear();
            _flushes.Clear();
            for (; i < _taken.Count && _taken[i].Kind is LogOperationKind.Append or LogOperationKind.Flush; i++)
            {
                if (_taken[i].Kind == LogOperationKind.Append)
                {
                    _run.Add(_taken[i].Entry!);
                }
                else
                {
                    _flushes.Add(_taken[i].Value);
                }
            }

            if (_run.Count > 0 && !WriteRun())
            {
                return;
            }

            foreach (var batch in _flushes)
            {
                ((IReplicaLogListener)_listener).Flushed(batch);
            }

            if (i < _taken.Count)
            {
                var operation = _taken[i++];
                try
                {
                    Apply(operation);
                }
                catch (Exception e)
                {
                    Fail(operation.Kind == LogOperationKind.Truncate ? operation.Value : 0, e);
                    return;
                }
            }
        }
    }

    private bool WriteRun()
    {
        var start = 0;
        while (start < _run.Count)
        {
            var first = _run[start].Zxid;
            int end;
            try
            {
                end = Encode(_run, start);
                EnsureSegment(first, _batchLength);
                _segment!.Write(_batch.AsSpan(0, _batchLength), _position);
                if (_options.ForceSync)
                {
                    _segment.Sync();
                }
            }
            catch (Exception e)
            {
                // Any failure (IO, permissions, or a txn that cannot be encoded) fails this batch
                // and what follows it; the writer thread itself must never die.
                Fail(first, e);
                return false;
            }

            var last = _run[end - 1].Zxid;

            _position += _batchLength;
            Interlocked.Add(ref _bytesSinceRoll, _batchLength);
            Interlocked.Increment(ref _batchesWritten);
            Interlocked.Add(ref _txnsWritten, end - start);
            _listener.Persisted(last);
            start = end;
        }

        return true;
    }

    // The operations of a quorum member other than appends; everything handed over before them
    // is already written and synced (ZooKeeper's order: the log before an epoch or a truncation).
    private void Apply(in LogOperation operation)
    {
        switch (operation.Kind)
        {
            case LogOperationKind.Truncate:
                CloseSegment(trim: true);
                QuorumFiles.TruncateLog(_fileSystem, _options, operation.Value, RewriteSegment);
                break;
            case LogOperationKind.InstallSnapshot:
                CloseSegment(trim: true);
                QuorumFiles.InstallSnapshot(_fileSystem, _options, operation.Value, operation.Snapshot.Span, _time.GetUtcNow().ToUnixTimeMilliseconds());
                break;
            case LogOperationKind.AcceptedEpoch:
                QuorumFiles.WriteEpoch(_fileSystem, _options, QuorumFiles.AcceptedEpochFile, (int)operation.Value);
                break;
            case LogOperationKind.CurrentEpoch:
                QuorumFiles.WriteEpoch(_fileSystem, _options, QuorumFiles.CurrentEpochFile, (int)operation.Value);
                break;
            default:
                throw new InvalidOperationException($"Unexpected log operation {operation.Kind}.");
        }
    }

    // Writes 'entries' as a complete segment at 'path' (a truncated copy of a segment), synced.
    private void RewriteSegment(string path, long nameZxid, List<TxnLogEntry> entries)
    {
        var file = CreateSegmentFile(path, nameZxid);
        try
        {
            var position = (long)TxnLogFormat.HeaderSize;
            var start = 0;
            while (start < entries.Count)
            {
                var end = Encode(entries, start);
                file.Write(_batch.AsSpan(0, _batchLength), position);
                position += _batchLength;
                start = end;
            }

            file.SetLength(position);
            file.Sync();
        }
        finally
        {
            file.Dispose();
        }
    }

    // Encodes txns from 'start' into one batch in _batch: up to the batch limits, and never across
    // an epoch change (a segment holds one epoch). Returns the index after the last one encoded.
    // Each txn is serialized into the reused scratch writer and copied behind its length and CRC;
    // nothing is allocated per record once the buffers have grown.
    private int Encode(List<TxnLogEntry> entries, int start)
    {
        _batchLength = TxnLogFormat.BatchHeaderSize;
        var epoch = new Zxid(entries[start].Zxid).Epoch;
        var i = start;
        for (; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (i > start && (i - start >= _options.MaxBatchTxns || _batchLength >= _options.MaxBatchBytes || new Zxid(entry.Zxid).Epoch != epoch))
            {
                break;
            }

            _scratch.Clear();
            entry.Write(_scratch);
            var payload = _scratch.WrittenSpan;
            var needed = _batchLength + TxnLogFormat.RecordHeaderSize + payload.Length;
            if (needed > _batch.Length)
            {
                Array.Resize(ref _batch, Math.Max(needed, _batch.Length * 2));
            }

            var record = _batch.AsSpan(_batchLength);
            BinaryPrimitives.WriteInt32BigEndian(record, payload.Length);
            var crc = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, record[..4]), payload));
            BinaryPrimitives.WriteUInt32BigEndian(record[4..], crc);
            payload.CopyTo(record[TxnLogFormat.RecordHeaderSize..]);
            _batchLength = needed;
        }

        TxnLogFormat.WriteBatchHeader(_batch, new TxnLogBatchHeader(_batchLength - TxnLogFormat.BatchHeaderSize, i - start, entries[start].Zxid, entries[i - 1].Zxid));
        return i;
    }

    private void EnsureSegment(long firstZxid, int bytes)
    {
        if (_segment is not null
            && (new Zxid(firstZxid).Epoch != _segmentEpoch || _position + bytes > _options.SegmentSizeLimitBytes))
        {
            CloseSegment(trim: true);
        }

        if (_segment is null)
        {
            OpenSegment(firstZxid);
        }

        if (_position + bytes > _allocated)
        {
            // Grow in preAllocSize blocks (ZooKeeper's FilePadding), so that most syncs find the
            // size unchanged and fdatasync has no metadata to write.
            var blocks = ((_position + bytes - _allocated) / _options.PreAllocSizeBytes) + 1;
            _segment!.SetLength(_allocated + (blocks * _options.PreAllocSizeBytes));
            _allocated += blocks * _options.PreAllocSizeBytes;
        }
    }

    private void OpenSegment(long firstZxid)
    {
        var path = Path.Combine(_options.LogDirectory, StorageLayout.LogName(firstZxid));
        _segment = CreateSegmentFile(path, firstZxid);
        _segmentEpoch = new Zxid(firstZxid).Epoch;
        _position = TxnLogFormat.HeaderSize;
        _allocated = _options.PreAllocSizeBytes;
    }

    private IStorageFile CreateSegmentFile(string path, long firstZxid)
    {
        // A segment left by an abandoned attempt at the same zxid held nothing durable.
        _fileSystem.Delete(path);
        var file = _fileSystem.Open(path, StorageFileMode.CreateNew, _options.PreAllocSizeBytes);
        try
        {
            Span<byte> header = stackalloc byte[TxnLogFormat.HeaderSize];
            TxnLogFormat.WriteSegmentHeader(header, new TxnLogSegmentHeader(
                TxnLogFormat.Version,
                _options.ServerId,
                firstZxid,
                _time.GetUtcNow().ToUnixTimeMilliseconds(),
                _options.ForceSync ? 0 : TxnLogFormat.FlagNoSync));
            file.SetLength(_options.PreAllocSizeBytes);
            file.Write(header, 0);
            if (_options.ForceSync)
            {
                // The header and the new directory entry are durable before any txn relies on them.
                file.Sync();
                _fileSystem.SyncDirectory(_options.LogDirectory);
            }
        }
        catch
        {
            file.Dispose();
            _fileSystem.Delete(path);
            throw;
        }

        return file;
    }

    private void CloseSegment(bool trim)
    {
        if (_segment is null)
        {
            return;
        }

        try
        {
            // A closed segment ends exactly at its data, so that recovery needs to look for a
            // torn tail in the last segment only.
            if (trim)
            {
                _segment.SetLength(_position);
                if (_options.ForceSync)
                {
                    _segment.Sync();
                }
            }
        }
        catch (IOException)
        {
            // Zeros after the data read as the end of the segment; nothing is lost.
        }

        _segment.Dispose();
        _segment = null;
    }

    private void Fail(long fromZxid, Exception error)
    {
        lock (_gate)
        {
            _failed = true;
            _queue.Clear();
        }

        // Take the failed batch back out: cut the segment to its last durable batch. After a
        // failed sync the kernel may have dropped the dirty pages and cleared the error, so the
        // bytes past _position are not trusted even if they look written (fsyncgate). If the cut
        // itself fails, the segment is abandoned: its tail is torn, and the next segment starts
        // at the failed zxid, which recovery accepts for a segment followed by one that
        // continues where its good data ends.
        if (_segment is not null)
        {
            try
            {
                _segment.SetLength(_position);
                _segment.Sync();
                _allocated = _position;
            }
            catch (IOException)
            {
                _segment.Dispose();
                _segment = null;
            }
        }

        _listener.PersistFailed(fromZxid, error);
    }
}

/// <summary>What <see cref="FileTxnLog"/>'s writer thread does next, in the order handed over.</summary>
internal enum LogOperationKind : byte
{
    /// <summary>Log a txn.</summary>
    Append,

    /// <summary>Cut the log after a zxid.</summary>
    Truncate,

    /// <summary>Store a leader's snapshot and drop the log.</summary>
    InstallSnapshot,

    /// <summary>Write the acceptedEpoch file.</summary>
    AcceptedEpoch,

    /// <summary>Write the currentEpoch file.</summary>
    CurrentEpoch,

    /// <summary>Report a batch durable.</summary>
    Flush,
}

/// <summary>One operation queued for the writer thread.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Entry">The txn of an append.</param>
/// <param name="Value">The zxid, epoch or batch.</param>
/// <param name="Snapshot">The records of a snapshot install.</param>
internal readonly record struct LogOperation(LogOperationKind Kind, TxnLogEntry? Entry, long Value, ReadOnlyMemory<byte> Snapshot);
