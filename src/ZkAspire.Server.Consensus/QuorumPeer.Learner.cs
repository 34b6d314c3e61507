// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus;

/// <summary>
/// A follower or an observer (ZooKeeper's <c>Learner</c>, <c>Follower</c>, <c>Observer</c>):
/// register, accept the new epoch durably, take the leader's history, acknowledge NEWLEADER once
/// it and the new current epoch are durable, serve after UPTODATE; then log proposals and
/// acknowledge them once durable (followers), apply commits, answer pings.
/// </summary>
public sealed partial class QuorumPeer
{
    private long _learnerDeadlineMs;
    private long _lastHeardFromLeaderMs;
    private long _nextLearnerInfoAtMs;
    private int _learnerInfoIntervalMs;
    private int _learnerEpoch = -1;
    private bool _awaitingEpochDurable;
    private bool _ackEpochSent;
    private bool _syncStarted;
    private long _newLeaderZxid = -1;
    private bool _newLeaderAckSent;
    private long _upToDateZxid = -1;
    private long _lastAckedZxid;

    private void ResetLearner()
    {
        _learnerEpoch = -1;
        _awaitingEpochDurable = false;
        _ackEpochSent = false;
        _syncStarted = false;
        _newLeaderZxid = -1;
        _newLeaderAckSent = false;
        _upToDateZxid = -1;
        _lastAckedZxid = 0;
    }

    private void BecomeLearner(long leader, ServerState state, string reason)
    {
        LeaveRole();
        LastTransitionReason = reason;
        SetStatus(state, ZabPhase.Discovery, leader, 0);
        _learnerDeadlineMs = _now + Ms(_options.InitLimit);
        _lastHeardFromLeaderMs = _now;
        _learnerInfoIntervalMs = _options.MinNotificationIntervalMs;
        SendLearnerInfo();
    }

    // The registration is resent until the leader answers. The first one is often dropped: a
    // learner decides as soon as its own finalizeWait ends, and the server it chose may still be
    // LOOKING (it heard the quorum later) and ignore it. Resending only after tickTime/2 made
    // such a failover take a whole second at tickTime=2000 (docs/performance.md, three-node), so
    // the retries start at the notification interval and back off to tickTime/2, as ZooKeeper's
    // Learner.connectToLeader retries after leaderConnectDelayDuringRetryMs (100 ms), not a tick.
    private void SendLearnerInfo()
    {
        Send(_leaderId, new LearnerInfo(_isObserver ? LearnerType.Observer : LearnerType.Participant, _acceptedEpoch));
        _nextLearnerInfoAtMs = _now + _learnerInfoIntervalMs;
        _learnerInfoIntervalMs = Math.Min(_learnerInfoIntervalMs * 2, Math.Max(_options.MinNotificationIntervalMs, _options.TickTimeMs / 2));
    }

