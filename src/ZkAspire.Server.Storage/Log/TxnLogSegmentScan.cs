// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers;
using System.Buffers.Binary;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Storage;

/// <summary>
/// What reading one log segment found: its header, the good batches (their txns delivered in
/// order as they are verified, a whole batch at a time so that a torn batch delivers nothing), and
/// where and how its data ends: cleanly (zeros or the end of the file), or at damage, and whether
/// a well-formed batch follows the damage (then the damage is in the middle, not a torn tail).
/// </summary>
internal sealed class TxnLogSegmentScan
{
    private const int WindowBytes = 1024 * 1024;
    private static readonly byte[] BatchMagicBytes = [0x5A, 0x4B, 0x41, 0x42];

    private TxnLogSegmentScan(string path, long nameZxid)
    {
        Path = path;
        NameZxid = nameZxid;
    }

    /// <summary>Gets the segment's path.</summary>
    public string Path { get; }

    /// <summary>Gets the zxid in its name.</summary>
    public long NameZxid { get; }

    /// <summary>Gets its header (valid when <see cref="HeaderProblem"/> is null).</summary>
    public TxnLogSegmentHeader Header { get; private set; }

    /// <summary>Gets what is wrong with the header, if anything.</summary>
    public string? HeaderProblem { get; private set; }

    /// <summary>Gets the file's length.</summary>
    public long FileLength { get; private set; }

    /// <summary>Gets the offset just after the last good batch.</summary>
    public long DataEnd { get; private set; }

    /// <summary>Gets the zxid of the first good txn (0 if none).</summary>
    public long FirstZxid { get; private set; }

    /// <summary>Gets the zxid of the last good txn (0 if none).</summary>
    public long LastZxid { get; private set; }

    /// <summary>Gets the number of good batches.</summary>
    public int Batches { get; private set; }

    /// <summary>Gets the number of good txns.</summary>
    public long Records { get; private set; }

    /// <summary>Gets the offset of the first damage, if any.</summary>
    public long? DamageOffset { get; private set; }

    /// <summary>Gets what the damage is.</summary>
    public string? DamageReason { get; private set; }

    /// <summary>Gets the offset of a well-formed batch header after the damage: the damage is then in the middle.</summary>
    public long? ValidBatchAfterDamage { get; private set; }

    /// <summary>Gets the zxids that could still be read in the damaged region (intact records of the torn batch).</summary>
    public List<long> DamagedZxids { get; } = [];

    /// <summary>Gets the zxids at or above the next segment's first zxid: rewritten there after a failed write.</summary>
    public List<long> SupersededZxids { get; } = [];

    /// <summary>Gets whether the first txn does not follow the zxid the caller expected (a gap before this segment).</summary>
    public bool GapBefore { get; private set; }

    /// <summary>Gets whether the segment is intact: a good header and no damage.</summary>
    public bool IsIntact => HeaderProblem is null && DamageOffset is null && !GapBefore;

