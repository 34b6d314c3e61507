// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>A request frame, decoded by the transport.</summary>
/// <param name="Xid">The xid from the request header.</param>
/// <param name="Type">The opcode from the request header, as sent (unknown values included).</param>
/// <param name="Body">The decoded body, or <see langword="null"/> for opcodes without one or when decoding failed.</param>
/// <param name="DecodeError">
/// <see cref="KeeperErrorCode.Ok"/>, or <see cref="KeeperErrorCode.MarshallingError"/> when the
/// body did not decode (the core answers with that error in order with the other replies).
/// </param>
public readonly record struct ClientRequest(int Xid, int Type, IJuteRecord? Body, KeeperErrorCode DecodeError = KeeperErrorCode.Ok)
{
    /// <summary>Gets the opcode.</summary>
    public OpCode OpCode => (OpCode)Type;
}
