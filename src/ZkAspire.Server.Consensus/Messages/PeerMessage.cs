// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Server.Consensus;

/// <summary>The kinds of peer messages. The numbers are the wire codes (<see cref="PeerMessageCodec"/>).</summary>
public enum MessageType : byte
{
    /// <summary>A FastLeaderElection notification (election port).</summary>
    Notification = 1,

    /// <summary>FOLLOWERINFO: a follower registers with the leader it elected.</summary>
    FollowerInfo = 11,

    /// <summary>OBSERVERINFO: an observer registers with the leader.</summary>
    ObserverInfo = 12,

    /// <summary>LEADERINFO: the leader proposes the new epoch.</summary>
    LeaderInfo = 13,

    /// <summary>ACKEPOCH: a learner accepts the new epoch and reports its history.</summary>
    AckEpoch = 14,

    /// <summary>DIFF, TRUNC or SNAP: how the learner's history is brought to the leader's.</summary>
    SyncStart = 15,

    /// <summary>NEWLEADER: the learner now has the leader's history; it acknowledges once that and the new current epoch are durable.</summary>
    NewLeader = 16,

    /// <summary>The learner's acknowledgment of NEWLEADER.</summary>
    AckNewLeader = 17,

    /// <summary>UPTODATE: the epoch is established; the learner may serve once it has applied the commit point.</summary>
    UpToDate = 18,

    /// <summary>PROPOSAL: a txn (during synchronization, the leader's history; then new proposals).</summary>
    Proposal = 21,

    /// <summary>ACK: a follower has made every proposal up to a zxid durable (cumulative).</summary>
    Ack = 22,

    /// <summary>COMMIT: every proposal up to a zxid is committed (cumulative).</summary>
    Commit = 23,

    /// <summary>INFORM: a committed txn, for observers, which never see proposals.</summary>
    Inform = 24,

    /// <summary>PING from the leader, with a round number.</summary>
    Ping = 31,

    /// <summary>A learner's answer to a ping, with the application's payload (session touches).</summary>
    PingReply = 32,

    /// <summary>SYNC: a learner asks the leader for a commit point confirmed by a quorum (read index).</summary>
    Sync = 33,

    /// <summary>SYNCREPLY: the confirmed commit point.</summary>
    SyncReply = 34,

    /// <summary>REQUEST: an application message from a learner to its leader (forwarded client requests, revalidation).</summary>
    Request = 41,

    /// <summary>An application message from the leader to one learner (revalidation answers).</summary>
    Reply = 42,
}

/// <summary>How a leader brings a learner's history to its own (ZooKeeper's <c>LearnerHandler.syncFollower</c>).</summary>
public enum SyncMode : byte
{
    /// <summary>The learner's last zxid is in the leader's history: the txns after it follow.</summary>
    Diff = 1,

    /// <summary>The learner has txns the leader does not: it truncates its log to a zxid both have, then the txns after it follow.</summary>
    Trunc = 2,

    /// <summary>The learner is older than the leader's retained history: a snapshot, then the txns after it, follow.</summary>
    Snap = 3,
}

/// <summary>
/// A message between two servers of the ensemble. The sender's id is not part of it: the
/// transport authenticates the link and passes it to <see cref="QuorumPeer.Step"/>. Every message
/// of the leader–learner protocol carries the epoch it belongs to, so that a message from an
/// earlier epoch, or duplicated by the network, is recognized and dropped.
/// </summary>
public abstract record PeerMessage
{
    /// <summary>Gets the message kind.</summary>
    public abstract MessageType Type { get; }

    /// <summary>Formats a zxid for <see cref="object.ToString"/>.</summary>
    /// <param name="zxid">The zxid.</param>
    /// <returns>The text.</returns>
    protected static string Z(long zxid) => ZxidText.Format(zxid);

    /// <summary>Formats a number for <see cref="object.ToString"/>.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    protected static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A FastLeaderElection notification: the sender's vote and state.</summary>
/// <param name="Leader">The proposed (or, when not LOOKING, followed) leader.</param>
/// <param name="Zxid">The proposed leader's last zxid.</param>
/// <param name="ElectionEpoch">The sender's election round.</param>
/// <param name="State">The sender's state.</param>
/// <param name="PeerEpoch">The proposed leader's current epoch.</param>
public sealed record Notification(long Leader, long Zxid, long ElectionEpoch, ServerState State, int PeerEpoch) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.Notification;

    /// <inheritdoc/>
    public override string ToString() => $"NOTIFICATION {State} leader={N(Leader)} zxid={Z(Zxid)} round={N(ElectionEpoch)} peerEpoch={N(PeerEpoch)}";
}

