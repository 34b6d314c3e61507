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

    /// <summary>
    /// The host could not make the txns from <paramref name="fromZxid"/> on durable: they leave the
    /// queue, in zxid order, without being passed on.
    /// </summary>
    /// <param name="fromZxid">The first txn that failed; every later one failed with it.</param>
    /// <param name="failed">Receives the txns and their requests, in zxid order.</param>
    public void Fail(long fromZxid, List<(TxnLogEntry Entry, Request? Request)> failed)
    {
        // The failed txns are the tail of the queue: everything before fromZxid was reported
        // persisted first (the host reports in zxid order), or still will be.
        var keep = _unpersisted.Count;
        var i = 0;
        foreach (var item in _unpersisted)
        {
            if (item.Entry.Zxid >= fromZxid)
            {
                keep = i;
                break;
            }

            i++;
        }

        if (keep == _unpersisted.Count)
        {
            return;
        }

        var all = _unpersisted.ToArray();
        _unpersisted.Clear();
        for (var j = 0; j < all.Length; j++)
        {
            if (j < keep)
            {
                _unpersisted.Enqueue(all[j]);
            }
            else
            {
                failed.Add(all[j]);
            }
        }
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
