// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// Where the pure core sends what it produces. The host implements it: it encodes the records
/// and writes them to the connection, in the order of the calls for each connection.
/// </summary>
/// <remarks>
/// Calls are made synchronously from inside the core's input methods. The host must not call
/// back into the core from them. Per connection, the order of calls is the order of bytes on the
/// wire: a notification sent before a reply reaches the client before it (ZooKeeper's ordering
/// guarantee), and a <see cref="Close"/> comes after everything sent before it has been flushed.
/// </remarks>
public interface IReplicaOutput
{
    /// <summary>Sends the answer to a connect request (no reply header).</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="response">The response; its <c>ReadOnly</c> is null for clients that sent none.</param>
    void SendConnectResponse(long connectionId, ConnectResponse response);

    /// <summary>Sends a reply or a notification (xid −1).</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="header">The reply header.</param>
    /// <param name="body">The body, if any.</param>
    void Send(long connectionId, ReplyHeader header, IJuteRecord? body);

    /// <summary>
    /// Sends a reply whose body the core made inline (the hot replies: getData, exists,
    /// getChildren, setData, create ...). A host that encodes at once writes it with
    /// <see cref="ReplyBody.Write"/> and allocates nothing for it; by default it is turned into
    /// its record and passed to <see cref="Send(long, ReplyHeader, IJuteRecord?)"/>.
    /// </summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="header">The reply header.</param>
    /// <param name="body">The body; valid only during the call.</param>
    void Send(long connectionId, ReplyHeader header, in ReplyBody body) => Send(connectionId, header, body.ToRecord());

    /// <summary>Closes the connection once what was sent before has been written.</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="reason">Why, for the log.</param>
    void Close(long connectionId, string reason);
}