/// <summary>FOLLOWERINFO or OBSERVERINFO: a learner registers with the leader it elected.</summary>
/// <param name="LearnerType">Whether the sender votes.</param>
/// <param name="AcceptedEpoch">The sender's accepted epoch.</param>
public sealed record LearnerInfo(LearnerType LearnerType, int AcceptedEpoch) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => LearnerType == LearnerType.Observer ? MessageType.ObserverInfo : MessageType.FollowerInfo;

    /// <inheritdoc/>
    public override string ToString() => $"{(LearnerType == LearnerType.Observer ? "OBSERVERINFO" : "FOLLOWERINFO")} acceptedEpoch={N(AcceptedEpoch)}";
}

/// <summary>LEADERINFO: the epoch the leader establishes.</summary>
/// <param name="Epoch">The new epoch.</param>
public sealed record LeaderInfo(int Epoch) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.LeaderInfo;

    /// <inheritdoc/>
    public override string ToString() => $"LEADERINFO epoch={N(Epoch)}";
}

/// <summary>ACKEPOCH: the learner accepted <paramref name="Epoch"/> (durably) and reports its history.</summary>
/// <param name="Epoch">The epoch acknowledged.</param>
/// <param name="CurrentEpoch">The learner's current epoch, or −1 if it had accepted this epoch before (it then does not count toward the quorum: Zab never acknowledges an epoch twice).</param>
/// <param name="LastZxid">The learner's last logged zxid.</param>
public sealed record AckEpoch(int Epoch, int CurrentEpoch, long LastZxid) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.AckEpoch;

    /// <inheritdoc/>
    public override string ToString() => $"ACKEPOCH epoch={N(Epoch)} currentEpoch={N(CurrentEpoch)} lastZxid={Z(LastZxid)}";
}

/// <summary>DIFF, TRUNC or SNAP.</summary>
/// <param name="Epoch">The leader's epoch.</param>
/// <param name="Mode">The mode.</param>
/// <param name="Zxid">DIFF: the learner's last zxid, which the txns continue; TRUNC: the zxid to truncate the log to; SNAP: the snapshot's zxid.</param>
/// <param name="Snapshot">The snapshot, for SNAP.</param>
public sealed record SyncStart(int Epoch, SyncMode Mode, long Zxid, ReadOnlyMemory<byte> Snapshot) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.SyncStart;

    /// <inheritdoc/>
    public override string ToString() => Mode switch
    {
        SyncMode.Snap => $"SNAP epoch={N(Epoch)} zxid={Z(Zxid)} ({N(Snapshot.Length)}B)",
        SyncMode.Trunc => $"TRUNC epoch={N(Epoch)} zxid={Z(Zxid)}",
        _ => $"DIFF epoch={N(Epoch)} zxid={Z(Zxid)}",
    };
}

/// <summary>NEWLEADER: the leader's history has been sent up to <paramref name="Zxid"/>.</summary>
/// <param name="Epoch">The new epoch.</param>
/// <param name="Zxid">The last zxid the learner must now have.</param>
public sealed record NewLeader(int Epoch, long Zxid) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.NewLeader;

    /// <inheritdoc/>
    public override string ToString() => $"NEWLEADER epoch={N(Epoch)} zxid={Z(Zxid)}";
}

/// <summary>The learner's acknowledgment of NEWLEADER: its history up to <paramref name="Zxid"/> and its current epoch are durable.</summary>
/// <param name="Epoch">The new epoch.</param>
/// <param name="Zxid">The NEWLEADER zxid.</param>
public sealed record AckNewLeader(int Epoch, long Zxid) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.AckNewLeader;

    /// <inheritdoc/>
    public override string ToString() => $"ACKNEWLEADER epoch={N(Epoch)} zxid={Z(Zxid)}";
}

/// <summary>UPTODATE: the epoch is established and every txn up to <paramref name="Zxid"/> is committed.</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="Zxid">The commit point.</param>
public sealed record UpToDate(int Epoch, long Zxid) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.UpToDate;

    /// <inheritdoc/>
    public override string ToString() => $"UPTODATE epoch={N(Epoch)} zxid={Z(Zxid)}";
}

/// <summary>PROPOSAL: a txn that follows <paramref name="PrevZxid"/> in the leader's history.</summary>
/// <param name="Epoch">The leader's epoch.</param>
/// <param name="PrevZxid">The zxid just before it in the leader's history: a learner whose last zxid differs has missed something.</param>
/// <param name="Zxid">The txn's zxid.</param>
/// <param name="Data">The txn.</param>
public sealed record Proposal(int Epoch, long PrevZxid, long Zxid, ReadOnlyMemory<byte> Data) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.Proposal;

    /// <inheritdoc/>
    public override string ToString() => $"PROPOSAL epoch={N(Epoch)} zxid={Z(Zxid)} prev={Z(PrevZxid)} ({N(Data.Length)}B)";
}

