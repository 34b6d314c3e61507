// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>
/// The first frame a client sends on a new socket (no request header).
/// </summary>
/// <param name="ProtocolVersion">Always 0.</param>
/// <param name="LastZxidSeen">The highest zxid the client has seen; 0 for a fresh client.</param>
/// <param name="TimeOut">The requested session timeout in milliseconds.</param>
/// <param name="SessionId">0 for a new session, else the session to resume.</param>
/// <param name="Passwd">The session password (16 zero bytes for a new session).</param>
/// <param name="ReadOnly">
/// Whether the client accepts a read-only server; <see langword="null"/> when the client sent no
/// such byte (clients older than 3.4), in which case the response must omit it too.
/// </param>
public sealed record ConnectRequest(int ProtocolVersion, long LastZxidSeen, int TimeOut, long SessionId, byte[]? Passwd, bool? ReadOnly)
    : IJuteRecord<ConnectRequest>
{
    /// <inheritdoc/>
    public static ConnectRequest Read(ref JuteReader reader)
    {
        var protocolVersion = reader.ReadInt();
        var lastZxid = reader.ReadLong();
        var timeOut = reader.ReadInt();
        var sessionId = reader.ReadLong();
        var passwd = reader.ReadBuffer();
        bool? readOnly = reader.IsAtEnd ? null : reader.ReadBool();
        return new ConnectRequest(protocolVersion, lastZxid, timeOut, sessionId, passwd, readOnly);
    }

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(ProtocolVersion);
        writer.WriteLong(LastZxidSeen);
        writer.WriteInt(TimeOut);
        writer.WriteLong(SessionId);
        writer.WriteBuffer(Passwd);
        if (ReadOnly is { } readOnly)
        {
            writer.WriteBool(readOnly);
        }
    }
}

/// <summary>The server's answer to a <see cref="ConnectRequest"/> (no reply header).</summary>
/// <param name="ProtocolVersion">Always 0.</param>
/// <param name="TimeOut">The negotiated timeout in milliseconds; 0 means the session is invalid or expired.</param>
/// <param name="SessionId">The session id (0 when invalid).</param>
/// <param name="Passwd">The session password (16 zero bytes when invalid).</param>
/// <param name="ReadOnly">Whether the server is read-only; <see langword="null"/> to omit the byte for an old client.</param>
public sealed record ConnectResponse(int ProtocolVersion, int TimeOut, long SessionId, byte[]? Passwd, bool? ReadOnly)
    : IJuteRecord<ConnectResponse>
{
    /// <inheritdoc/>
    public static ConnectResponse Read(ref JuteReader reader)
    {
        var protocolVersion = reader.ReadInt();
        var timeOut = reader.ReadInt();
        var sessionId = reader.ReadLong();
        var passwd = reader.ReadBuffer();
        bool? readOnly = reader.IsAtEnd ? null : reader.ReadBool();
        return new ConnectResponse(protocolVersion, timeOut, sessionId, passwd, readOnly);
    }

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(ProtocolVersion);
        writer.WriteInt(TimeOut);
        writer.WriteLong(SessionId);
        writer.WriteBuffer(Passwd);
        if (ReadOnly is { } readOnly)
        {
            writer.WriteBool(readOnly);
        }
    }
}

/// <summary>The header of every client frame after the handshake.</summary>
/// <param name="Xid">The request id, echoed in the reply (−2 ping, −4 auth).</param>
/// <param name="Type">The opcode, as an int so that unknown values survive decoding.</param>
public readonly record struct RequestHeader(int Xid, int Type) : IJuteRecord<RequestHeader>
{
    /// <summary>The encoded size of a request header.</summary>
    public const int EncodedSize = 8;

    /// <summary>Gets the opcode.</summary>
    public OpCode OpCode => (OpCode)Type;

    /// <inheritdoc/>
    public static RequestHeader Read(ref JuteReader reader) => new(reader.ReadInt(), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(Xid);
        writer.WriteInt(Type);
    }
}

