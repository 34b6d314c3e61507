// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Storage;

/// <summary>
/// Hears how group commits end. Called on the log's writer thread, in zxid order: the host posts
/// each call into its event loop and there calls <c>Replica.Persisted</c> or
/// <c>Replica.PersistFailed</c> (then <see cref="FileTxnLog.ResumeAfterFailure"/>).
/// </summary>
public interface ITxnLogListener
{
    /// <summary>Every txn up to <paramref name="zxid"/> is durable (synced, unless forceSync is off).</summary>
    /// <param name="zxid">The highest durable zxid.</param>
    void Persisted(long zxid);

    /// <summary>
    /// The txns from <paramref name="fromZxid"/> on could not be written or synced; none of them
    /// is in the log, and the log drops every append until <see cref="FileTxnLog.ResumeAfterFailure"/>.
    /// </summary>
    /// <param name="fromZxid">The first failed zxid.</param>
    /// <param name="error">The IO error.</param>
    void PersistFailed(long fromZxid, Exception error);
}

/// <summary>
/// Hears, besides group commits, when the flushes of a quorum member (<see cref="FileTxnLog.Flush"/>)
/// are durable. Called on the log's writer thread, in order: the host posts each into its event
/// loop and there calls <c>Replica.Flushed</c>. A <see cref="ITxnLogListener.PersistFailed"/> of a
/// quorum member is fatal: the host stops the server (ZooKeeper exits), and recovery brings it back.
/// </summary>
public interface IReplicaLogListener : ITxnLogListener
{
    /// <summary>Everything handed over before the flush of <paramref name="batch"/> is durable.</summary>
    /// <param name="batch">The batch.</param>
    void Flushed(long batch);
}
