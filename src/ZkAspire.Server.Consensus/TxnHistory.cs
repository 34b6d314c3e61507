// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus;

/// <summary>
/// The txns a peer keeps in memory: every txn after <see cref="StartZxid"/> up to
/// <see cref="LastZxid"/>, in zxid order. The start is a snapshot's zxid or the last txn dropped
/// to bound memory (only applied txns are ever dropped).
/// </summary>
internal sealed class TxnHistory
{
    private readonly List<TxnEntry> _entries = [];
    private int _offset;

    /// <summary>Creates a history that starts after <paramref name="startZxid"/>.</summary>
    /// <param name="startZxid">The zxid before the first entry.</param>
    public TxnHistory(long startZxid) => StartZxid = startZxid;

    /// <summary>Gets the zxid just before the first entry kept (0 for a history from the beginning).</summary>
    public long StartZxid { get; private set; }

    /// <summary>Gets the last zxid, or <see cref="StartZxid"/> when empty.</summary>
    public long LastZxid => Count == 0 ? StartZxid : _entries[^1].Zxid;

    /// <summary>Gets the number of entries.</summary>
    public int Count => _entries.Count - _offset;

    /// <summary>Gets an entry by position.</summary>
    /// <param name="index">0 for the first kept.</param>
    public TxnEntry this[int index] => _entries[_offset + index];

    /// <summary>Appends a txn after the last one.</summary>
    /// <param name="entry">The txn; its zxid must be above <see cref="LastZxid"/>.</param>
    public void Append(TxnEntry entry)
    {
        if (entry.Zxid <= LastZxid)
        {
            throw new InvalidOperationException($"Txn {ZxidText.Format(entry.Zxid)} does not follow {ZxidText.Format(LastZxid)}.");
        }

        _entries.Add(entry);
    }

    /// <summary>Whether <paramref name="zxid"/> is a point of this history: a kept entry, or the start.</summary>
    /// <param name="zxid">The zxid.</param>
    /// <returns><see langword="true"/> if the history passes through it.</returns>
    public bool Contains(long zxid) => zxid == StartZxid || IndexOf(zxid) >= 0;

    /// <summary>Finds an entry.</summary>
    /// <param name="zxid">The zxid.</param>
    /// <returns>Its position, or −1.</returns>
    public int IndexOf(long zxid)
    {
        int lo = _offset, hi = _entries.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            var z = _entries[mid].Zxid;
            if (z == zxid)
            {
                return mid - _offset;
            }

            if (z < zxid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    /// <summary>The position of the first entry above <paramref name="zxid"/>.</summary>
    /// <param name="zxid">The zxid.</param>
    /// <returns>A position in [0, <see cref="Count"/>].</returns>
    public int FirstAfter(long zxid)
    {
        int lo = _offset, hi = _entries.Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (_entries[mid].Zxid <= zxid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo - _offset;
    }

    /// <summary>The last point of this history below <paramref name="zxid"/>: an entry, or the start.</summary>
    /// <param name="zxid">The zxid.</param>
    /// <returns>The point, or −1 if <paramref name="zxid"/> is at or below the start.</returns>
    public long LastBelow(long zxid)
    {
        if (zxid <= StartZxid)
        {
            return -1;
        }

        var index = FirstAfter(zxid - 1);
        return index == 0 ? StartZxid : this[index - 1].Zxid;
    }

    /// <summary>Drops every entry after <paramref name="zxid"/>.</summary>
    /// <param name="zxid">The last zxid kept; at or above <see cref="StartZxid"/>.</param>
    public void TruncateAfter(long zxid)
    {
        var keep = FirstAfter(zxid);
        _entries.RemoveRange(_offset + keep, Count - keep);
    }

    /// <summary>Drops everything: the history now starts after <paramref name="zxid"/> (a snapshot's).</summary>
    /// <param name="zxid">The new start.</param>
    public void Reset(long zxid)
    {
        _entries.Clear();
        _offset = 0;
        StartZxid = zxid;
    }

    /// <summary>Drops entries from the front, at or below <paramref name="upToZxid"/>, while more than <paramref name="keep"/> remain.</summary>
    /// <param name="upToZxid">The highest zxid that may go.</param>
    /// <param name="keep">How many entries to keep at least.</param>
    public void TrimFront(long upToZxid, int keep)
    {
        var trimmed = false;
        while (Count > keep && _entries[_offset].Zxid <= upToZxid)
        {
            StartZxid = _entries[_offset].Zxid;
            _entries[_offset] = default;
            _offset++;
            trimmed = true;
        }

        // Compact once the dropped prefix is as large as what is kept, so trimming stays amortized O(1).
        if (trimmed && _offset > 1024 && _offset >= Count)
        {
            _entries.RemoveRange(0, _offset);
            _offset = 0;
        }
    }
}
