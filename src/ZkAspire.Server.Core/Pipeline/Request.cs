// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics.CodeAnalysis;
using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>What a request asks of the pipeline beyond its opcode.</summary>
internal enum RequestKind
{
    /// <summary>A client request served by its opcode.</summary>
    Normal,

    /// <summary>The connect request of a new session: its createSession txn is answered with a ConnectResponse.</summary>
    Connect,

    /// <summary>An opcode clients may not send: answered with Unimplemented, then the connection is closed (§6).</summary>
    Unimplemented,
}

/// <summary>
/// One request on its way through the stages (ZooKeeper's <c>Request</c>): what arrived, and for a
/// write the txn Prep made of it.
/// </summary>
internal sealed class Request
{
    /// <summary>Creates a request.</summary>
    /// <param name="connection">The connection it came on.</param>
    /// <param name="session">Its session.</param>
    /// <param name="xid">The xid to echo.</param>
    /// <param name="type">The opcode as sent.</param>
    /// <param name="body">The decoded body.</param>
    /// <param name="decodeError">MarshallingError when the body did not decode.</param>
    /// <param name="kind">The kind.</param>
    /// <param name="path">The path of a read whose body the transport held inline (<see cref="ClientRequest.Path"/>).</param>
    /// <param name="watch">Its watch flag.</param>
    public Request(ServerConnection connection, Session session, int xid, int type, IJuteRecord? body, KeeperErrorCode decodeError, RequestKind kind, string? path = null, bool watch = false) =>
        Reset(connection, session, xid, type, body, decodeError, kind, path, watch);

    /// <summary>
    /// Makes the object another request, every other property back to its initial value: the
    /// replica reuses the objects of answered requests (<see cref="RequestPool"/>).
    /// </summary>
    /// <param name="connection">The connection it came on.</param>
    /// <param name="session">Its session.</param>
    /// <param name="xid">The xid to echo.</param>
    /// <param name="type">The opcode as sent.</param>
    /// <param name="body">The decoded body.</param>
    /// <param name="decodeError">MarshallingError when the body did not decode.</param>
    /// <param name="kind">The kind.</param>
    /// <param name="path">The path of a read whose body the transport held inline.</param>
    /// <param name="watch">Its watch flag.</param>
    [MemberNotNull(nameof(Connection), nameof(Session))]
    public void Reset(ServerConnection connection, Session session, int xid, int type, IJuteRecord? body, KeeperErrorCode decodeError, RequestKind kind, string? path = null, bool watch = false)
    {
        Connection = connection;
        Session = session;
        Xid = xid;
        Type = type;
        Body = body;
        DecodeError = decodeError;
        Kind = kind;
        Path = path;
        Watch = watch;
        Txn = null;
        IsWrite = false;
        IsQuorumSync = false;
        SyncZxid = -1;
        SyncApplied = false;
        Result = null;
        Failure = null;
        ForwardedAuthInfo = null;
        IsSpare = false;
    }

    /// <summary>
    /// Lets go of what the request held (its body, txn and result; its connection and session
    /// stay until it is reset, as they cannot be null) when it goes back to the pool.
    /// </summary>
    public void Release()
    {
        Body = null;
        Path = null;
        Txn = null;
        Result = null;
        Failure = null;
        ForwardedAuthInfo = null;
        IsSpare = true;
    }

    /// <summary>Gets whether the object is in the <see cref="RequestPool"/>, waiting to be another request.</summary>
    public bool IsSpare { get; private set; }

    /// <summary>Gets the connection the request came on.</summary>
    public ServerConnection Connection { get; private set; }

    /// <summary>Gets the session.</summary>
    public Session Session { get; private set; }

    /// <summary>Gets the xid.</summary>
    public int Xid { get; private set; }

    /// <summary>Gets the opcode as sent.</summary>
    public int Type { get; private set; }

    /// <summary>Gets the opcode.</summary>
    public OpCode OpCode => (OpCode)Type;

    /// <summary>Gets the decoded body.</summary>
    public IJuteRecord? Body { get; private set; }

    /// <summary>Gets the path of a getData, exists, getChildren or getChildren2 whose body the transport held inline (<see cref="Body"/> is then <see langword="null"/>).</summary>
    public string? Path { get; private set; }

    /// <summary>Gets the watch flag of a read held inline.</summary>
    public bool Watch { get; private set; }

    /// <summary>Gets the decode error, if any.</summary>
    public KeeperErrorCode DecodeError { get; private set; }

    /// <summary>Gets the kind.</summary>
    public RequestKind Kind { get; private set; }

    /// <summary>Gets or sets the txn Prep made; <see langword="null"/> for requests that change nothing (and, on a learner, for writes: the leader preps them).</summary>
    public TxnLogEntry? Txn { get; set; }

    /// <summary>
    /// Gets or sets whether the request is a write (it becomes a txn, here or at the leader): it
    /// holds its session's later requests until its txn is committed and applied.
    /// </summary>
    public bool IsWrite { get; set; }

    /// <summary>
    /// Gets or sets whether the request is a sync answered by the quorum (a replicated server):
    /// it holds its session's later requests until the leader's commit point is applied here.
    /// </summary>
    public bool IsQuorumSync { get; set; }

    /// <summary>Gets or sets the commit point the leader confirmed for a quorum sync, or −1 until known.</summary>
    public long SyncZxid { get; set; }

    /// <summary>Gets or sets whether a quorum sync's commit point has been applied: it may be answered.</summary>
    public bool SyncApplied { get; set; }

    /// <summary>Gets or sets the applied txn of a write, once committed; its reply waits for the requests before it in its session.</summary>
    public TxnResult? Result { get; set; }

    /// <summary>Gets or sets the error a write fails with when its txn could not be persisted.</summary>
    public KeeperErrorCode? Failure { get; set; }

    /// <summary>
    /// Gets or sets the identities of a request forwarded by a learner (the leader preps it with
    /// the client's identities on that learner); <see langword="null"/> for local requests.
    /// </summary>
    public IReadOnlyList<Id>? ForwardedAuthInfo { get; set; }

    /// <summary>Gets the identities ACL checks use.</summary>
    public IReadOnlyList<Id> AuthInfo => ForwardedAuthInfo ?? Connection.AuthInfo;

    /// <summary>Gets whether the request is answered only once something else happens (a commit, a quorum sync).</summary>
    public bool Blocks => IsWrite || IsQuorumSync;
}

/// <summary>An applied txn and what applying it did, kept in its request until it can be answered (a struct: no object of its own per write).</summary>
/// <param name="Entry">The txn.</param>
/// <param name="Result">What applying it did.</param>
/// <param name="CloseAfterReply">The connection of a session the txn closed, to close after the reply.</param>
internal readonly record struct TxnResult(TxnLogEntry Entry, ProcessTxnResult Result, ServerConnection? CloseAfterReply);
