// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Storage;

/// <summary>What one <see cref="SnapshotDriver.Step"/> did.</summary>
public enum SnapshotStepResult
{
    /// <summary>No snapshot is in progress.</summary>
    Idle,

    /// <summary>A chunk was produced and more remain: step again soon (after other inputs).</summary>
    MoreWork,

    /// <summary>The file writer is behind: wait for <see cref="SnapshotDriver.WriterProgressed"/> before stepping again.</summary>
    WaitingForWriter,

    /// <summary>The last chunk was produced; <see cref="SnapshotDriver.Completion"/> ends when the file is durable.</summary>
    Produced,
}

/// <summary>A snapshot file made durable.</summary>
/// <param name="Path">The file.</param>
/// <param name="StartZxid">Its start zxid.</param>
/// <param name="Nodes">The znodes it holds.</param>
/// <param name="Sessions">The sessions it holds.</param>
/// <param name="Bytes">Its size.</param>
public sealed record SnapshotFileInfo(string Path, long StartZxid, long Nodes, int Sessions, long Bytes);

/// <summary>
/// Takes snapshots in the background (ZooKeeper's SyncRequestProcessor snapshot thread and
/// <c>FileSnap.serialize</c>): the host's event loop decides when (<see cref="ShouldSnapshot"/>),
/// begins one, and steps it a chunk at a time between requests; a writer thread of its own appends the chunks
/// to a temp file, syncs it, renames it into place and syncs the directory.
/// </summary>
/// <remarks>
/// The trigger is ZooKeeper's: after snapCount/2 + r txns, r drawn anew for each snapshot from
/// [0, snapCount/2) with the host's random source, so that replicas do not snapshot together
/// (or after half the log-size limit plus a random share). Only the loop calls into it.
/// </remarks>
public sealed class SnapshotDriver : IDisposable
{
    // A chunk of SnapshotChunkRecords (1,000) znodes of 100 bytes is about 200 KiB.
    private const int ChunkInitialCapacity = 256 * 1024;

    private readonly StorageOptions _options;
    private readonly IStorageFileSystem _fileSystem;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private int _randomRoll;
    private ReplicaSnapshot? _snapshot;
    private Channel<JuteWriter>? _chunks;
    private int _queued;

    // Chunk writers the file writer is done with, for the loop to fill again: each keeps the buffer
    // it grew to, so a snapshot rents and grows SnapshotMaxQueuedChunks + 1 buffers at most, not
    // one per chunk (a snapshot of a million znodes is over a thousand chunks).
    private readonly ConcurrentQueue<JuteWriter> _freeChunks = new();

    /// <summary>Creates the driver.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="random">The host's random source for the snapshot trigger.</param>
    /// <param name="fileSystem">The file system; <see cref="LocalFileSystem"/> by default.</param>
    /// <param name="time">The clock for file headers; the system clock by default.</param>
    public SnapshotDriver(StorageOptions options, Random random, IStorageFileSystem? fileSystem = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        _options = options;
        _random = random;
        _fileSystem = fileSystem ?? LocalFileSystem.Instance;
        _time = time ?? TimeProvider.System;
        _randomRoll = _random.Next(options.SnapCount / 2);
    }

    /// <summary>
    /// Raised on the writer thread each time it has written a chunk or finished: a host that got
    /// <see cref="SnapshotStepResult.WaitingForWriter"/> posts a step into its loop from here.
    /// </summary>
    public event Action? WriterProgressed;

    /// <summary>Gets whether a snapshot is being produced or written.</summary>
    public bool InProgress => _snapshot is not null || (Completion is { IsCompleted: false });

    /// <summary>Gets the current or last snapshot's completion: the file once durable, or the IO error.</summary>
    public Task<SnapshotFileInfo>? Completion { get; private set; }

    /// <summary>Gets the txn count that triggers the next snapshot: in [snapCount/2 + 1, snapCount].</summary>
    public long Threshold => (_options.SnapCount / 2) + _randomRoll + 1;

    /// <summary>Whether a snapshot is due (ZooKeeper's <c>shouldSnapshot</c>) and none is in progress ("Too busy to snap, skipping").</summary>
    /// <param name="txnsSinceRoll">Txns logged since the last roll (<see cref="FileTxnLog.TxnsSinceRoll"/>).</param>
    /// <param name="bytesSinceRoll">Log bytes since the last roll, or 0 if not counted.</param>
    /// <returns><see langword="true"/> if the host should roll the log and begin one.</returns>
    public bool ShouldSnapshot(long txnsSinceRoll, long bytesSinceRoll = 0) => !InProgress && IsDue(txnsSinceRoll, bytesSinceRoll);

