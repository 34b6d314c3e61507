// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// Keeps each session's requests in order (ZooKeeper's <c>CommitProcessor</c>: "Each session's
/// requests must be processed in order. Write requests must be processed in zxid order."). A
/// request that needs no txn is served at once unless an earlier request of its session is still
/// waiting, in which case it waits behind it. Txns are applied as soon as they commit, in zxid
/// order whatever their sessions; a reply waits for the replies before it in its session, which
/// matters on a replicated server, where a quorum sync may be answered after a later write of the
/// same session has committed.
/// </summary>
internal sealed class CommitStage
{
    private readonly PrepStage _prep;
    private readonly FinalStage _final;
    private readonly RequestPool? _pool;

    /// <summary>Creates the stage.</summary>
    /// <param name="prep">The prep stage (its change records go once a txn is applied).</param>
    /// <param name="final">The final stage.</param>
    /// <param name="pool">Takes the requests that leave a session's queue answered, for reuse (<see langword="null"/>: they are left to the collector).</param>
    public CommitStage(PrepStage prep, FinalStage final, RequestPool? pool = null)
    {
        _prep = prep;
        _final = final;
        _pool = pool;
    }

    /// <summary>Gets the number of requests received and not yet answered.</summary>
    public int Outstanding { get; private set; }

    /// <summary>
    /// Takes a client request. A write or a quorum sync joins its session's queue (the caller
    /// passes the write on to be persisted, proposed or forwarded); anything else is served now
    /// unless an earlier request of the session is still waiting, in which case it waits behind it.
    /// </summary>
    /// <param name="request">The request.</param>
    public void Accept(Request request)
    {
        var pending = request.Session.Pending;
        if (request.Blocks || pending.Count > 0)
        {
            pending.Enqueue(request);
            Outstanding++;
            return;
        }

        _final.Serve(request);
    }

    /// <summary>
    /// A txn could not be made durable: it is not applied; its request (if any) is answered with
    /// <paramref name="error"/> in its turn, and the reads that waited behind it are served.
    /// </summary>
    /// <param name="entry">The txn.</param>
    /// <param name="request">The request it answers, if any.</param>
    /// <param name="error">The error the client gets.</param>
    /// <param name="nowMs">The host's clock.</param>
    public void Failed(TxnLogEntry entry, Request? request, KeeperErrorCode error, long nowMs)
    {
        _final.Unapplied(entry, nowMs);
        if (request is null)
        {
            return;
        }

        request.Failure = error;
        Drain(request.Session);
    }

    /// <summary>A txn is committed (and durable here): apply it now, and answer its request in its turn.</summary>
    /// <param name="entry">The txn.</param>
    /// <param name="request">The request it answers, if any.</param>
    public void Committed(TxnLogEntry entry, Request? request)
    {
        var result = _final.Apply(entry, request);
        _prep.TxnApplied(entry.Zxid);
        if (request is null)
        {
            return;
        }

        request.Result = result;
        Drain(request.Session);
    }

    /// <summary>A quorum sync's commit point is applied: answer it in its turn.</summary>
    /// <param name="request">The sync.</param>
    public void SyncApplied(Request request)
    {
        request.SyncApplied = true;
        Drain(request.Session);
    }

    /// <summary>Answers, from the head of a session's queue, every request that can be answered now.</summary>
    /// <param name="session">The session.</param>
    public void Drain(Session session)
    {
        var pending = session.Pending;
        while (pending.TryPeek(out var head))
        {
            if (head.Result is { } result)
            {
                _final.Respond(head, in result);
            }
            else if (head.Failure is { } failure)
            {
                _final.RespondFailure(head, failure);
            }
            else if (!head.Blocks || (head.IsQuorumSync && head.SyncApplied))
            {
                _final.Serve(head);
            }
            else
            {
                break;
            }

            pending.Dequeue();
            Outstanding--;

            // Answered and out of the queue: a leader's proposal table dropped it at its commit,
            // a learner matched its commit while it was queued, and nothing else keeps a request.
            _pool?.Return(head);
        }
    }

    /// <summary>Forgets every waiting request (the server stopped serving; their connections are closed).</summary>
    /// <param name="sessions">The sessions.</param>
    public void Reset(IEnumerable<Session> sessions)
    {
        foreach (var session in sessions)
        {
            session.Pending.Clear();
        }

        Outstanding = 0;
    }
}