    /// <summary>Reads a segment.</summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="path">The segment's path.</param>
    /// <param name="nameZxid">The zxid in its name.</param>
    /// <param name="previousZxid">The zxid its first txn must follow, or −1 for any.</param>
    /// <param name="stopBeforeZxid">The next segment's first zxid: txns from it on are superseded; <see cref="long.MaxValue"/> for the last segment.</param>
    /// <param name="onEntry">Receives each good txn, with its record's file offset, in order.</param>
    /// <returns>What was found.</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static TxnLogSegmentScan Read(
        IStorageFileSystem fileSystem,
        string path,
        long nameZxid,
        long previousZxid,
        long stopBeforeZxid,
        Action<TxnLogEntry, long>? onEntry)
    {
        var scan = new TxnLogSegmentScan(path, nameZxid);
        using var file = fileSystem.Open(path, StorageFileMode.Read);
        scan.FileLength = file.Length;
        var window = new Window(file);
        try
        {
            scan.ReadAll(window, previousZxid, stopBeforeZxid, onEntry);
        }
        finally
        {
            window.Dispose();
        }

        return scan;
    }

    private void ReadAll(Window window, long previousZxid, long stopBeforeZxid, Action<TxnLogEntry, long>? onEntry)
    {
        var header = window.Get(0, (int)Math.Min(TxnLogFormat.HeaderSize, FileLength));
        HeaderProblem = TxnLogFormat.ReadSegmentHeader(header, out var parsed);
        if (HeaderProblem is null && parsed.FirstZxid != NameZxid)
        {
            HeaderProblem = $"the header names first zxid 0x{parsed.FirstZxid:x}, the file name 0x{NameZxid:x}";
        }

        if (HeaderProblem is not null)
        {
            DataEnd = 0;
            ValidBatchAfterDamage = FindBatchHeader(window, 0);
            return;
        }

        Header = parsed;
        var offset = (long)TxnLogFormat.HeaderSize;
        var last = 0L;
        var entries = new List<(TxnLogEntry Entry, long Offset)>();
        while (true)
        {
            DataEnd = offset;
            if (FileLength - offset < TxnLogFormat.BatchHeaderSize)
            {
                if (window.HasNonZero(offset, FileLength))
                {
                    Damage(offset, "a partial batch header at the end of the file", window, offset + 1);
                }

                return;
            }

            var batchBytes = window.Get(offset, TxnLogFormat.BatchHeaderSize);
            if (BinaryPrimitives.ReadUInt32BigEndian(batchBytes) == 0)
            {
                // Zeros: the preallocated end, unless something was written past a hole.
                if (window.HasNonZero(offset, FileLength))
                {
                    Damage(offset, "zeros where a batch should be, followed by more data", window, offset + 1);
                }

                return;
            }

            if (!TxnLogFormat.TryReadBatchHeader(batchBytes, out var batch))
            {
                Damage(offset, "a malformed batch header (bad magic, checksum or lengths)", window, offset + 1);
                return;
            }

            var end = offset + TxnLogFormat.BatchHeaderSize + batch.RecordsLength;
            if (end > FileLength)
            {
                Damage(offset, $"a batch of {batch.RecordsLength} bytes runs past the end of the file", window, offset + 1);
                DamagedZxids.Add(batch.FirstZxid);
                return;
            }

            entries.Clear();
            var problem = ReadBatch(window, offset, batch, ref last, entries);
            if (problem is not null)
            {
                Damage(offset, problem, window, end);
                foreach (var (entry, _) in entries)
                {
                    DamagedZxids.Add(entry.Zxid);
                }

                if (entries.Count == 0)
                {
                    DamagedZxids.Add(batch.FirstZxid);
                }

                return;
            }

            foreach (var (entry, entryOffset) in entries)
            {
                if (entry.Zxid >= stopBeforeZxid)
                {
                    SupersededZxids.Add(entry.Zxid);
                    continue;
                }

                if (FirstZxid == 0)
                {
                    if (previousZxid >= 0 && !TxnLogFormat.IsNextZxid(previousZxid, entry.Zxid))
                    {
                        GapBefore = true;
                        return;
                    }

                    FirstZxid = entry.Zxid;
                }

                LastZxid = entry.Zxid;
                Records++;
                onEntry?.Invoke(entry, entryOffset);
            }

            Batches++;
            offset = end;
        }
    }

    private string? ReadBatch(Window window, long offset, TxnLogBatchHeader batch, ref long last, List<(TxnLogEntry, long)> entries)
    {
        var records = window.Get(offset + TxnLogFormat.BatchHeaderSize, batch.RecordsLength);
        var position = 0;
        var previous = last;
        for (var i = 0; i < batch.Count; i++)
        {
            if (records.Length - position < TxnLogFormat.RecordHeaderSize)
            {
                return $"record {i} of the batch is cut short";
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(records[position..]);
            if (length <= 0 || length > records.Length - position - TxnLogFormat.RecordHeaderSize)
            {
                return $"record {i} of the batch has an impossible length {length}";
            }

            var crc = BinaryPrimitives.ReadUInt32BigEndian(records[(position + 4)..]);
            var payload = records.Slice(position + TxnLogFormat.RecordHeaderSize, length);
            if (crc != Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, records.Slice(position, 4)), payload)))
            {
                return $"record {i} of the batch fails its checksum";
            }

            TxnLogEntry entry;
            try
            {
                var reader = new JuteReader(payload, payload.Length);
                entry = reader.ReadRecord<TxnLogEntry>();
                if (!reader.IsAtEnd)
                {
                    return $"record {i} of the batch has {reader.Remaining} bytes after its txn";
                }
            }
            catch (ProtocolException e)
            {
                return $"record {i} of the batch does not decode: {e.Message}";
            }

            if (i == 0 ? entry.Zxid != batch.FirstZxid : !TxnLogFormat.IsNextZxid(previous, entry.Zxid))
            {
                return $"record {i} of the batch has zxid 0x{entry.Zxid:x}, which does not follow 0x{previous:x}";
            }

            entries.Add((entry, offset + TxnLogFormat.BatchHeaderSize + position));
            previous = entry.Zxid;
            position += TxnLogFormat.RecordHeaderSize + length;
        }

        if (position != records.Length || previous != batch.LastZxid)
        {
            return "the batch's records do not match its header's length, count or last zxid";
        }

        if (Batches > 0 && !TxnLogFormat.IsNextZxid(last, batch.FirstZxid))
        {
            return $"the batch starts at zxid 0x{batch.FirstZxid:x}, which does not follow 0x{last:x}";
        }

        last = previous;
        return null;
    }

    private void Damage(long offset, string reason, Window window, long searchFrom)
    {
        DamageOffset = offset;
        DamageReason = reason;
        ValidBatchAfterDamage = FindBatchHeader(window, Math.Max(searchFrom, TxnLogFormat.HeaderSize));
    }

    // A well-formed batch header anywhere after 'from' (the magic, then the header checksum).
    private long? FindBatchHeader(Window window, long from)
    {
        for (var start = from; start + TxnLogFormat.BatchHeaderSize <= FileLength;)
        {
            var count = (int)Math.Min(WindowBytes, FileLength - start);
            var block = window.Get(start, count);
            var searched = 0;
            while (true)
            {
                var index = block[searched..].IndexOf(BatchMagicBytes);
                if (index < 0)
                {
                    break;
                }

                var at = start + searched + index;
                if (at + TxnLogFormat.BatchHeaderSize <= FileLength
                    && TxnLogFormat.TryReadBatchHeader(window.Get(at, TxnLogFormat.BatchHeaderSize), out _))
                {
                    return at;
                }

                block = window.Get(start, count);
                searched += index + 1;
            }

            if (start + count >= FileLength)
            {
                break;
            }

            // Overlap by a header so that one straddling two blocks is seen.
            start += count - TxnLogFormat.BatchHeaderSize;
        }

        return null;
    }

    /// <summary>A read-ahead window over the file, so that small batches cost no syscall each.</summary>
    private sealed class Window(IStorageFile file) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(WindowBytes);
        private long _start;
        private int _length;

        public ReadOnlySpan<byte> Get(long offset, int count)
        {
            if (offset < _start || offset + count > _start + _length)
            {
                if (count > _buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = ArrayPool<byte>.Shared.Rent(count);
                }

                _start = offset;
                _length = file.Read(_buffer.AsSpan(0, Math.Max(count, Math.Min(_buffer.Length, WindowBytes))), offset);
                if (_length < count)
                {
                    return _buffer.AsSpan(0, _length);
                }
            }

            return _buffer.AsSpan((int)(offset - _start), count);
        }

        public bool HasNonZero(long from, long to)
        {
            for (var at = from; at < to;)
            {
                var count = (int)Math.Min(WindowBytes, to - at);
                if (Get(at, count).ContainsAnyExcept((byte)0))
                {
                    return true;
                }

                at += count;
            }

            return false;
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
    }
}