    /// <summary>Whether the log since the last roll is long enough for a snapshot, in progress or not (ZooKeeper's <c>shouldSnapshot</c>).</summary>
    /// <param name="txnsSinceRoll">Txns logged since the last roll (<see cref="FileTxnLog.TxnsSinceRoll"/>).</param>
    /// <param name="bytesSinceRoll">Log bytes since the last roll, or 0 if not counted.</param>
    /// <returns><see langword="true"/> if due.</returns>
    public bool IsDue(long txnsSinceRoll, long bytesSinceRoll = 0)
    {
        var bySize = _options.SnapSizeLimitBytes > 0 && bytesSinceRoll > (_options.SnapSizeLimitBytes / 2) + (long)(_randomRoll / (double)_options.SnapCount * _options.SnapSizeLimitBytes);
        return txnsSinceRoll >= Threshold || bySize;
    }

    /// <summary>
    /// Skips a snapshot that came due while the previous one is still being written (ZooKeeper's
    /// "Too busy to snap, skipping"): draws the next threshold, as a begun snapshot does. The host
    /// rolls the log as well, so the count starts again.
    /// </summary>
    public void SkipBusy() => _randomRoll = _random.Next(_options.SnapCount / 2);

    /// <summary>Begins writing a snapshot the host took with <c>Replica.BeginSnapshot</c> (after rolling the log).</summary>
    /// <param name="snapshot">The snapshot cursor.</param>
    /// <exception cref="InvalidOperationException">One is in progress.</exception>
    public void Begin(ReplicaSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (InProgress)
        {
            throw new InvalidOperationException("A snapshot is already in progress.");
        }

        _randomRoll = _random.Next(_options.SnapCount / 2);
        _snapshot = snapshot;
        _chunks = Channel.CreateUnbounded<JuteWriter>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _queued = 0;
        var header = new SnapshotFileHeader(
            SnapshotFileFormat.Version,
            _options.ServerId,
            snapshot.StartZxid,
            snapshot.NodeCountAtStart,
            snapshot.SessionCount,
            _time.GetUtcNow().ToUnixTimeMilliseconds());
        var reader = _chunks.Reader;

        // A thread of its own, as ZooKeeper's snapshot thread: the writer blocks in write(2) and
        // fsync(2) (and in the kernel's dirty-page throttling) for tens of milliseconds at a time;
        // on a thread-pool thread that stalls the connections' and the event loop's work queued
        // behind it, which showed as create's p99.9 during snapshots on a 2-core machine.
        var completion = new TaskCompletionSource<SnapshotFileInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                completion.TrySetResult(WriteFile(header, reader, snapshot));
            }
            catch (Exception e)
            {
                completion.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "zkaspire-snapshot",
        };
        Completion = completion.Task;
        thread.Start();
    }

    /// <summary>Produces the next chunk (at most <see cref="StorageOptions.SnapshotChunkRecords"/> znodes and sessions, about <see cref="StorageOptions.SnapshotChunkBytes"/>) on the loop.</summary>
    /// <returns>What happened.</returns>
    public SnapshotStepResult Step()
    {
        if (_snapshot is null)
        {
            return SnapshotStepResult.Idle;
        }

        if (Completion is { IsCompleted: true })
        {
            // The writer failed (its exception is in Completion): stop producing.
            _snapshot = null;
            return SnapshotStepResult.Idle;
        }

        if (Volatile.Read(ref _queued) >= _options.SnapshotMaxQueuedChunks)
        {
            return SnapshotStepResult.WaitingForWriter;
        }

        if (_freeChunks.TryDequeue(out var chunk))
        {
            chunk.Clear();
        }
        else
        {
            chunk = new JuteWriter(ChunkInitialCapacity);
        }

        // The chunk header's place, filled in by the file writer, so that header and payload go to
        // the file in one write.
        chunk.WriteLong(0);
        var done = _snapshot.WriteChunk(chunk, _options.SnapshotChunkRecords, _options.SnapshotChunkBytes);
        Interlocked.Increment(ref _queued);
        _chunks!.Writer.TryWrite(chunk);
        if (!done)
        {
            return SnapshotStepResult.MoreWork;
        }

        _chunks.Writer.TryComplete();
        _snapshot = null;
        return SnapshotStepResult.Produced;
    }

    /// <summary>Abandons the snapshot in progress; its temp file is deleted.</summary>
    public void Abort()
    {
        if (_chunks is not null && _snapshot is not null)
        {
            _chunks.Writer.TryComplete(new OperationCanceledException("The snapshot was abandoned."));
        }

        _snapshot = null;
    }

    /// <inheritdoc/>
    public void Dispose() => Abort();

    // The next chunk, waiting on this (dedicated) thread; null once the loop completed the
    // channel. An abandoned snapshot's OperationCanceledException is rethrown.
    [SuppressMessage("Usage", "VSTHRD002", Justification = "The snapshot writer's own thread has no synchronization context and nothing else to do; blocking it is the point.")]
    private static JuteWriter? Take(ChannelReader<JuteWriter> chunks)
    {
        while (true)
        {
            if (chunks.TryRead(out var chunk))
            {
                return chunk;
            }

            if (!chunks.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                return null;
            }
        }
    }

    private SnapshotFileInfo WriteFile(SnapshotFileHeader header, ChannelReader<JuteWriter> chunks, ReplicaSnapshot snapshot)
    {
        // Never recreate the directory: recovery made it at start, and a server whose data
        // directory was deleted under it must fail its writes, not start a new one.
        var directory = _options.SnapshotDirectory;
        var name = StorageLayout.SnapshotName(header.StartZxid);
        var temp = Path.Combine(directory, name + StorageLayout.TempSuffix);
        var final = Path.Combine(directory, name);
        _fileSystem.Delete(temp);
        var file = _fileSystem.Open(temp, StorageFileMode.CreateNew);
        var renamed = false;
        try
        {
            var bytes = new byte[Math.Max(SnapshotFileFormat.HeaderSize, SnapshotFileFormat.TrailerSize)];
            SnapshotFileFormat.WriteHeader(bytes, header);
            file.Write(bytes.AsSpan(0, SnapshotFileFormat.HeaderSize), 0);
            var offset = (long)SnapshotFileFormat.HeaderSize;
            var running = Crc32C.Seed;
            var payloadBytes = 0L;
            var count = 0;
            var unsynced = 0L;
            while (Take(chunks) is { } chunk)
            {
                try
                {
                    // The loop left the chunk header's 8 bytes free at the start: the payload's
                    // length, then the CRC-32C of the length and payload (docs/storage-format.md §3.2).
                    var written = MemoryMarshal.AsMemory(chunk.WrittenMemory).Span;
                    var chunkHeader = written[..SnapshotFileFormat.ChunkHeaderSize];
                    var payload = written[SnapshotFileFormat.ChunkHeaderSize..];
                    BinaryPrimitives.WriteInt32BigEndian(chunkHeader, payload.Length);
                    var chunkCrc = Crc32C.Append(Crc32C.Seed, chunkHeader[..4]);
                    Crc32C.Append(ref chunkCrc, ref running, payload);
                    BinaryPrimitives.WriteUInt32BigEndian(chunkHeader[4..], Crc32C.Finish(chunkCrc));
                    file.Write(written, offset);
                    offset += written.Length;
                    payloadBytes += payload.Length;
                    count++;
                    unsynced += written.Length;
                    if (unsynced >= _options.SnapshotBytesPerSync)
                    {
                        // Trickle the file to disk (see StorageOptions.SnapshotBytesPerSync).
                        file.Sync();
                        unsynced = 0;
                    }
                }
                finally
                {
                    _freeChunks.Enqueue(chunk);
                    Interlocked.Decrement(ref _queued);
                }

                WriterProgressed?.Invoke();
            }

            SnapshotFileFormat.WriteTrailer(bytes, new SnapshotTrailer(count, payloadBytes, Crc32C.Finish(running)));
            file.Write(bytes.AsSpan(0, SnapshotFileFormat.TrailerSize), offset);
            offset += SnapshotFileFormat.TrailerSize;

            // Durable before it is visible under its name, and the rename durable before the
            // snapshot is relied on (purge may then delete what it replaces).
            file.Sync();
            file.Dispose();
            _fileSystem.Move(temp, final);
            renamed = true;
            _fileSystem.SyncDirectory(directory);
            // The loop wrote the last chunk before completing the channel, so the count is final.
            return new SnapshotFileInfo(final, header.StartZxid, snapshot.NodesWritten, header.SessionCount, offset);
        }
        catch
        {
            file.Dispose();
            if (!renamed)
            {
                _fileSystem.Delete(temp);
            }

            throw;
        }
        finally
        {
            // The loop takes no chunk once the channel is complete (or the writer failed, which
            // Step checks first), so the buffers go back to the pool now.
            while (_freeChunks.TryDequeue(out var free))
            {
                free.Dispose();
            }

            WriterProgressed?.Invoke();
        }
    }
}