    private void LearnerStep(long from, PeerMessage message)
    {
        if (from != _leaderId)
        {
            return;
        }

        if (message is LeaderInfo info)
        {
            _lastHeardFromLeaderMs = _now;
            OnLeaderInfo(info);
            return;
        }

        var epoch = message switch
        {
            SyncStart m => m.Epoch,
            Proposal m => m.Epoch,
            NewLeader m => m.Epoch,
            UpToDate m => m.Epoch,
            Commit m => m.Epoch,
            Inform m => m.Epoch,
            Ping m => m.Epoch,
            QuorumSyncReply m => m.Epoch,
            LeaderReply m => m.Epoch,
            _ => -1,
        };

        // Only the epoch we accepted from this leader: anything else is stale or duplicated.
        if (epoch != _learnerEpoch || !_ackEpochSent)
        {
            return;
        }

        _lastHeardFromLeaderMs = _now;
        switch (message)
        {
            case SyncStart start when !_syncStarted:
                OnSyncStart(start);
                break;
            case Proposal proposal when _syncStarted:
                OnTxn(proposal.PrevZxid, proposal.Zxid, proposal.Data);
                break;
            case NewLeader newLeader when _syncStarted && _newLeaderZxid < 0:
                OnNewLeader(newLeader);
                break;
            case UpToDate upToDate when _newLeaderZxid >= 0 && _upToDateZxid < 0:
                OnCommitPoint(upToDate.Zxid);
                _upToDateZxid = upToDate.Zxid;
                break;
            case Commit commit when _newLeaderZxid >= 0:
                OnCommitPoint(commit.Zxid);
                break;
            case Inform inform when _newLeaderZxid >= 0:
                // An observer learns committed txns: logging one commits it.
                if (OnTxn(inform.PrevZxid, inform.Zxid, inform.Data))
                {
                    OnCommitPoint(inform.Zxid);
                }

                break;
            case Ping ping:
                // The commit point again: a COMMIT may have been lost. Acks and the commit point
                // apply only once our log is the leader's (after NEWLEADER). The link is FIFO, so
                // every txn up to the commit point was sent before this ping: if our log ends
                // before it, we lost some (an observer cannot repair a lost INFORM otherwise).
                if (_newLeaderZxid >= 0)
                {
                    if (ping.CommittedZxid > _log.LastZxid)
                    {
                        StartElection($"the leader committed {ZxidText.Format(ping.CommittedZxid)}, beyond our last zxid {ZxidText.Format(_log.LastZxid)}");
                        return;
                    }

                    _committed = Math.Max(_committed, ping.CommittedZxid);
                }

                var durable = _newLeaderAckSent ? Math.Max(_durableZxid, 0) : 0;
                Send(_leaderId, new PingReply(_learnerEpoch, ping.Round, durable, _application.TakePingPayload()));
                break;
            case QuorumSyncReply reply when _upToDateZxid >= 0:
                _syncResults.Add(new SyncResult(reply.RequestId, reply.Zxid));
                break;
            case LeaderReply reply when _upToDateZxid >= 0:
                _received.Add(new AppMessage(from, AppMessageKind.Reply, reply.Payload));
                break;
            default:
                break;
        }

        MaybeServe();
    }

    private void OnLeaderInfo(LeaderInfo info)
    {
        if (_learnerEpoch >= 0)
        {
            return;
        }

        if (info.Epoch > _acceptedEpoch)
        {
            // Zab §3.3 phase 1: accept the new epoch durably before acknowledging it, so that
            // this server never acknowledges two leaders of one epoch, even across a crash.
            PersistAcceptedEpoch(info.Epoch);
            _learnerEpoch = info.Epoch;
            _awaitingEpochDurable = true;
        }
        else if (info.Epoch == _acceptedEpoch)
        {
            // We accepted this epoch before (and may have acknowledged it): we cannot acknowledge
            // it again, but we can be synchronized (ZooKeeper sends −1 as the current epoch).
            _learnerEpoch = info.Epoch;
            Send(_leaderId, new AckEpoch(info.Epoch, -1, _log.LastZxid));
            _ackEpochSent = true;
        }
        else
        {
            StartElection($"leader {_leaderId} proposed epoch {info.Epoch}, below the accepted epoch {_acceptedEpoch}");
            return;
        }

        SetStatus(_state, _phase, _leaderId, info.Epoch);
    }

    private void LearnerOnDurable()
    {
        if (_awaitingEpochDurable && _durableAcceptedEpoch >= _learnerEpoch)
        {
            _awaitingEpochDurable = false;
            _ackEpochSent = true;
            Send(_leaderId, new AckEpoch(_learnerEpoch, _currentEpoch, _log.LastZxid));
        }

        if (_newLeaderZxid >= 0 && !_newLeaderAckSent && _durableCurrentEpoch >= _learnerEpoch && _durableZxid >= _newLeaderZxid)
        {
            // The leader's history and the new current epoch are durable: acknowledge NEWLEADER.
            _newLeaderAckSent = true;
            _lastAckedZxid = _newLeaderZxid;
            if (!_isObserver)
            {
                Send(_leaderId, new AckNewLeader(_learnerEpoch, _newLeaderZxid));
            }
        }

        // Proposals after NEWLEADER: one cumulative ACK for everything made durable.
        if (_newLeaderAckSent && !_isObserver && _durableZxid > _lastAckedZxid)
        {
            _lastAckedZxid = _durableZxid;
            Send(_leaderId, new Ack(_learnerEpoch, _durableZxid));
        }

        MaybeServe();
    }

