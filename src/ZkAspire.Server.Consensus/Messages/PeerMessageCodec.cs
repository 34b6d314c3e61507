// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Consensus;

/// <summary>
/// The binary form of peer messages, for the transport: a version byte, the
/// <see cref="MessageType"/> byte, then the fields in jute encoding (big-endian integers,
/// length-prefixed buffers). The transport frames each message with a length prefix.
/// </summary>
/// <remarks>
/// Our peer protocol is our own (mixed ensembles of Apache and ZkAspire servers are not a goal).
/// The version byte lets a later release read an older peer's messages, or refuse them by name:
/// a peer never guesses at bytes it does not understand.
/// </remarks>
public static class PeerMessageCodec
{
    /// <summary>The version this build writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>Writes a message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="writer">Where it goes (appended).</param>
    public static void Write(PeerMessage message, JuteWriter writer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteByte(Version);
        writer.WriteByte((byte)message.Type);
        switch (message)
        {
            case Notification n:
                writer.WriteLong(n.Leader);
                writer.WriteLong(n.Zxid);
                writer.WriteLong(n.ElectionEpoch);
                writer.WriteByte((byte)n.State);
                writer.WriteInt(n.PeerEpoch);
                break;
            case LearnerInfo n:
                writer.WriteInt(n.AcceptedEpoch);
                break;
            case LeaderInfo n:
                writer.WriteInt(n.Epoch);
                break;
            case AckEpoch n:
                writer.WriteInt(n.Epoch);
                writer.WriteInt(n.CurrentEpoch);
                writer.WriteLong(n.LastZxid);
                break;
            case SyncStart n:
                writer.WriteInt(n.Epoch);
                writer.WriteByte((byte)n.Mode);
                writer.WriteLong(n.Zxid);
                writer.WriteBuffer(n.Snapshot.Span);
                break;
            case NewLeader n:
                writer.WriteInt(n.Epoch);
                writer.WriteLong(n.Zxid);
                break;
            case AckNewLeader n:
                writer.WriteInt(n.Epoch);
                writer.WriteLong(n.Zxid);
                break;
            case UpToDate n:
                writer.WriteInt(n.Epoch);
                writer.WriteLong(n.Zxid);
                break;
            case Proposal n:
                writer.WriteInt(n.Epoch);
                writer.WriteLong(n.PrevZxid);
                writer.WriteLong(n.Zxid);
                writer.WriteBuffer(n.Data.Span);
                break;
            case Ack n:
                writer.WriteInt(n.Epoch);
                writer.WriteLong(n.Zxid);
                break;
            case Commit n:
                writer.WriteInt(n.Epoch);
                writer.WriteLong(n.Zxid);
                break;
            case Inform n:
                writer.WriteInt(n.Epoch);
                writer.WriteLong(n.PrevZxid);
                writer.WriteLong(n.Zxid);
                writer.WriteBuffer(n.Data.Span);
                break;
            case Ping n:
                writer.WriteInt(n.Epoch);
                writer.WriteLong(n.Round);
                writer.WriteLong(n.CommittedZxid);
                break;
            case PingReply n:
                writer.WriteInt(n.Epoch);
                writer.WriteLong(n.Round);
                writer.WriteLong(n.LastZxid);
                writer.WriteBuffer(n.Payload.Span);
                break;
            case QuorumSync n:
                writer.WriteInt(n.Epoch);
                writer.WriteLong(n.RequestId);
                break;
            case QuorumSyncReply n:
                writer.WriteInt(n.Epoch);
                writer.WriteLong(n.RequestId);
                writer.WriteLong(n.Zxid);
                break;
            case LearnerRequest n:
                writer.WriteInt(n.Epoch);
                writer.WriteBuffer(n.Payload.Span);
                break;
            case LeaderReply n:
                writer.WriteInt(n.Epoch);
                writer.WriteBuffer(n.Payload.Span);
                break;
            default:
                throw new ArgumentException($"Unknown message {message.GetType().Name}.", nameof(message));
        }
    }

