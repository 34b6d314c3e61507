// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// Keeps each session's requests in order (ZooKeeper's <c>CommitProcessor</c>: "Each session's
/// requests must be processed in order. Write requests must be processed in zxid order."): a
/// request that needs no txn is served at once unless an earlier write of its session is still
/// waiting to commit, in which case it waits behind it; writes reach it from the persist stage in
/// zxid order.
/// </summary>
internal sealed class CommitStage
{
    private readonly PrepStage _prep;
    private readonly FinalStage _final;

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

    /// <summary>
    /// Takes a client request. A write (prepped, with its txn) joins its session's queue and the
    /// caller passes its txn to the persist stage; anything else is served now unless an earlier
    /// write of the session is still waiting, in which case it waits behind it.
    /// </summary>
    /// <param name="request">The request.</param>
    public void Accept(Request request)
    {
        var pending = request.Session.Pending;
        if (request.IsWrite || pending.Count > 0)
        {
            pending.Enqueue(request);
            Outstanding++;
            return;
        }

        _final.Serve(request);
    }

    /// <summary>
    /// A txn could not be made durable: it is not applied; its request (if any) is answered with
    /// <paramref name="error"/>, and the reads that waited behind it are served.
    /// </summary>
    /// <param name="entry">The txn.</param>
    /// <param name="request">The request it answers, if any.</param>
    /// <param name="error">The error the client gets.</param>
    /// <param name="nowMs">The host's clock.</param>
    public void Failed(TxnLogEntry entry, Request? request, KeeperErrorCode error, long nowMs)
    {
        if (request is null)
        {
            _final.Fail(entry, null, error, nowMs);
            return;
        }

        var pending = request.Session.Pending;
        if (pending.TryPeek(out var head) && ReferenceEquals(head, request))
        {
            pending.Dequeue();
            Outstanding--;
        }

        _final.Fail(entry, request, error, nowMs);
        while (pending.TryPeek(out var next) && !next.IsWrite)
        {
            pending.Dequeue();
            Outstanding--;
            _final.Serve(next);
        }
    }

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
