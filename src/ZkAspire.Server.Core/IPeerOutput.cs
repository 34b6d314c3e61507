// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Consensus;

namespace ZkAspire.Server.Core;

/// <summary>
/// Where a replicated replica sends messages to the other servers of its ensemble. The host
/// encodes them (<see cref="PeerMessageCodec"/>) and writes them to the link to
/// <c>to</c>, in the order of the calls for each destination (the link is FIFO).
/// </summary>
/// <remarks>
/// Calls are made synchronously from inside the replica's input methods; the host must not call
/// back into the replica from them. A message to a peer whose link is down may be dropped: the
/// protocol notices (timeouts, a gap in the proposals) and recovers.
/// </remarks>
public interface IPeerOutput
{
    /// <summary>Sends a message.</summary>
    /// <param name="to">The destination server id.</param>
    /// <param name="message">The message.</param>
    void Send(long to, PeerMessage message);
}
