// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus;

/// <summary>The kinds of <see cref="PersistOperation"/>.</summary>
public enum PersistKind
{
    /// <summary>Write the accepted epoch (ZooKeeper's <c>acceptedEpoch</c> file).</summary>
    AcceptedEpoch,

    /// <summary>Write the current epoch (ZooKeeper's <c>currentEpoch</c> file).</summary>
    CurrentEpoch,

    /// <summary>Drop every logged txn after <see cref="PersistOperation.Zxid"/>.</summary>
    Truncate,

    /// <summary>
    /// Store the snapshot (<see cref="PersistOperation.Data"/>, at <see cref="PersistOperation.Zxid"/>)
    /// and drop the whole log: the history now starts at the snapshot. The application's state
    /// is replaced by the snapshot's.
    /// </summary>
    InstallSnapshot,

    /// <summary>Append a txn to the log.</summary>
    Append,
}

/// <summary>One thing the host must make durable, in order with the others.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Zxid">The txn's zxid, the truncation point or the snapshot's zxid.</param>
/// <param name="Epoch">The epoch to write, for the epoch kinds.</param>
/// <param name="Data">The txn or the snapshot.</param>
public readonly record struct PersistOperation(PersistKind Kind, long Zxid, int Epoch, ReadOnlyMemory<byte> Data)
{
    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        PersistKind.AcceptedEpoch => $"acceptedEpoch={Epoch}",
        PersistKind.CurrentEpoch => $"currentEpoch={Epoch}",
        PersistKind.Truncate => $"truncate after {ZxidText.Format(Zxid)}",
        PersistKind.InstallSnapshot => $"snapshot {ZxidText.Format(Zxid)} ({Data.Length}B)",
        _ => $"append {ZxidText.Format(Zxid)}",
    };
}

/// <summary>A message to send.</summary>
/// <param name="To">The receiving server.</param>
/// <param name="Message">The message.</param>
public readonly record struct OutboundMessage(long To, PeerMessage Message);

/// <summary>The kinds of <see cref="AppMessage"/>.</summary>
public enum AppMessageKind
{
    /// <summary>A learner's request, on the leader (<see cref="QuorumPeer.SendToLeader"/>).</summary>
    Request,

    /// <summary>The leader's reply, on a learner (<see cref="QuorumPeer.SendToLearner"/>).</summary>
    Reply,

    /// <summary>A learner's ping payload, on the leader (<see cref="IQuorumApplication.TakePingPayload"/>).</summary>
    PingPayload,
}

/// <summary>An application message that arrived, in arrival order.</summary>
/// <param name="From">The sending server.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Payload">The application's bytes.</param>
public readonly record struct AppMessage(long From, AppMessageKind Kind, ReadOnlyMemory<byte> Payload);

/// <summary>The answer to <see cref="QuorumPeer.Sync"/>: every write committed before the sync began is at or below <paramref name="Zxid"/>.</summary>
/// <param name="RequestId">The caller's id for the sync.</param>
/// <param name="Zxid">The commit point; the caller answers once it has applied it.</param>
public readonly record struct SyncResult(long RequestId, long Zxid);

/// <summary>Where the peer stands: its role, phase, leader and epoch.</summary>
/// <param name="State">LOOKING, FOLLOWING, LEADING or OBSERVING.</param>
/// <param name="Phase">The Zab phase.</param>
/// <param name="LeaderId">The leader followed (or this server when leading); 0 while LOOKING.</param>
/// <param name="Epoch">The epoch being established or established with that leader; 0 until known.</param>
public readonly record struct PeerStatus(ServerState State, ZabPhase Phase, long LeaderId, int Epoch)
{
    /// <summary>Gets whether the server may serve clients: its leader's epoch is established and it has applied the commit point it was given.</summary>
    public bool IsServing => Phase == ZabPhase.Broadcast;

    /// <inheritdoc/>
    public override string ToString() => $"{State} {Phase} leader={LeaderId} epoch={Epoch}";
}

/// <summary>
/// What a <see cref="QuorumPeer"/> asks the host to do (etcd raft's <c>Ready</c>). The host
/// handles a Ready as follows, then takes the next one:
/// <list type="number">
/// <item>Apply <see cref="Status"/>, if set, after the items below that come before it: it is
/// the state after this Ready's committed txns.</item>
/// <item>Hand each <see cref="Persist"/> operation to storage, in order, behind those of earlier
/// Readys; an <see cref="PersistKind.InstallSnapshot"/> also replaces the application's state now.</item>
/// <item>Send <see cref="Messages"/>. None of them depends on this Ready's persistence: a message
/// that needs something durable (an ACK, an ACKEPOCH, a NEWLEADER acknowledgment, a leader's
/// LEADERINFO) is produced only after the host has confirmed it with <see cref="QuorumPeer.Advance"/>.</item>
/// <item>Apply <see cref="Committed"/> in order. They are committed and already durable here.</item>
/// <item>Handle <see cref="SyncResults"/> and <see cref="Received"/>.</item>
/// <item>When every <see cref="Persist"/> operation is durable, call
/// <see cref="QuorumPeer.Advance"/> with this Ready. Readys with persistence must be advanced in
/// the order they were taken; a crash may lose operations that were not yet confirmed, but only
/// a suffix of them (storage makes them durable in order).</item>
/// </list>
/// <see cref="QuorumPeer.Step"/>, <see cref="QuorumPeer.Tick"/> and the other inputs may be called
/// while Readys wait for <see cref="QuorumPeer.Advance"/>; what they produce goes in later Readys.
/// A host that is done with a Ready (and has advanced it, if it must be) may hand it back with
/// <see cref="QuorumPeer.Recycle"/>: the peer then reuses the object and its lists for a later
/// Ready, so that a busy server makes no new ones. The host must not look at it afterwards. A
/// host that never recycles gets a new Ready each time.
/// </summary>
public sealed class Ready
{
    // Kept for the next Ready when the host recycles this one (QuorumPeer.Recycle); created on
    // first use, so a Ready that carries nothing allocates no list.
    private List<PersistOperation>? _persist;
    private List<OutboundMessage>? _messages;
    private List<TxnEntry>? _committed;
    private List<SyncResult>? _syncResults;
    private List<AppMessage>? _received;

