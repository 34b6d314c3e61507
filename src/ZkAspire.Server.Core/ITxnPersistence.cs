// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>
/// The seam between Prep and Final where txns are made durable (ZooKeeper's
/// <c>SyncRequestProcessor</c>: "the request is not passed to the next RequestProcessor until its
/// log has been synced to disk"). A replica built with one hands every txn to it, in zxid order,
/// and applies a txn only once the host reports it persisted through <see cref="Replica.Persisted"/>.
/// A replica built without one applies each txn as soon as it is prepped (in-memory server).
/// </summary>
public interface ITxnPersistence
{
    /// <summary>
    /// Takes a txn to persist. Called synchronously from inside the replica's input methods, in
    /// zxid order; the host must not call back into the replica from here.
    /// </summary>
    /// <param name="entry">The txn.</param>
    void Append(TxnLogEntry entry);
}