    /// <summary>Encodes a message into a new array.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The bytes.</returns>
    public static byte[] Encode(PeerMessage message)
    {
        using var writer = new JuteWriter();
        Write(message, writer);
        return writer.ToArray();
    }

    /// <summary>Reads one message that fills <paramref name="data"/> exactly.</summary>
    /// <param name="data">The bytes (one frame's payload).</param>
    /// <returns>The message.</returns>
    /// <exception cref="ProtocolException">The bytes are not a message of this version.</exception>
    public static PeerMessage Decode(ReadOnlySpan<byte> data)
    {
        // Lengths inside are bounded by the frame itself: the reader checks each against the bytes left.
        var reader = new JuteReader(data, Math.Max(data.Length, 1));
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new ProtocolException($"Peer message version {version} is not supported; this build speaks version {Version}.");
        }

        var type = (MessageType)reader.ReadByte();
        PeerMessage message = type switch
        {
            MessageType.Notification => new Notification(reader.ReadLong(), reader.ReadLong(), reader.ReadLong(), ReadState(ref reader), reader.ReadInt()),
            MessageType.FollowerInfo => new LearnerInfo(LearnerType.Participant, reader.ReadInt()),
            MessageType.ObserverInfo => new LearnerInfo(LearnerType.Observer, reader.ReadInt()),
            MessageType.LeaderInfo => new LeaderInfo(reader.ReadInt()),
            MessageType.AckEpoch => new AckEpoch(reader.ReadInt(), reader.ReadInt(), reader.ReadLong()),
            MessageType.SyncStart => new SyncStart(reader.ReadInt(), ReadMode(ref reader), reader.ReadLong(), ReadBytes(ref reader)),
            MessageType.NewLeader => new NewLeader(reader.ReadInt(), reader.ReadLong()),
            MessageType.AckNewLeader => new AckNewLeader(reader.ReadInt(), reader.ReadLong()),
            MessageType.UpToDate => new UpToDate(reader.ReadInt(), reader.ReadLong()),
            MessageType.Proposal => new Proposal(reader.ReadInt(), reader.ReadLong(), reader.ReadLong(), ReadBytes(ref reader)),
            MessageType.Ack => new Ack(reader.ReadInt(), reader.ReadLong()),
            MessageType.Commit => new Commit(reader.ReadInt(), reader.ReadLong()),
            MessageType.Inform => new Inform(reader.ReadInt(), reader.ReadLong(), reader.ReadLong(), ReadBytes(ref reader)),
            MessageType.Ping => new Ping(reader.ReadInt(), reader.ReadLong(), reader.ReadLong()),
            MessageType.PingReply => new PingReply(reader.ReadInt(), reader.ReadLong(), reader.ReadLong(), ReadBytes(ref reader)),
            MessageType.Sync => new QuorumSync(reader.ReadInt(), reader.ReadLong()),
            MessageType.SyncReply => new QuorumSyncReply(reader.ReadInt(), reader.ReadLong(), reader.ReadLong()),
            MessageType.Request => new LearnerRequest(reader.ReadInt(), ReadBytes(ref reader)),
            MessageType.Reply => new LeaderReply(reader.ReadInt(), ReadBytes(ref reader)),
            _ => throw new ProtocolException($"Unknown peer message type {(byte)type}."),
        };

        if (!reader.IsAtEnd)
        {
            throw new ProtocolException($"{reader.Remaining} bytes follow a {type} message.");
        }

        return message;
    }

    private static ServerState ReadState(ref JuteReader reader)
    {
        var state = reader.ReadByte();
        return state <= (byte)ServerState.Observing
            ? (ServerState)state
            : throw new ProtocolException($"Unknown server state {state}.");
    }

    private static SyncMode ReadMode(ref JuteReader reader)
    {
        var mode = reader.ReadByte();
        return mode is >= (byte)SyncMode.Diff and <= (byte)SyncMode.Snap
            ? (SyncMode)mode
            : throw new ProtocolException($"Unknown sync mode {mode}.");
    }

    private static byte[] ReadBytes(ref JuteReader reader) => reader.ReadBuffer() ?? [];
}
