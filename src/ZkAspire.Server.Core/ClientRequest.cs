// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>A request frame, decoded by the transport.</summary>
/// <param name="Xid">The xid from the request header.</param>
/// <param name="Type">The opcode from the request header, as sent (unknown values included).</param>
/// <param name="Body">
/// The decoded body, or <see langword="null"/> for opcodes without one, when decoding failed, or
/// for a path read held inline (<see cref="Path"/>).
/// </param>
/// <param name="DecodeError">
/// <see cref="KeeperErrorCode.Ok"/>, or <see cref="KeeperErrorCode.MarshallingError"/> when the
/// body did not decode (the core answers with that error in order with the other replies).
/// </param>
public readonly record struct ClientRequest(int Xid, int Type, IJuteRecord? Body, KeeperErrorCode DecodeError = KeeperErrorCode.Ok)
{
    /// <summary>Gets the opcode.</summary>
    public OpCode OpCode => (OpCode)Type;

    /// <summary>
    /// Gets the path of a getData, exists, getChildren or getChildren2 held inline (see
    /// <see cref="Read"/>), with <see cref="Body"/> <see langword="null"/>; otherwise <see langword="null"/>.
    /// </summary>
    public string? Path { get; init; }

    /// <summary>Gets the watch flag of a path read held inline.</summary>
    public bool Watch { get; init; }

    /// <summary>
    /// A getData, exists, getChildren or getChildren2 with its (path, watch) body held inline,
    /// without a request record: those four bodies have the same fields (wire-protocol doc §8).
    /// </summary>
    /// <param name="xid">The xid.</param>
    /// <param name="type">The opcode: getData, exists, getChildren or getChildren2.</param>
    /// <param name="path">The path.</param>
    /// <param name="watch">Whether to leave a watch.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">The opcode is not one of the four.</exception>
    public static ClientRequest PathRead(int xid, int type, string path, bool watch)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!IsPathRead((OpCode)type))
        {
            throw new ArgumentException($"Opcode {type} is not a path read.", nameof(type));
        }

        return new ClientRequest(xid, type, null) { Path = path, Watch = watch };
    }

    /// <summary>
    /// Decodes a request body as the server's transport does (<see cref="RequestBodies.TryRead"/>),
    /// except that the body of the hottest reads (getData, exists, getChildren, getChildren2) is
    /// held inline rather than in a record: the same bytes are read, in the same order, with the
    /// same errors. A body that does not decode becomes <see cref="KeeperErrorCode.MarshallingError"/>,
    /// which ZooKeeper answers in order with the session's other replies, keeping the connection.
    /// </summary>
    /// <param name="header">The request header.</param>
    /// <param name="reader">A reader positioned after the header.</param>
    /// <returns>The request.</returns>
    public static ClientRequest Read(RequestHeader header, ref JuteReader reader)
    {
        try
        {
            if (IsPathRead(header.OpCode))
            {
                var path = reader.ReadRequiredString("path");
                return new ClientRequest(header.Xid, header.Type, null) { Path = path, Watch = reader.ReadBool() };
            }

            RequestBodies.TryRead(header.OpCode, ref reader, out var body);
            return new ClientRequest(header.Xid, header.Type, body);
        }
        catch (ProtocolException)
        {
            return new ClientRequest(header.Xid, header.Type, null, KeeperErrorCode.MarshallingError);
        }
    }

    private static bool IsPathRead(OpCode type) => type is OpCode.GetData or OpCode.Exists or OpCode.GetChildren or OpCode.GetChildren2;
}