    internal Ready(QuorumPeer owner) => Owner = owner;

    /// <summary>Gets the Ready's number, increasing from 1.</summary>
    public long Sequence { get; private set; }

    /// <summary>Gets the new status, or <see langword="null"/> if it did not change.</summary>
    public PeerStatus? Status { get; private set; }

    /// <summary>Gets the operations to make durable, in order.</summary>
    public IReadOnlyList<PersistOperation> Persist { get; private set; } = [];

    /// <summary>Gets the messages to send.</summary>
    public IReadOnlyList<OutboundMessage> Messages { get; private set; } = [];

    /// <summary>Gets the committed txns to apply, in zxid order.</summary>
    public IReadOnlyList<TxnEntry> Committed { get; private set; } = [];

    /// <summary>Gets the answers to <see cref="QuorumPeer.Sync"/> calls.</summary>
    public IReadOnlyList<SyncResult> SyncResults { get; private set; } = [];

    /// <summary>Gets the application messages that arrived.</summary>
    public IReadOnlyList<AppMessage> Received { get; private set; } = [];

    /// <summary>Gets whether the host must call <see cref="QuorumPeer.Advance"/> once <see cref="Persist"/> is durable.</summary>
    public bool MustAdvance => Persist.Count > 0;

    // The peer that made it: only that peer advances and recycles it.
    internal QuorumPeer Owner { get; }

    // Where the Ready is in its life: with the host, advanced, or back with its peer.
    internal ReadyState State { get; set; }

    // What becomes durable when this Ready is advanced.
    internal long DurableZxid { get; set; }

    internal int AcceptedEpoch { get; set; }

    internal int CurrentEpoch { get; set; }

    // Lowered when the log is truncated or replaced after this Ready was taken: the durable
    // prefix of the log as it is now cannot extend past the cut.
    internal long Clamp { get; set; } = long.MaxValue;

    // Takes the peer's outputs (copied: the peer keeps its own lists); the committed txns are
    // already in CommittedList.
    internal void Fill(
        long sequence,
        PeerStatus? status,
        List<PersistOperation> persist,
        List<OutboundMessage> messages,
        List<SyncResult> syncResults,
        List<AppMessage> received)
    {
        Sequence = sequence;
        Status = status;
        State = ReadyState.Taken;
        Clamp = long.MaxValue;
        Committed = _committed is { Count: > 0 } committed ? committed : [];
        Persist = Take(persist, ref _persist);
        Messages = Take(messages, ref _messages);
        SyncResults = Take(syncResults, ref _syncResults);
        Received = Take(received, ref _received);
    }

    // The list the peer adds the committed txns to; Committed shows it once it has any.
    internal List<TxnEntry> CommittedList()
    {
        _committed ??= [];
        return _committed;
    }

    // Empties the Ready for its next use. The lists keep their capacity; what they referred to
    // (messages, txn bytes) is released to the collector.
    internal void Clear()
    {
        _persist?.Clear();
        _messages?.Clear();
        _committed?.Clear();
        _syncResults?.Clear();
        _received?.Clear();
        Persist = [];
        Messages = [];
        Committed = [];
        SyncResults = [];
        Received = [];
        Status = null;
        State = ReadyState.Recycled;
    }

    private static IReadOnlyList<T> Take<T>(List<T> source, ref List<T>? own)
    {
        if (source.Count == 0)
        {
            return [];
        }

        own ??= new List<T>(source.Count);
        own.AddRange(source);
        return own;
    }
}

/// <summary>Where a <see cref="Ready"/> is in its life.</summary>
internal enum ReadyState
{
    /// <summary>With the host: taken by <see cref="QuorumPeer.GetReady"/>, not yet advanced.</summary>
    Taken,

    /// <summary>Its persistence was confirmed by <see cref="QuorumPeer.Advance"/>.</summary>
    Advanced,

    /// <summary>Back with its peer (<see cref="QuorumPeer.Recycle"/>), waiting to be used again.</summary>
    Recycled,
}
