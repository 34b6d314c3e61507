// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>
/// Holds prepped txns until they are durable, then passes them on in zxid order (ZooKeeper's
/// <c>SyncRequestProcessor</c> position in the standalone chain). Without an
/// <see cref="ITxnPersistence"/> a txn passes on at once.
/// </summary>
internal sealed class PersistStage
{
    private readonly ITxnPersistence? _persistence;
    private readonly Action<TxnLogEntry, Request?> _next;
    private readonly Queue<(TxnLogEntry Entry, Request? Request)> _unpersisted = new();

    /// <summary>Creates the stage.</summary>
    /// <param name="persistence">Where txns are persisted, or <see langword="null"/> to pass them on at once.</param>
    /// <param name="next">The commit step.</param>
    public PersistStage(ITxnPersistence? persistence, Action<TxnLogEntry, Request?> next)
    {
        _persistence = persistence;
        _next = next;
    }

    /// <summary>Gets the number of txns waiting to be reported persisted.</summary>
    public int Unpersisted => _unpersisted.Count;

    /// <summary>Takes a prepped txn.</summary>
    /// <param name="entry">The txn.</param>
    /// <param name="request">The client request it answers, if any.</param>
    public void Submit(TxnLogEntry entry, Request? request)
    {
        if (_persistence is null)
        {
            _next(entry, request);
            return;
        }

        _unpersisted.Enqueue((entry, request));
        _persistence.Append(entry);
    }

    /// <summary>The host made every txn up to <paramref name="zxid"/> durable: pass them on in order.</summary>
    /// <param name="zxid">The highest durable zxid.</param>
    public void Persisted(long zxid)
    {
        while (_unpersisted.TryPeek(out var item) && item.Entry.Zxid <= zxid)
        {
            _unpersisted.Dequeue();
            _next(item.Entry, item.Request);
        }
    }
}
