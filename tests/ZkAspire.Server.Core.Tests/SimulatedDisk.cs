// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// A disk for the pure core: txns appended through <see cref="SimulatedTxnPersistence"/> stay
/// unsynced until a sync completes; a crash keeps what was synced plus, at random, a prefix of
/// what was not (a write the disk happened to finish), and loses the rest, torn records included.
/// Snapshots are kept once complete (written, synced and renamed); one in progress is lost.
/// </summary>
internal sealed class SimulatedDisk
{
    /// <summary>Gets the txns on stable storage, each as the bytes a log record would hold.</summary>
    public List<byte[]> Log { get; } = [];

    /// <summary>Gets the complete snapshots, oldest first.</summary>
    public List<(long StartZxid, byte[] Records)> Snapshots { get; } = [];

    public static byte[] Encode(TxnLogEntry entry)
    {
        using var writer = new JuteWriter();
        entry.Write(writer);
        return writer.ToArray();
    }

    public static TxnLogEntry Decode(byte[] bytes)
    {
        var reader = new JuteReader(bytes);
        var entry = reader.ReadRecord<TxnLogEntry>();
        Assert.True(reader.IsAtEnd);
        return entry;
    }

    /// <summary>Rebuilds a replica from the newest snapshot and the log after it, as a restart does.</summary>
    public ReplicaRecovery Recover(ReplicaOptions options, bool useSnapshot = true)
    {
        var recovery = new ReplicaRecovery(options);
        if (useSnapshot && Snapshots.Count > 0)
        {
            var (_, records) = Snapshots[^1];

            // Fed in uneven pieces of whole records is not possible from here, so in one block;
            // the storage tests feed real chunks.
            recovery.LoadSnapshotChunk(records);
            recovery.EndSnapshot();
        }

        foreach (var bytes in Log)
        {
            recovery.Replay(Decode(bytes));
        }

        return recovery;
    }
}

/// <summary>One server incarnation's view of the <see cref="SimulatedDisk"/>: appends wait unsynced until <see cref="Sync"/>.</summary>
internal sealed class SimulatedTxnPersistence : ITxnPersistence
{
    private readonly SimulatedDisk _disk;

    public SimulatedTxnPersistence(SimulatedDisk disk) => _disk = disk;

    public List<TxnLogEntry> Unsynced { get; } = [];

    /// <summary>Gets or sets whether appends fail (a full disk): <see cref="Sync"/> then reports failure.</summary>
    public bool Full { get; set; }

    public Replica? Replica { get; set; }

    public void Append(TxnLogEntry entry) => Unsynced.Add(entry);

    /// <summary>Syncs up to <paramref name="count"/> unsynced txns (all by default) and reports them to the replica.</summary>
    public void Sync(long nowMs, int count = int.MaxValue)
    {
        if (Unsynced.Count == 0)
        {
            return;
        }

        if (Full)
        {
            // The group write fails: nothing reaches the disk, everything queued is reported failed.
            var from = Unsynced[0].Zxid;
            Unsynced.Clear();
            Replica!.PersistFailed(from, nowMs);
            return;
        }

        var n = Math.Min(count, Unsynced.Count);
        for (var i = 0; i < n; i++)
        {
            _disk.Log.Add(SimulatedDisk.Encode(Unsynced[i]));
        }

        var last = Unsynced[n - 1].Zxid;
        Unsynced.RemoveRange(0, n);
        Replica!.Persisted(last, nowMs);
    }

    /// <summary>The process dies: a random prefix of the unsynced txns may have reached the disk.</summary>
    public void Crash(Random random)
    {
        var survive = random.Next(Unsynced.Count + 1);
        for (var i = 0; i < survive; i++)
        {
            _disk.Log.Add(SimulatedDisk.Encode(Unsynced[i]));
        }

        Unsynced.Clear();
    }
}