    private void OnSyncStart(SyncStart start)
    {
        switch (start.Mode)
        {
            case SyncMode.Diff:
                if (start.Zxid != _log.LastZxid)
                {
                    StartElection($"DIFF from {ZxidText.Format(start.Zxid)}, but our last zxid is {ZxidText.Format(_log.LastZxid)}");
                    return;
                }

                break;
            case SyncMode.Trunc:
                if (start.Zxid > _log.LastZxid || start.Zxid < _log.StartZxid)
                {
                    StartElection($"TRUNC to {ZxidText.Format(start.Zxid)} is outside our log");
                    return;
                }

                // A committed txn is in every later leader's history; cutting one would lose it.
                if (start.Zxid < _committed)
                {
                    throw new InvalidOperationException(
                        $"Leader {_leaderId} truncates to {ZxidText.Format(start.Zxid)}, below our commit point {ZxidText.Format(_committed)}: a committed txn would be lost.");
                }

                TruncateLog(start.Zxid);
                break;
            default:
                InstallSnapshot(start.Zxid, start.Snapshot);
                break;
        }

        _syncStarted = true;
        SetStatus(_state, ZabPhase.Synchronization, _leaderId, _learnerEpoch);
    }

    // Appends a txn that must follow our last one; a gap means we missed something and must resync.
    private bool OnTxn(long prevZxid, long zxid, ReadOnlyMemory<byte> data)
    {
        if (zxid <= _log.LastZxid)
        {
            return false;
        }

        if (prevZxid != _log.LastZxid)
        {
            StartElection($"missed txns between {ZxidText.Format(_log.LastZxid)} and {ZxidText.Format(prevZxid)}");
            return false;
        }

        AppendTxn(new TxnEntry(zxid, data));
        return true;
    }

    private void OnNewLeader(NewLeader newLeader)
    {
        if (newLeader.Zxid != _log.LastZxid)
        {
            StartElection($"NEWLEADER at {ZxidText.Format(newLeader.Zxid)}, but our last zxid is {ZxidText.Format(_log.LastZxid)}");
            return;
        }

        _newLeaderZxid = newLeader.Zxid;
        if (_currentEpoch < newLeader.Epoch)
        {
            PersistCurrentEpoch(newLeader.Epoch);
        }

        LearnerOnDurable();
    }

    private void OnCommitPoint(long zxid)
    {
        // Zab spec issue: a COMMIT for a txn we do not have means we missed its proposal.
        if (zxid > _log.LastZxid)
        {
            StartElection($"commit of {ZxidText.Format(zxid)}, beyond our last zxid {ZxidText.Format(_log.LastZxid)}");
            return;
        }

        _committed = Math.Max(_committed, zxid);
    }

    // A learner serves once the epoch is established (UPTODATE), its acknowledgment durable, and
    // the commit point it was given applied.
    private void MaybeServe()
    {
        if (_state is ServerState.Following or ServerState.Observing
            && _phase == ZabPhase.Synchronization
            && _upToDateZxid >= 0
            && _newLeaderAckSent
            && _applied >= _upToDateZxid)
        {
            LastTransitionReason = "synchronized with the leader";
            SetStatus(_state, ZabPhase.Broadcast, _leaderId, _learnerEpoch);
        }
    }

    private void LearnerTick()
    {
        if (_phase != ZabPhase.Broadcast && _now >= _learnerDeadlineMs)
        {
            StartElection($"not synchronized with leader {_leaderId} within initLimit");
            return;
        }

        // Once synchronized, silence longer than syncLimit means the leader is gone (before that,
        // initLimit bounds the whole registration and synchronization, as ZooKeeper's socket
        // timeouts do).
        if (_phase == ZabPhase.Broadcast && _now - _lastHeardFromLeaderMs > Ms(_options.SyncLimit))
        {
            StartElection($"nothing from leader {_leaderId} within syncLimit");
            return;
        }

        if (_learnerEpoch < 0 && _now >= _nextLearnerInfoAtMs)
        {
            SendLearnerInfo();
        }
    }
}
