// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus;

/// <summary>
/// One txn of the history: its zxid and its bytes, which consensus never looks into (the
/// application's encoded txn, header included).
/// </summary>
/// <param name="Zxid">The zxid.</param>
/// <param name="Data">The encoded txn.</param>
public readonly record struct TxnEntry(long Zxid, ReadOnlyMemory<byte> Data)
{
    /// <inheritdoc/>
    public override string ToString() => $"{ZxidText.Format(Zxid)}({Data.Length}B)";
}

/// <summary>The application's state at a zxid, serialized, as a leader sends it with SNAP.</summary>
/// <param name="Zxid">The zxid of the last txn the state includes.</param>
/// <param name="Data">The serialized state.</param>
public sealed record QuorumSnapshot(long Zxid, ReadOnlyMemory<byte> Data);

/// <summary>What a server has on stable storage when it starts: what <see cref="QuorumPeer"/> starts from.</summary>
/// <param name="AcceptedEpoch">The last epoch it accepted (ZooKeeper's <c>acceptedEpoch</c> file), 0 for a new server.</param>
/// <param name="CurrentEpoch">The last epoch whose NEWLEADER it acknowledged (the <c>currentEpoch</c> file), 0 for a new server.</param>
/// <param name="SnapshotZxid">The zxid of the newest snapshot the application restored (0 without one); the log continues from it.</param>
/// <param name="Log">The logged txns after <paramref name="SnapshotZxid"/>, in zxid order. They are not yet known to be committed.</param>
/// <param name="AppliedZxid">The zxid the application's restored state is at (normally <paramref name="SnapshotZxid"/>).</param>
public sealed record PersistentState(int AcceptedEpoch, int CurrentEpoch, long SnapshotZxid, IReadOnlyList<TxnEntry> Log, long AppliedZxid)
{
    /// <summary>Gets the state of a server that has never run.</summary>
    public static PersistentState Empty { get; } = new(0, 0, 0, [], 0);
}
