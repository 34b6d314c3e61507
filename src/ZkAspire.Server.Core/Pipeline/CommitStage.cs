// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>
/// Keeps each session's requests in order (ZooKeeper's <c>CommitProcessor</c>: "Each session's
/// requests must be processed in order. Write requests must be processed in zxid order."): a
/// request that needs no txn is served at once unless an earlier write of its session is still
/// waiting to commit, in which case it waits behind it; writes reach Final in zxid order through
/// the persist stage.
/// </summary>
internal sealed class CommitStage
{
    private readonly PrepStage _prep;
    private readonly FinalStage _final;
    private PersistStage? _persist;

    /// <summary>Creates the stage.</summary>
    /// <param name="prep">The prep stage (its change records go once a txn is applied).</param>
    /// <param name="final">The final stage.</param>
    public CommitStage(PrepStage prep, FinalStage final)
    {
        _prep = prep;
        _final = final;
    }

    /// <summary>Gets the number of requests received and not yet answered.</summary>
    public int Outstanding { get; private set; }

    /// <summary>Connects the persist stage, which calls back <see cref="Committed"/>.</summary>
    /// <param name="persist">The persist stage.</param>
    public void Attach(PersistStage persist) => _persist = persist;

    /// <summary>Takes a client request; a write must have been prepped.</summary>
    /// <param name="request">The request.</param>
    public void Submit(Request request)
    {
        var pending = request.Session.Pending;
        if (request.Txn is { } txn)
        {
            // Queued before it is submitted: without persistence it commits within this call.
            pending.Enqueue(request);
            Outstanding++;
            _persist!.Submit(txn, request);
            return;
        }

        if (pending.Count == 0)
        {
            _final.Serve(request);
            return;
        }

        pending.Enqueue(request);
        Outstanding++;
    }

    /// <summary>Takes a txn the server issues itself (session expiry, container reaping).</summary>
    /// <param name="entry">The txn.</param>
    public void SubmitInternal(TxnLogEntry entry) => _persist!.Submit(entry, null);

    /// <summary>A txn is durable: apply it, answer it, and serve what waited behind it.</summary>
    /// <param name="entry">The txn.</param>
    /// <param name="request">The request it answers, if any.</param>
    public void Committed(TxnLogEntry entry, Request? request)
    {
        if (request is null)
        {
            _final.Commit(entry, null);
            _prep.TxnApplied(entry.Zxid);
            return;
        }

        // Writes commit in zxid order and each session's in arrival order, so this write is at
        // the head of its session's queue: everything before it has been answered.
        var pending = request.Session.Pending;
        if (pending.TryPeek(out var head) && ReferenceEquals(head, request))
        {
            pending.Dequeue();
            Outstanding--;
        }

        _final.Commit(entry, request);
        _prep.TxnApplied(entry.Zxid);
        while (pending.TryPeek(out var next) && !next.IsWrite)
        {
            pending.Dequeue();
            Outstanding--;
            _final.Serve(next);
        }
    }
}
