// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus;

/// <summary>
/// The leader (ZooKeeper's <c>Leader</c> and <c>LearnerHandler</c>): discovery (a quorum's
/// FOLLOWERINFO, a new epoch above every accepted one, a quorum's ACKEPOCH), synchronization (a
/// DIFF, TRUNC or SNAP per learner, then NEWLEADER; the history is committed once a quorum has
/// acknowledged NEWLEADER) and broadcast (proposals, cumulative acks, commits, informs, pings,
/// and sync as a quorum round).
/// </summary>
public sealed partial class QuorumPeer
{
    private readonly SortedDictionary<long, LearnerHandler> _learners = [];

    // The learners in sid order as an array, made again after a change: the loops run for every
    // proposal and acknowledgment enumerate it without allocating (a SortedDictionary's
    // enumerator allocates its stack of nodes each time). Nothing changes the learners inside
    // those loops (the dictionary's enumerator would have thrown).
    private LearnerHandler[]? _learnerArray;
    private readonly HashSet<long> _connectingFollowers = [];
    private readonly HashSet<long> _epochAckers = [];
    private readonly HashSet<long> _newLeaderAckers = [];
    private readonly List<PendingSync> _pendingSyncs = [];
    private readonly List<long> _ackScratch = [];
    private int _maxAcceptedEpochSeen;
    private int _newEpoch = -1;
    private bool _epochAnnounced;
    private long _initialHistoryEnd;
    private long _leaderDeadlineMs;
    private long _round;
    private long _nextPingAtMs;
    private bool _roundWanted;

    private enum HandlerState
    {
        // FOLLOWERINFO/OBSERVERINFO received.
        Connected,

        // ACKEPOCH received; waiting for the leader to synchronize it.
        EpochAcked,

        // DIFF/TRUNC/SNAP and NEWLEADER sent; proposals are forwarded from here on.
        Syncing,

        // NEWLEADER acknowledged (a follower) or UPTODATE sent (an observer).
        Synced,
    }

    /// <summary>Gets the number of learners connected to this leader (mntr's <c>zk_learners</c>).</summary>
    public int LearnerCount => _learners.Count;

