// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Core;

namespace ZkAspire.Server.Transport;

/// <summary>What the event loop is told.</summary>
internal enum LoopInputKind
{
    /// <summary>A connection's first frame, a <see cref="Protocol.ConnectRequest"/> in <see cref="LoopInput.Payload"/>.</summary>
    Connect,
    /// <summary>A request frame.</summary>
    Request,
    /// <summary>A four-letter word (the command in <see cref="LoopInput.Payload"/>, stmk's mask in <see cref="LoopInput.Argument"/>).</summary>
    FourLetterWord,
    /// <summary>The reader stopped: the peer closed, a read failed, or the bytes broke the protocol (the reason in <see cref="LoopInput.Payload"/>).</summary>
    ReaderDone,
    /// <summary>Time passed.</summary>
    Tick,
    /// <summary>Run the <see cref="Action"/> in <see cref="LoopInput.Payload"/> on the loop.</summary>
    Invoke,
    /// <summary>The txn log made every txn up to the zxid in <see cref="LoopInput.Argument"/> durable.</summary>
    Persisted,
    /// <summary>The txn log could not write the txns from the zxid in <see cref="LoopInput.Argument"/> on (the IO error in <see cref="LoopInput.Payload"/>).</summary>
    PersistFailed,
    /// <summary>Produce the next chunk of the snapshot in progress.</summary>
    SnapshotStep,
    /// <summary>A message from another server of the ensemble (the <see cref="Consensus.PeerMessage"/> in <see cref="LoopInput.Payload"/>, its link in <see cref="LoopInput.Link"/>).</summary>
    PeerMessage,
    /// <summary>A peer link closed (the link in <see cref="LoopInput.Link"/>, its peer's id in <see cref="LoopInput.Argument"/>).</summary>
    PeerClosed,
    /// <summary>Everything a member of an ensemble handed to storage before the flush of the batch in <see cref="LoopInput.Argument"/> is durable.</summary>
    Flushed,
    /// <summary>A member of an ensemble could not write its storage (the IO error in <see cref="LoopInput.Payload"/>): it must stop.</summary>
    PersistFatal,
}

/// <summary>One input to the event loop. A struct, so posting a request allocates nothing beyond its decoded body.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Connection">The connection it concerns, if any.</param>
/// <param name="Request">The request, for <see cref="LoopInputKind.Request"/>.</param>
/// <param name="Payload">The connect request, command, reason or action.</param>
/// <param name="Timestamp">When it was read, in <see cref="TimeProvider.GetTimestamp"/> units.</param>
/// <param name="Argument">A number that goes with it: stmk's mask; the frame size for requests; the zxid of a persistence completion.</param>
/// <param name="Link">The peer link a <see cref="LoopInputKind.PeerMessage"/> came on, or that closed (a field of its own, so that a peer message allocates nothing to be posted).</param>
internal readonly record struct LoopInput(LoopInputKind Kind, ClientConnection? Connection, ClientRequest Request, object? Payload, long Timestamp, long Argument = 0, Quorum.PeerLink? Link = null);
