// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// <see cref="Request"/> objects that nothing refers to any more, for the next requests: one
/// replica's, used on its event loop only. A request comes back once it has left every place that
/// holds requests: its session's queue (<see cref="CommitStage.Drain"/>), which on a leader it
/// leaves only after its proposal left the proposal table (its commit) and on a learner only
/// after its commit was matched to it; a read served within the call that received it and a
/// leader's request forwarded by a learner (prepped and proposed within one call, queued nowhere)
/// come back at once.
/// </summary>
internal sealed class RequestPool
{
    // Bounded: a burst's requests go to the collector once this many wait.
    private const int MaxSpares = 1024;

    private readonly Stack<Request> _spares = new();

    /// <summary>Gets how many requests the pool had to create (none were spare): what tests count.</summary>
    public long Created { get; private set; }

    /// <summary>Gets a request, a spare one made over when there is one.</summary>
    /// <param name="connection">The connection it came on.</param>
    /// <param name="session">Its session.</param>
    /// <param name="xid">The xid to echo.</param>
    /// <param name="type">The opcode as sent.</param>
    /// <param name="body">The decoded body.</param>
    /// <param name="decodeError">MarshallingError when the body did not decode.</param>
    /// <param name="kind">The kind.</param>
    /// <param name="path">The path of a read whose body the transport held inline.</param>
    /// <param name="watch">Its watch flag.</param>
    /// <returns>The request.</returns>
    public Request Take(ServerConnection connection, Session session, int xid, int type, IJuteRecord? body, KeeperErrorCode decodeError, RequestKind kind, string? path = null, bool watch = false)
    {
        if (_spares.TryPop(out var spare))
        {
            spare.Reset(connection, session, xid, type, body, decodeError, kind, path, watch);
            return spare;
        }

        Created++;
        return new Request(connection, session, xid, type, body, decodeError, kind, path, watch);
    }

    /// <summary>Takes back a request nothing refers to any more; what it held is let go.</summary>
    /// <param name="request">The request.</param>
    public void Return(Request request)
    {
        // A request returned twice would be handed out twice: two live requests in one object.
        Debug.Assert(!request.IsSpare, "a request was returned to the pool twice");
        if (request.IsSpare || _spares.Count >= MaxSpares)
        {
            return;
        }

        request.Release();
        _spares.Push(request);
    }
}