/// <summary>ACK: the follower has made every proposal up to <paramref name="Zxid"/> durable.</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="Zxid">The highest durable zxid.</param>
public sealed record Ack(int Epoch, long Zxid) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.Ack;

    /// <inheritdoc/>
    public override string ToString() => $"ACK epoch={N(Epoch)} zxid={Z(Zxid)}";
}

/// <summary>COMMIT: every proposal up to <paramref name="Zxid"/> is committed.</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="Zxid">The commit point.</param>
public sealed record Commit(int Epoch, long Zxid) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.Commit;

    /// <inheritdoc/>
    public override string ToString() => $"COMMIT epoch={N(Epoch)} zxid={Z(Zxid)}";
}

/// <summary>INFORM: a committed txn for an observer.</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="PrevZxid">The zxid of the txn before it.</param>
/// <param name="Zxid">The txn's zxid.</param>
/// <param name="Data">The txn.</param>
public sealed record Inform(int Epoch, long PrevZxid, long Zxid, ReadOnlyMemory<byte> Data) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.Inform;

    /// <inheritdoc/>
    public override string ToString() => $"INFORM epoch={N(Epoch)} zxid={Z(Zxid)} prev={Z(PrevZxid)} ({N(Data.Length)}B)";
}

/// <summary>
/// PING: the leader is alive; <paramref name="Round"/> numbers the heartbeat round (sync uses
/// rounds as read-index confirmations), and <paramref name="CommittedZxid"/> repeats the commit
/// point, so that a learner that missed a COMMIT catches up without waiting for the next one.
/// </summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="Round">The round.</param>
/// <param name="CommittedZxid">The leader's commit point.</param>
public sealed record Ping(int Epoch, long Round, long CommittedZxid) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.Ping;

    /// <inheritdoc/>
    public override string ToString() => $"PING epoch={N(Epoch)} round={N(Round)} committed={Z(CommittedZxid)}";
}

/// <summary>A learner's answer to a ping.</summary>
/// <param name="Epoch">The epoch it follows.</param>
/// <param name="Round">The round answered.</param>
/// <param name="LastZxid">
/// The learner's last durable zxid: for a follower a cumulative acknowledgment (a lost ACK is
/// repaired by the next ping), for any learner how far the leader's messages got (flow control).
/// </param>
/// <param name="Payload">The application's payload.</param>
public sealed record PingReply(int Epoch, long Round, long LastZxid, ReadOnlyMemory<byte> Payload) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.PingReply;

    /// <inheritdoc/>
    public override string ToString() => $"PINGREPLY epoch={N(Epoch)} round={N(Round)} lastZxid={Z(LastZxid)} ({N(Payload.Length)}B)";
}

/// <summary>SYNC: a learner asks for a commit point confirmed by a quorum after the request arrived.</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="RequestId">The learner's id for the request.</param>
public sealed record QuorumSync(int Epoch, long RequestId) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.Sync;

    /// <inheritdoc/>
    public override string ToString() => $"SYNC epoch={N(Epoch)} id={N(RequestId)}";
}

/// <summary>SYNCREPLY: every write committed before the SYNC arrived is at or below <paramref name="Zxid"/>.</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="RequestId">The request.</param>
/// <param name="Zxid">The commit point.</param>
public sealed record QuorumSyncReply(int Epoch, long RequestId, long Zxid) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.SyncReply;

    /// <inheritdoc/>
    public override string ToString() => $"SYNCREPLY epoch={N(Epoch)} id={N(RequestId)} zxid={Z(Zxid)}";
}

/// <summary>An application message from a learner to its leader (ZooKeeper's REQUEST and REVALIDATE).</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="Payload">The application's bytes.</param>
public sealed record LearnerRequest(int Epoch, ReadOnlyMemory<byte> Payload) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.Request;

    /// <inheritdoc/>
    public override string ToString() => $"REQUEST epoch={N(Epoch)} ({N(Payload.Length)}B)";
}

/// <summary>An application message from the leader to one learner.</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="Payload">The application's bytes.</param>
public sealed record LeaderReply(int Epoch, ReadOnlyMemory<byte> Payload) : PeerMessage
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.Reply;

    /// <inheritdoc/>
    public override string ToString() => $"REPLY epoch={N(Epoch)} ({N(Payload.Length)}B)";
}
