// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>
/// The persistence seam of a replicated replica: besides appending txns, the leader may tell it to
/// cut its log back (TRUNC) or to replace its state with the leader's (SNAP), and Zab's epochs must
/// be on disk before the replica acts on them. Operations come in order; <see cref="Flush"/> asks
/// the host to report, with <see cref="Replica.Flushed"/>, once everything handed over before it
/// is durable. Nothing is acknowledged to a peer, or applied, before that report.
/// </summary>
/// <remarks>
/// <para>
/// Calls are made synchronously from inside the replica's input methods; the host must not call
/// back into the replica from them. The host may batch: one fsync can cover many flushes
/// (ZooKeeper's group commit), reported in order.
/// </para>
/// <para>
/// Operations become durable in order: after a crash, the disk holds a prefix of what was handed
/// over (a flushed prefix at least). A host that keeps the epochs in their own files (ZooKeeper's
/// <c>acceptedEpoch</c> and <c>currentEpoch</c>, written to a temporary file, fsynced and renamed)
/// must therefore sync the log before it writes an epoch file, and write the epoch file before
/// it appends anything handed over after it.
/// </para>
/// <para>
/// A failed write cannot be reported: a replicated server whose disk fails must stop (ZooKeeper
/// exits), and come back through recovery when the disk works again.
/// </para>
/// </remarks>
public interface IReplicaPersistence : ITxnPersistence
{
    /// <summary>Drops every logged txn after <paramref name="zxid"/> (the new leader does not have them; they were never committed).</summary>
    /// <param name="zxid">The last zxid to keep.</param>
    void Truncate(long zxid);

    /// <summary>
    /// Stores a snapshot from the leader (the records <see cref="ReplicaSnapshot.WriteChunk"/>
    /// writes, complete) and drops the whole log: the history now starts at <paramref name="zxid"/>.
    /// </summary>
    /// <param name="zxid">The snapshot's zxid; the host names the snapshot file by it.</param>
    /// <param name="snapshot">The snapshot records.</param>
    void InstallSnapshot(long zxid, ReadOnlyMemory<byte> snapshot);

    /// <summary>Writes the accepted epoch (ZooKeeper's <c>acceptedEpoch</c> file).</summary>
    /// <param name="epoch">The epoch.</param>
    void SetAcceptedEpoch(int epoch);

    /// <summary>Writes the current epoch (ZooKeeper's <c>currentEpoch</c> file).</summary>
    /// <param name="epoch">The epoch.</param>
    void SetCurrentEpoch(int epoch);

    /// <summary>Marks the end of a batch: once every operation before it is durable, the host calls <see cref="Replica.Flushed"/> with <paramref name="batch"/>.</summary>
    /// <param name="batch">The batch number, increasing.</param>
    void Flush(long batch);
}
