// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Core;

namespace ZkAspire.Simulation.Tests;

/// <summary>
/// One server's disk: what is durable (epochs, the newest snapshot, the txn log), and what was
/// handed over but not yet synced. A crash keeps a random prefix of the unsynced operations (the
/// disk finished some writes, in order) and loses the rest.
/// </summary>
internal sealed class SimDisk
{
    private readonly List<Action> _unsynced = [];

    public int AcceptedEpoch { get; private set; }

    public int CurrentEpoch { get; private set; }

    public long SnapshotZxid { get; private set; }

    public byte[]? Snapshot { get; private set; }

    public List<TxnLogEntry> Log { get; } = [];

    public int UnsyncedCount => _unsynced.Count;

    /// <summary>Gets how many operations were handed over since the process started.</summary>
    public long HandedOver { get; private set; }

    /// <summary>Gets how many of them are durable.</summary>
    public long Synced { get; private set; }

    /// <summary>Makes every operation handed over up to <paramref name="mark"/> (a value of <see cref="HandedOver"/>) durable.</summary>
    public void SyncThrough(long mark)
    {
        if (mark > Synced)
        {
            Sync((int)(mark - Synced));
        }
    }

    public void Append(TxnLogEntry entry) => Add(() =>
    {
        if (Log.Count > 0 && Log[^1].Zxid >= entry.Zxid)
        {
            throw new InvalidOperationException($"The log goes back: 0x{entry.Zxid:x} after 0x{Log[^1].Zxid:x}.");
        }

        Log.Add(entry);
    });

    public void Truncate(long zxid) => Add(() => Log.RemoveAll(e => e.Zxid > zxid));

    public void InstallSnapshot(long zxid, byte[] records) => Add(() =>
    {
        Snapshot = records;
        SnapshotZxid = zxid;
        Log.Clear();
    });

    public void SetAcceptedEpoch(int epoch) => Add(() => AcceptedEpoch = epoch);

    public void SetCurrentEpoch(int epoch) => Add(() => CurrentEpoch = epoch);

    private void Add(Action op)
    {
        _unsynced.Add(op);
        HandedOver++;
    }

    /// <summary>Makes the oldest <paramref name="count"/> unsynced operations durable.</summary>
    public void Sync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _unsynced[i]();
        }

        _unsynced.RemoveRange(0, count);
        Synced += count;
    }

    /// <summary>A snapshot the host wrote completely (written, synced and renamed).</summary>
    public void SaveSnapshot(long zxid, byte[] records)
    {
        // A fuzzy snapshot at zxid needs the log after it, which is kept whole here.
        Snapshot = records;
        SnapshotZxid = zxid;
    }

    /// <summary>The process dies: a random prefix of what was not synced reached the disk.</summary>
    public void Crash(Random random)
    {
        Sync(random.Next(_unsynced.Count + 1));
        _unsynced.Clear();
        HandedOver = 0;
        Synced = 0;
    }
}