    /// <summary>Gets the number of voting followers that acknowledged NEWLEADER (mntr's <c>zk_synced_followers</c>).</summary>
    public int SyncedFollowerCount
    {
        get
        {
            var count = 0;
            foreach (var handler in Learners)
            {
                count += handler.State == HandlerState.Synced && !handler.IsObserver ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>Gets the number of learners being synchronized (mntr's <c>zk_pending_syncs</c>).</summary>
    public int PendingLearnerSyncCount
    {
        get
        {
            var count = 0;
            foreach (var handler in Learners)
            {
                count += handler.State is HandlerState.EpochAcked or HandlerState.Syncing ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>Gets the number of sync requests waiting for a quorum round.</summary>
    public int PendingQuorumSyncCount => _pendingSyncs.Count;

    /// <summary>
    /// Gets the zxid the next proposal must carry: the counter of the leader's epoch plus one.
    /// The counter never reaches 0xFFFFFFFF (ZooKeeper's XidRolloverException): once it would,
    /// this is −1 and the leader must <see cref="StepDown"/> so that a new epoch starts.
    /// </summary>
    /// <exception cref="InvalidOperationException">The peer is not a serving leader.</exception>
    public long NextZxid
    {
        get
        {
            if (_state != ServerState.Leading || _phase != ZabPhase.Broadcast)
            {
                throw new InvalidOperationException("Only a serving leader proposes.");
            }

            var last = _log.LastZxid;
            if (ZxidText.EpochOf(last) < _epoch)
            {
                return ZxidText.Make(_epoch, 1);
            }

            return (uint)(last + 1) == uint.MaxValue ? -1 : last + 1;
        }
    }

    /// <summary>
    /// Proposes a txn (the leader only, while serving): it is logged (in <see cref="Ready.Persist"/>)
    /// and sent to every follower; it commits once a quorum, the leader's own durable log included,
    /// has acknowledged it, and then appears in <see cref="Ready.Committed"/>.
    /// </summary>
    /// <param name="zxid">The zxid, which must be <see cref="NextZxid"/>.</param>
    /// <param name="data">The txn.</param>
    /// <exception cref="InvalidOperationException">The peer is not a serving leader, or the zxid is not the next one.</exception>
    public void Propose(long zxid, ReadOnlyMemory<byte> data)
    {
        var next = NextZxid;
        if (zxid != next || next < 0)
        {
            throw new InvalidOperationException($"The next proposal is {ZxidText.Format(next)}, not {ZxidText.Format(zxid)}.");
        }

        var prev = _log.LastZxid;
        AppendTxn(new TxnEntry(zxid, data));
        List<long>? overflow = null;
        Proposal? proposal = null;
        foreach (var handler in Learners)
        {
            if (!handler.IsObserver && handler.State is HandlerState.Syncing or HandlerState.Synced)
            {
                // One message for every follower: messages are immutable.
                Send(handler.Sid, proposal ??= new Proposal(_epoch, prev, zxid, data));
                handler.LastSentZxid = zxid;
                if (!handler.AddInFlight(zxid, data.Length, _options.MaxLearnerQueueBytes))
                {
                    (overflow ??= []).Add(handler.Sid);
                }
            }
        }

        DropOverflowing(overflow);
    }

    private void BecomeLeader(string reason)
    {
        LeaveRole();
        LastTransitionReason = reason;
        SetStatus(ServerState.Leading, ZabPhase.Discovery, _myId, 0);
        _newEpoch = -1;
        _epochAnnounced = false;
        _maxAcceptedEpochSeen = _acceptedEpoch;
        _connectingFollowers.Add(_myId);
        _leaderDeadlineMs = _now + Ms(_options.InitLimit);
        _probeAnswers.Clear();
        _notificationIntervalMs = _options.MinNotificationIntervalMs;
        _nextNotificationAtMs = _now + _notificationIntervalMs;
        TryDecideEpoch();
    }

    private void LeaderStep(long from, PeerMessage message)
    {
        if (message is LearnerInfo info)
        {
            OnLearnerInfo(from, info);
            return;
        }

        if (!_learners.TryGetValue(from, out var handler))
        {
            return;
        }

        handler.LastHeardMs = _now;
        switch (message)
        {
            case AckEpoch ack when ack.Epoch == _newEpoch:
                OnAckEpoch(handler, ack);
                break;
            case AckNewLeader ack when ack.Epoch == _newEpoch:
                OnAckNewLeader(handler, ack);
                break;
            case Ack ack when ack.Epoch == _epoch && _phase == ZabPhase.Broadcast:
                OnAck(handler, ack);
                break;
            case PingReply reply when reply.Epoch == _epoch && _phase == ZabPhase.Broadcast:
                OnPingReply(handler, reply);
                break;
            case QuorumSync sync when sync.Epoch == _epoch && _phase == ZabPhase.Broadcast && handler.State == HandlerState.Synced:
                AddPendingSync(from, sync.RequestId);
                break;
            case LearnerRequest request when request.Epoch == _epoch && _phase == ZabPhase.Broadcast && handler.State == HandlerState.Synced:
                _received.Add(new AppMessage(from, AppMessageKind.Request, request.Payload));
                break;
            default:
                // Another epoch's message, a duplicate, or one out of place: dropped.
                break;
        }
    }

    private void OnLearnerInfo(long from, LearnerInfo info)
    {
        // A learner must register as what the configuration says it is.
        if (_servers[from] != info.LearnerType)
        {
            return;
        }

        // A learner that accepted a later epoch (from a leader that never established it) refuses
        // ours forever and never serves. ZooKeeper leaves it out until the next election; we step
        // down, so that the next leader picks an epoch above every accepted one and everyone joins.
        if (_newEpoch >= 0 && info.AcceptedEpoch > _newEpoch)
        {
            StartElection($"server {from} accepted epoch {info.AcceptedEpoch}, above ours ({_newEpoch})");
            return;
        }

        // A new registration starts over, as ZooKeeper starts a new LearnerHandler per connection.
        var handler = new LearnerHandler(from, info.LearnerType) { LastHeardMs = _now };
        _learners[from] = handler;
        _learnerArray = null;
        if (_newEpoch < 0)
        {
            // Leader.getEpochToPropose: the new epoch is above every accepted epoch it hears of,
            // observers' too; only voters count toward the quorum.
            _maxAcceptedEpochSeen = Math.Max(_maxAcceptedEpochSeen, info.AcceptedEpoch);
            if (!handler.IsObserver)
            {
                _connectingFollowers.Add(from);
            }

            TryDecideEpoch();
        }
        else if (_epochAnnounced)
        {
            Send(from, new LeaderInfo(_newEpoch));
        }
    }

    private void TryDecideEpoch()
    {
        if (_newEpoch >= 0 || !IsQuorum(CountVoters(_connectingFollowers)))
        {
            return;
        }

        // Zab §3.3 phase 1: e' = max(accepted epochs) + 1, made durable as our own accepted epoch
        // before anyone hears of it, so that no later leader of ours proposes it again.
        _newEpoch = _maxAcceptedEpochSeen + 1;
        PersistAcceptedEpoch(_newEpoch);
        SetStatus(_state, _phase, _myId, _newEpoch);
    }

    private void LeaderOnDurable()
    {
        if (_newEpoch >= 0 && !_epochAnnounced && _durableAcceptedEpoch >= _newEpoch)
        {
            _epochAnnounced = true;
            _epochAckers.Add(_myId);
            foreach (var handler in Learners)
            {
                if (handler.State == HandlerState.Connected)
                {
                    Send(handler.Sid, new LeaderInfo(_newEpoch));
                }
            }

            CheckEpochQuorum();
        }

        if (_phase == ZabPhase.Synchronization)
        {
            CheckNewLeaderQuorum();
        }
        else if (_phase == ZabPhase.Broadcast)
        {
            UpdateCommit();
        }
    }

    private void OnAckEpoch(LearnerHandler handler, AckEpoch ack)
    {
        if (handler.State != HandlerState.Connected || !_epochAnnounced)
        {
            return;
        }

        handler.State = HandlerState.EpochAcked;
        handler.PeerLastZxid = ack.LastZxid;
        if (ack.CurrentEpoch >= 0 && !handler.IsObserver)
        {
            // Election chose the server with the most recent history of a quorum; a follower more
            // recent than its leader means a bug, and the leader must not overwrite it.
            if (_phase == ZabPhase.Discovery
                && (ack.CurrentEpoch > _currentEpoch || (ack.CurrentEpoch == _currentEpoch && ack.LastZxid > _log.LastZxid)))
            {
                StartElection($"follower {handler.Sid} is more recent ({ack.CurrentEpoch}, {ZxidText.Format(ack.LastZxid)}) than the leader");
                return;
            }

            _epochAckers.Add(handler.Sid);
        }

        if (_phase == ZabPhase.Discovery)
        {
            CheckEpochQuorum();
        }
        else if (!handler.IsObserver || _phase == ZabPhase.Broadcast)
        {
            StartSync(handler);
        }
    }

    private void CheckEpochQuorum()
    {
        if (_phase != ZabPhase.Discovery || !_epochAnnounced || !IsQuorum(CountVoters(_epochAckers)))
        {
            return;
        }

        // The epoch is established by a quorum: at most one leader ever gets here for it.
        _currentEpoch = _newEpoch;
        PersistCurrentEpoch(_newEpoch);
        _initialHistoryEnd = _log.LastZxid;
        _leaderDeadlineMs = _now + Ms(_options.InitLimit);
        SetStatus(_state, ZabPhase.Synchronization, _myId, _newEpoch);
        foreach (var handler in Learners)
        {
            if (handler.State == HandlerState.EpochAcked && !handler.IsObserver)
            {
                StartSync(handler);
            }
        }

        CheckNewLeaderQuorum();
    }

    /// <summary>
    /// Brings a learner's history to ours (<c>LearnerHandler.syncFollower</c>). A zxid is assigned
    /// by exactly one leader, so two logs that hold it agree up to it: the learner's log and ours
    /// share everything up to the last point of ours at or below the learner's last zxid. DIFF
    /// if that is the learner's last zxid, TRUNC to it otherwise, SNAP if it is older than what we
    /// keep. A follower gets our whole log (what is not committed yet commits with NEWLEADER or
    /// later proposals); an observer only the committed prefix, then INFORMs.
    /// </summary>
    private void StartSync(LearnerHandler handler)
    {
        var limit = handler.IsObserver ? _committed : _log.LastZxid;
        var peer = handler.PeerLastZxid;
        var common = _log.Contains(peer) ? peer : _log.LastBelow(peer);
        long from;
        if (common < 0)
        {
            var snapshot = _application.TakeSnapshot();
            if (snapshot.Zxid < _log.StartZxid || snapshot.Zxid > limit)
            {
                throw new InvalidOperationException(
                    $"The application's snapshot is at {ZxidText.Format(snapshot.Zxid)}, outside the history kept ({ZxidText.Format(_log.StartZxid)}, {ZxidText.Format(limit)}].");
            }

            Send(handler.Sid, new SyncStart(_newEpoch, SyncMode.Snap, snapshot.Zxid, snapshot.Data));
            from = snapshot.Zxid;
        }
        else
        {
            from = Math.Min(common, limit);
            Send(handler.Sid, from == peer
                ? new SyncStart(_newEpoch, SyncMode.Diff, peer, default)
                : new SyncStart(_newEpoch, SyncMode.Trunc, from, default));
        }

        var prev = from;
        for (var i = _log.FirstAfter(from); i < _log.Count && _log[i].Zxid <= limit; i++)
        {
            var entry = _log[i];
            Send(handler.Sid, new Proposal(_newEpoch, prev, entry.Zxid, entry.Data));
            prev = entry.Zxid;
        }

        Send(handler.Sid, new NewLeader(_newEpoch, limit));
        handler.SyncedThroughZxid = limit;
        handler.LastSentZxid = limit;
        handler.SyncDeadlineMs = _now + Ms(_options.InitLimit);
        handler.State = HandlerState.Syncing;
        if (handler.IsObserver)
        {
            // An observer votes in nothing: it may serve as soon as it has the committed prefix.
            handler.State = HandlerState.Synced;
            Send(handler.Sid, new UpToDate(_newEpoch, _committed));
        }
    }

    private void OnAckNewLeader(LearnerHandler handler, AckNewLeader ack)
    {
        if (handler.State != HandlerState.Syncing || ack.Zxid != handler.SyncedThroughZxid)
        {
            return;
        }

        handler.State = HandlerState.Synced;
        handler.AckedZxid = ack.Zxid;
        handler.ReleaseInFlight(ack.Zxid);
        _newLeaderAckers.Add(handler.Sid);
        if (_phase == ZabPhase.Synchronization)
        {
            CheckNewLeaderQuorum();
        }
        else if (_phase == ZabPhase.Broadcast)
        {
            Send(handler.Sid, new UpToDate(_epoch, _committed));
            UpdateCommit();
        }
    }

    private void CheckNewLeaderQuorum()
    {
        if (_phase != ZabPhase.Synchronization)
        {
            return;
        }

        // Our own acknowledgment: our history and the new current epoch are durable.
        var self = _durableCurrentEpoch >= _newEpoch && _durableZxid >= _initialHistoryEnd ? 1 : 0;
        if (!IsQuorum(CountVoters(_newLeaderAckers) + self))
        {
            return;
        }

        // Zab §3.3 phase 2: a quorum has the new leader's history, which is therefore committed.
        SetStatus(_state, ZabPhase.Broadcast, _myId, _newEpoch);
        LastTransitionReason = "a quorum acknowledged NEWLEADER";
        _committed = Math.Max(_committed, _initialHistoryEnd);
        foreach (var handler in Learners)
        {
            handler.LastHeardMs = _now;
            if (handler.State == HandlerState.Synced && !handler.IsObserver)
            {
                Send(handler.Sid, new UpToDate(_epoch, _committed));
            }
        }

        foreach (var handler in Learners)
        {
            if (handler.State == HandlerState.EpochAcked && handler.IsObserver)
            {
                StartSync(handler);
            }
        }

        _round = 0;
        _nextPingAtMs = _now;
    }

    private void OnAck(LearnerHandler handler, Ack ack)
    {
        if (handler.State != HandlerState.Synced || handler.IsObserver || ack.Zxid <= handler.AckedZxid || ack.Zxid > handler.LastSentZxid)
        {
            return;
        }

        handler.AckedZxid = ack.Zxid;
        handler.ReleaseInFlight(ack.Zxid);
        UpdateCommit();
    }

    // Acks are cumulative and links FIFO, so the commit point is the highest zxid that a quorum
    // (our durable log included) has acknowledged: the quorum-th largest acknowledgment.
    private void UpdateCommit()
    {
        if (_phase != ZabPhase.Broadcast)
        {
            return;
        }

        _ackScratch.Clear();
        _ackScratch.Add(_durableZxid);
        foreach (var handler in Learners)
        {
            if (handler.State == HandlerState.Synced && !handler.IsObserver)
            {
                _ackScratch.Add(handler.AckedZxid);
            }
        }

        if (_ackScratch.Count < _quorumSize)
        {
            return;
        }

        _ackScratch.Sort();
        var committed = _ackScratch[^_quorumSize];
        if (committed <= _committed)
        {
            return;
        }

        _committed = committed;
        List<long>? overflow = null;
        Commit? commit = null;
        foreach (var handler in Learners)
        {
            if (handler.State != HandlerState.Synced)
            {
                continue;
            }

            if (!handler.IsObserver)
            {
                Send(handler.Sid, commit ??= new Commit(_epoch, committed));
                continue;
            }

            // Observers learn committed txns only.
            for (var i = _log.FirstAfter(handler.LastSentZxid); i < _log.Count && _log[i].Zxid <= committed; i++)
            {
                var entry = _log[i];
                Send(handler.Sid, new Inform(_epoch, handler.LastSentZxid, entry.Zxid, entry.Data));
                handler.LastSentZxid = entry.Zxid;
                if (!handler.AddInFlight(entry.Zxid, entry.Data.Length, _options.MaxLearnerQueueBytes))
                {
                    (overflow ??= []).Add(handler.Sid);
                    break;
                }
            }
        }

        DropOverflowing(overflow);
    }

    private void OnPingReply(LearnerHandler handler, PingReply reply)
    {
        handler.LastRound = Math.Max(handler.LastRound, reply.Round);
        handler.ReleaseInFlight(reply.LastZxid);
        if (handler.State == HandlerState.Synced && !handler.IsObserver && reply.LastZxid > handler.AckedZxid && reply.LastZxid <= handler.LastSentZxid)
        {
            // The reply says what is durable there: an acknowledgment, in case an ACK was lost.
            handler.AckedZxid = reply.LastZxid;
            UpdateCommit();
        }

        if (!reply.Payload.IsEmpty && handler.State == HandlerState.Synced)
        {
            _received.Add(new AppMessage(handler.Sid, AppMessageKind.PingPayload, reply.Payload));
        }

        CheckPendingSyncs();
    }

    private void LeaderTick()
    {
        if (_phase != ZabPhase.Broadcast)
        {
            if (_now >= _leaderDeadlineMs)
            {
                StartElection(_phase == ZabPhase.Discovery
                    ? "no quorum of learners accepted a new epoch within initLimit"
                    : "no quorum acknowledged NEWLEADER within initLimit");
            }
            else if (_phase == ZabPhase.Discovery)
            {
                ProbeWhileDiscovering();
            }

            return;
        }

        // Learners that fell silent, or did not finish synchronizing, are dropped; they register
        // again when they come back.
        List<long>? silent = null;
        var syncLimitMs = Ms(_options.SyncLimit);
        foreach (var handler in Learners)
        {
            var dead = handler.State switch
            {
                HandlerState.Synced => _now - handler.LastHeardMs > syncLimitMs,
                HandlerState.Syncing => _now > handler.SyncDeadlineMs,
                _ => _now - handler.LastHeardMs > Ms(_options.InitLimit),
            };
            if (dead)
            {
                (silent ??= []).Add(handler.Sid);
            }
        }

        if (silent is not null)
        {
            foreach (var sid in silent)
            {
                DropLearner(sid);
            }
        }

        // A leader that has not heard from a quorum within syncLimit steps down (ZooKeeper's
        // "Not sufficient followers synced"): the others may have elected a new one already.
        var alive = 1;
        foreach (var handler in Learners)
        {
            alive += handler.State == HandlerState.Synced && !handler.IsObserver ? 1 : 0;
        }

        if (!IsQuorum(alive))
        {
            StartElection("lost the quorum: too few followers heard from within syncLimit");
            return;
        }

        if (_now >= _nextPingAtMs)
        {
            StartRound();
        }
    }

    private void StartRound()
    {
        _round++;
        _roundWanted = false;
        _nextPingAtMs = _now + Math.Max(1, _options.TickTimeMs / 2);
        foreach (var handler in Learners)
        {
            if (handler.State is HandlerState.Syncing or HandlerState.Synced)
            {
                Send(handler.Sid, new Ping(_epoch, _round, _committed));
            }
        }

        // With no other voter, the round is confirmed at once.
        CheckPendingSyncs();
    }

    /// <summary>
    /// Sync as a quorum operation (Raft's read index; the fix ZOOKEEPER-1675 asks for): remember
    /// the commit point now and answer once a quorum has answered a heartbeat round started after
    /// the request arrived. Then no newer leader had established itself before the request
    /// (a quorum still followed this epoch after it), so every write committed before it is at
    /// or below the remembered point.
    /// </summary>
    private void AddPendingSync(long from, long requestId)
    {
        _pendingSyncs.Add(new PendingSync(from, requestId, _committed, _round + 1));
        _roundWanted = true;
    }

    // One new round answers every sync that arrived since the last Ready was taken.
    private void StartWantedRound()
    {
        if (_roundWanted && _state == ServerState.Leading && _phase == ZabPhase.Broadcast)
        {
            StartRound();
        }

        _roundWanted = false;
    }

    private void CheckPendingSyncs()
    {
        for (var i = 0; i < _pendingSyncs.Count; i++)
        {
            var pending = _pendingSyncs[i];
            var answered = 1;
            foreach (var handler in Learners)
            {
                answered += handler.State == HandlerState.Synced && !handler.IsObserver && handler.LastRound >= pending.Round ? 1 : 0;
            }

            if (!IsQuorum(answered))
            {
                continue;
            }

            if (pending.From == _myId)
            {
                _syncResults.Add(new SyncResult(pending.RequestId, pending.Zxid));
            }
            else
            {
                Send(pending.From, new QuorumSyncReply(_epoch, pending.RequestId, pending.Zxid));
            }

            _pendingSyncs.RemoveAt(i--);
        }
    }

    private LearnerHandler[] Learners => _learnerArray ??= [.. _learners.Values];

    private void DropLearner(long sid)
    {
        _learners.Remove(sid);
        _learnerArray = null;
    }

    private void DropOverflowing(List<long>? overflow)
    {
        if (overflow is null)
        {
            return;
        }

        // The learner is too far behind to keep buffering for: it resynchronizes when it returns.
        foreach (var sid in overflow)
        {
            DropLearner(sid);
        }
    }

    private int CountVoters(HashSet<long> sids)
    {
        var count = 0;
        foreach (var sid in sids)
        {
            count += IsVoter(sid) ? 1 : 0;
        }

        return count;
    }

    private readonly record struct PendingSync(long From, long RequestId, long Zxid, long Round);

    /// <summary>The leader's view of one learner (ZooKeeper's <c>LearnerHandler</c>, without the thread).</summary>
    private sealed class LearnerHandler(long sid, LearnerType type)
    {
        private readonly Queue<(long Zxid, int Bytes)> _inFlight = new();
        private long _inFlightBytes;

        public long Sid { get; } = sid;

        public bool IsObserver { get; } = type == LearnerType.Observer;

        public HandlerState State { get; set; }

        public long PeerLastZxid { get; set; }

        public long SyncedThroughZxid { get; set; }

        public long LastSentZxid { get; set; }

        public long AckedZxid { get; set; }

        public long LastRound { get; set; }

        public long LastHeardMs { get; set; }

        public long SyncDeadlineMs { get; set; }

        // Bounded queue: bytes sent that the learner has not yet confirmed (by ack or ping reply).
        public bool AddInFlight(long zxid, int bytes, long maxBytes)
        {
            _inFlight.Enqueue((zxid, bytes));
            _inFlightBytes += bytes;
            return _inFlightBytes <= maxBytes;
        }

        public void ReleaseInFlight(long zxid)
        {
            while (_inFlight.TryPeek(out var item) && item.Zxid <= zxid)
            {
                _inFlight.Dequeue();
                _inFlightBytes -= item.Bytes;
            }
        }
    }
}