/// <summary>The header of every server frame after the handshake.</summary>
/// <param name="Xid">The xid of the request answered (−1 notification, −2 ping, −4 auth).</param>
/// <param name="Zxid">The server's last processed zxid when the reply was made.</param>
/// <param name="Err">The error code, as an int so that unknown values survive decoding.</param>
public readonly record struct ReplyHeader(int Xid, long Zxid, int Err) : IJuteRecord<ReplyHeader>
{
    /// <summary>The encoded size of a reply header.</summary>
    public const int EncodedSize = 16;

    /// <summary>Gets the error code.</summary>
    public KeeperErrorCode Error => (KeeperErrorCode)Err;

    /// <inheritdoc/>
    public static ReplyHeader Read(ref JuteReader reader) => new(reader.ReadInt(), reader.ReadLong(), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(Xid);
        writer.WriteLong(Zxid);
        writer.WriteInt(Err);
    }
}

/// <summary>The header before each op (and the end marker) of a multi request or response.</summary>
/// <param name="Type">The op's opcode or result type; −1 for the end marker.</param>
/// <param name="Done">True only on the end marker.</param>
/// <param name="Err">−1 in requests; the op's error code in responses.</param>
public readonly record struct MultiHeader(int Type, bool Done, int Err) : IJuteRecord<MultiHeader>
{
    /// <summary>Gets the end marker <c>{-1, true, -1}</c>.</summary>
    public static MultiHeader End => new(-1, true, -1);

    /// <inheritdoc/>
    static int IJuteRecord<MultiHeader>.MinEncodedSize => 9;

    /// <inheritdoc/>
    public static MultiHeader Read(ref JuteReader reader) => new(reader.ReadInt(), reader.ReadBool(), reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(Type);
        writer.WriteBool(Done);
        writer.WriteInt(Err);
    }
}

/// <summary>Credentials sent with opcode auth and xid −4.</summary>
/// <param name="Type">Always 0.</param>
/// <param name="Scheme">The auth scheme, e.g. <c>digest</c>.</param>
/// <param name="Auth">The credentials, e.g. UTF-8 of <c>user:password</c>.</param>
public sealed record AuthPacket(int Type, string? Scheme, byte[]? Auth) : IJuteRecord<AuthPacket>
{
    /// <inheritdoc/>
    public static AuthPacket Read(ref JuteReader reader) => new(reader.ReadInt(), reader.ReadString(), reader.ReadBuffer());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(Type);
        writer.WriteString(Scheme);
        writer.WriteBuffer(Auth);
    }
}

/// <summary>A watch notification (xid −1).</summary>
/// <param name="Type">The event type.</param>
/// <param name="State">The keeper state (the server always sends SyncConnected).</param>
/// <param name="Path">The server path of the node.</param>
public sealed record WatcherEvent(EventType Type, KeeperState State, string? Path) : IJuteRecord<WatcherEvent>
{
    /// <inheritdoc/>
    public static WatcherEvent Read(ref JuteReader reader) => new((EventType)reader.ReadInt(), (KeeperState)reader.ReadInt(), reader.ReadString());

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        writer.WriteInt((int)Type);
        writer.WriteInt((int)State);
        writer.WriteString(Path);
    }
}

/// <summary>An error result: inside multi responses, and the body of an addWatch reply.</summary>
/// <param name="Err">The error code.</param>
public readonly record struct ErrorResponse(int Err) : IJuteRecord<ErrorResponse>
{
    /// <summary>Gets the error code.</summary>
    public KeeperErrorCode Error => (KeeperErrorCode)Err;

    /// <inheritdoc/>
    static int IJuteRecord<ErrorResponse>.MinEncodedSize => 4;

    /// <inheritdoc/>
    public static ErrorResponse Read(ref JuteReader reader) => new(reader.ReadInt());

    /// <inheritdoc/>
    public void Write(JuteWriter writer) => writer.WriteInt(Err);
}
