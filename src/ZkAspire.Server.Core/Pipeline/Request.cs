// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

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
    public Request(ServerConnection connection, Session session, int xid, int type, IJuteRecord? body, KeeperErrorCode decodeError, RequestKind kind)
    {
        Connection = connection;
        Session = session;
        Xid = xid;
        Type = type;
        Body = body;
        DecodeError = decodeError;
        Kind = kind;
    }

    /// <summary>Gets the connection the request came on.</summary>
    public ServerConnection Connection { get; }

    /// <summary>Gets the session.</summary>
    public Session Session { get; }

    /// <summary>Gets the xid.</summary>
    public int Xid { get; }

    /// <summary>Gets the opcode as sent.</summary>
    public int Type { get; }

    /// <summary>Gets the opcode.</summary>
    public OpCode OpCode => (OpCode)Type;

    /// <summary>Gets the decoded body.</summary>
    public IJuteRecord? Body { get; }

    /// <summary>Gets the decode error, if any.</summary>
    public KeeperErrorCode DecodeError { get; }

    /// <summary>Gets the kind.</summary>
    public RequestKind Kind { get; }

    /// <summary>Gets or sets the txn Prep made; <see langword="null"/> for requests that change nothing.</summary>
    public TxnLogEntry? Txn { get; set; }

    /// <summary>Gets whether the request is a write waiting for its txn to commit.</summary>
    public bool IsWrite => Txn is not null;
}
