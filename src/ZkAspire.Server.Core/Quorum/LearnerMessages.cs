// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>The kinds of application messages between a learner and its leader.</summary>
internal enum LearnerMessageKind : byte
{
    /// <summary>A client write forwarded to the leader (ZooKeeper's REQUEST).</summary>
    Request = 1,

    /// <summary>A new session's createSession, forwarded to the leader.</summary>
    CreateSession = 2,

    /// <summary>A client resumes its session on this learner: is it still live? (ZooKeeper's REVALIDATE.)</summary>
    Revalidate = 3,

    /// <summary>The leader's answer to <see cref="Revalidate"/>.</summary>
    RevalidateReply = 4,

    /// <summary>The sessions a learner's clients touched since its last ping reply (ZooKeeper puts them in the ping).</summary>
    Touches = 5,
}

/// <summary>One decoded learner message; which fields are set depends on <see cref="Kind"/>.</summary>
internal sealed record LearnerMessage(
    LearnerMessageKind Kind,
    long SessionId,
    int Cxid = 0,
    int Type = 0,
    KeeperErrorCode DecodeError = KeeperErrorCode.Ok,
    IReadOnlyList<Id>? AuthInfo = null,
    IJuteRecord? Body = null,
    int TimeoutMs = 0,
    bool Valid = false,
    IReadOnlyList<(long SessionId, int TimeoutMs)>? Touches = null,
    long ConnectionId = 0);

/// <summary>
/// The bytes of learner–leader application messages (carried opaquely by consensus as REQUEST,
/// REPLY and ping payloads): a kind byte, then jute fields. A forwarded request carries the
/// client's identities, so that the leader checks ACLs as the learner would.
/// </summary>
internal static class LearnerMessages
{
    public static byte[] Request(Request request)
    {
        using var writer = new JuteWriter();
        return Request(request, writer);
    }

    // With the caller's writer (cleared first): a learner forwards every write with one.
    public static byte[] Request(Request request, JuteWriter writer)
    {
        writer.Clear();
        writer.WriteByte((byte)LearnerMessageKind.Request);
        writer.WriteLong(request.Session.Id);
        writer.WriteLong(request.Connection.Id);
        writer.WriteInt(request.Xid);
        writer.WriteInt(request.Type);
        writer.WriteInt((int)request.DecodeError);
        writer.WriteVector(request.AuthInfo);
        writer.WriteBool(request.Body is not null);
        request.Body?.Write(writer);
        return writer.ToArray();
    }

    public static byte[] CreateSession(long sessionId, int timeoutMs, long connectionId) => Session(LearnerMessageKind.CreateSession, sessionId, timeoutMs, connectionId);

    public static byte[] Revalidate(long sessionId, int timeoutMs, long connectionId) => Session(LearnerMessageKind.Revalidate, sessionId, timeoutMs, connectionId);

    public static byte[] RevalidateReply(long sessionId, bool valid, int timeoutMs)
    {
        using var writer = new JuteWriter();
        writer.WriteByte((byte)LearnerMessageKind.RevalidateReply);
        writer.WriteLong(sessionId);
        writer.WriteBool(valid);
        writer.WriteInt(timeoutMs);
        return writer.ToArray();
    }

    public static byte[] Touches(IReadOnlyDictionary<long, int> touched)
    {
        using var writer = new JuteWriter();
        writer.WriteByte((byte)LearnerMessageKind.Touches);
        writer.WriteInt(touched.Count);
        foreach (var (id, timeoutMs) in touched)
        {
            writer.WriteLong(id);
            writer.WriteInt(timeoutMs);
        }

        return writer.ToArray();
    }

    /// <summary>Decodes a message.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="maxBuffer">The largest buffer or string accepted (jute.maxbuffer).</param>
    /// <returns>The message.</returns>
    /// <exception cref="ProtocolException">The bytes are malformed.</exception>
    public static LearnerMessage Decode(ReadOnlySpan<byte> data, int maxBuffer)
    {
        var reader = new JuteReader(data, maxBuffer);
        var kind = (LearnerMessageKind)reader.ReadByte();
        LearnerMessage message;
        switch (kind)
        {
            case LearnerMessageKind.Request:
                var sessionId = reader.ReadLong();
                var connectionId = reader.ReadLong();
                var cxid = reader.ReadInt();
                var type = reader.ReadInt();
                var decodeError = (KeeperErrorCode)reader.ReadInt();
                var authInfo = reader.ReadVector<Id>() ?? [];
                IJuteRecord? body = null;
                if (reader.ReadBool() && (!RequestBodies.TryRead((OpCode)type, ref reader, out body) || body is null))
                {
                    throw new ProtocolException($"A forwarded request of type {type} has no body the leader can read.");
                }

                message = new LearnerMessage(kind, sessionId, cxid, type, decodeError, authInfo, body, ConnectionId: connectionId);
                break;
            case LearnerMessageKind.CreateSession:
            case LearnerMessageKind.Revalidate:
                message = new LearnerMessage(kind, reader.ReadLong(), TimeoutMs: reader.ReadInt(), ConnectionId: reader.ReadLong());
                break;
            case LearnerMessageKind.RevalidateReply:
                message = new LearnerMessage(kind, reader.ReadLong(), Valid: reader.ReadBool(), TimeoutMs: reader.ReadInt());
                break;
            case LearnerMessageKind.Touches:
                var count = reader.ReadInt();
                if (count < 0 || count > reader.Remaining / 12)
                {
                    throw new ProtocolException($"Bad touch count {count}.");
                }

                var touches = new List<(long, int)>(count);
                for (var i = 0; i < count; i++)
                {
                    touches.Add((reader.ReadLong(), reader.ReadInt()));
                }

                message = new LearnerMessage(kind, 0, Touches: touches);
                break;
            default:
                throw new ProtocolException($"Unknown learner message kind {(byte)kind}.");
        }

        if (!reader.IsAtEnd)
        {
            throw new ProtocolException($"{reader.Remaining} bytes follow a {kind} learner message.");
        }

        return message;
    }

    private static byte[] Session(LearnerMessageKind kind, long sessionId, int timeoutMs, long connectionId)
    {
        using var writer = new JuteWriter();
        writer.WriteByte((byte)kind);
        writer.WriteLong(sessionId);
        writer.WriteInt(timeoutMs);
        writer.WriteLong(connectionId);
        return writer.ToArray();
    }
}
