// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus;

/// <summary>
/// Phase 0: FastLeaderElection (ZooKeeper's <c>FastLeaderElection.lookForLeader</c>). A LOOKING
/// server votes for itself, adopts any better vote it hears in its round (order: epoch, zxid,
/// server id), and decides once a quorum of its round agrees with its vote and no better vote
/// arrives within finalizeWait. Servers that already follow or lead answer with the leader they
/// follow, so a latecomer (a former leader among them) joins the established leader once a
/// quorum of them names it and the leader itself says it leads.
/// </summary>
public sealed partial class QuorumPeer
{
    private readonly Dictionary<long, (Vote Vote, ServerState State)> _recvSet = [];
    private readonly Dictionary<long, (Vote Vote, ServerState State)> _outOfElection = [];

    // While LOOKING: the registrations (FOLLOWERINFO, OBSERVERINFO) of servers that already
    // decided this server leads, kept until it decides too (see Decide).
    private readonly Dictionary<long, LearnerInfo> _earlyRegistrations = [];

    // While LOOKING: voters that answered as followers or leaders, so dropped our vote; owed it
    // again when they look too (OnLookingVote).
    private readonly HashSet<long> _owedVote = [];

    // A leader in discovery: the voters that answered its probe following another leader.
    private readonly Dictionary<long, (Vote Vote, ServerState State)> _probeAnswers = [];
    private long _logicalClock;
    private Vote _proposal;
    private Vote _currentVote;
    private long _finalizeAtMs = -1;
    private long _nextNotificationAtMs;
    private int _notificationIntervalMs;

    /// <summary>Gets the election round (FastLeaderElection's <c>logicalclock</c>).</summary>
    public long ElectionRound => _logicalClock;

    /// <summary>Gets the vote this server proposes while LOOKING, or the one it decided on.</summary>
    public Vote CurrentVote => _state == ServerState.Looking ? _proposal : _currentVote;

    private Vote SelfVote() => new(_myId, _log.LastZxid, _logicalClock, _currentEpoch);

    private void StartElection(string reason)
    {
        LeaveRole();
        LastTransitionReason = reason;
        SetStatus(ServerState.Looking, ZabPhase.Election, 0, 0);
        _statusChanged = true;
        _logicalClock++;
        _recvSet.Clear();
        _outOfElection.Clear();
        _earlyRegistrations.Clear();
        _owedVote.Clear();
        _finalizeAtMs = -1;

        // An observer proposes nobody (ZooKeeper gives it Long.MIN_VALUE as its id): it only learns.
        _proposal = _isObserver ? new Vote(0, -1, _logicalClock, -1) : SelfVote();
        if (!_isObserver)
        {
            _recvSet[_myId] = (_proposal, ServerState.Looking);
        }

        _notificationIntervalMs = _options.MinNotificationIntervalMs;
        SendNotifications();
        UpdateFinalize();
    }

    private void SendNotifications()
    {
        foreach (var voter in _voters)
        {
            if (voter != _myId)
            {
                Send(voter, new Notification(_proposal.Leader, _proposal.Zxid, _logicalClock, ServerState.Looking, _proposal.PeerEpoch));
            }
        }

        _nextNotificationAtMs = _now + _notificationIntervalMs;
    }

    private void OnNotification(long from, Notification n)
    {
        if (_state != ServerState.Looking)
        {
            if (n.State == ServerState.Looking)
            {
                // Not looking: tell a looking server which leader we follow, so it can join.
                Send(from, new Notification(_currentVote.Leader, _currentVote.Zxid, _currentVote.ElectionEpoch, _state, _currentVote.PeerEpoch));
            }
            else if (IsVoter(from) && n.Leader != _currentVote.Leader)
            {
                OnOtherLeadersNotification(from, n);
            }

            return;
        }

        if (!IsVoter(from))
        {
            // An observer asking: answer right away; its vote never counts.
            if (!_isObserver)
            {
                Send(from, new Notification(_proposal.Leader, _proposal.Zxid, _logicalClock, ServerState.Looking, _proposal.PeerEpoch));
            }

            return;
        }

        var vote = new Vote(n.Leader, n.Zxid, n.ElectionEpoch, n.PeerEpoch);
        switch (n.State)
        {
            case ServerState.Looking:
                if (_isObserver)
                {
                    ObserverTally(from, vote);
                }
                else
                {
                    OnLookingVote(from, vote);
                }

                break;
            case ServerState.Following:
            case ServerState.Leading:
                OnEstablishedVote(from, vote, n.State);
                break;
            default:
                // Observers never vote.
                break;
        }
    }

    // A server that is not looking hears of another leader than its own: a leader in discovery
    // probing (its own notification, LEADING), or, on that leader, a follower's answer.
    private void OnOtherLeadersNotification(long from, Notification n)
    {
        if (_state == ServerState.Leading && _phase == ZabPhase.Discovery)
        {
            // Passed over: this server decided to lead on votes that changed after it decided (a
            // server that started later, with a better vote, won the others over within
            // finalizeWait). ZooKeeper's leader waits out initLimit for a quorum that will never
            // come, refusing clients meanwhile. A follower of another leader counts that leader
            // too; once they make a quorum, no quorum can accept this server's epoch: it looks
            // again, and joins the leader as a latecomer does. Stepping down before an epoch is
            // established is always safe: it is what the initLimit timeout does.
            _probeAnswers[from] = (new Vote(n.Leader, n.Zxid, n.ElectionEpoch, n.PeerEpoch), n.State);
            var naming = CountNaming(_probeAnswers, n.Leader);
            if (n.State == ServerState.Following && !_probeAnswers.ContainsKey(n.Leader) && IsVoter(n.Leader))
            {
                naming++;
            }

            if (naming >= _quorumSize)
            {
                StartElection($"a quorum follows server {n.Leader}, not this one (the votes changed after this server decided)");
            }
        }
        else if (_state == ServerState.Following && n.State == ServerState.Leading && n.Leader == from)
        {
            // A leader in discovery probing: tell it which leader we follow. Only followers
            // answer, and nobody answers an answer, so probes cannot echo between leaders.
            Send(from, new Notification(_currentVote.Leader, _currentVote.Zxid, _currentVote.ElectionEpoch, _state, _currentVote.PeerEpoch));
        }
    }

    // A leader still in discovery after a notification interval asks the voters that have not
    // registered with it which leader they follow (see OnOtherLeadersNotification); again at
    // growing intervals, as an election resends its notifications.
    private void ProbeWhileDiscovering()
    {
        if (_now < _nextNotificationAtMs)
        {
            return;
        }

        foreach (var voter in _voters)
        {
            if (voter != _myId && !_connectingFollowers.Contains(voter))
            {
                Send(voter, new Notification(_myId, _currentVote.Zxid, _currentVote.ElectionEpoch, ServerState.Leading, _currentVote.PeerEpoch));
            }
        }

        _notificationIntervalMs = Math.Min(_notificationIntervalMs * 2, _options.MaxNotificationIntervalMs);
        _nextNotificationAtMs = _now + _notificationIntervalMs;
    }

    private void OnLookingVote(long from, Vote vote)
    {
        if (vote.ElectionEpoch > _logicalClock)
        {
            // A newer round: join it, with the better of its vote and ours.
            _logicalClock = vote.ElectionEpoch;
            _recvSet.Clear();
            _earlyRegistrations.Clear();
            var self = SelfVote();
            _proposal = Vote.Supersedes(vote.Leader, vote.Zxid, vote.PeerEpoch, self)
                ? vote with { ElectionEpoch = _logicalClock }
                : self;
            _recvSet[_myId] = (_proposal, ServerState.Looking);
            SendNotifications();
        }
        else if (vote.ElectionEpoch < _logicalClock)
        {
            // A laggard: tell it where the election stands; its stale vote does not count.
            Send(from, new Notification(_proposal.Leader, _proposal.Zxid, _logicalClock, ServerState.Looking, _proposal.PeerEpoch));
            return;
        }
        else if (Vote.Supersedes(vote.Leader, vote.Zxid, vote.PeerEpoch, _proposal))
        {
            _proposal = vote with { ElectionEpoch = _logicalClock };
            _recvSet[_myId] = (_proposal, ServerState.Looking);
            SendNotifications();
        }
        else if (_owedVote.Remove(from) && Vote.Supersedes(_proposal.Leader, _proposal.Zxid, _proposal.PeerEpoch, vote))
        {
            // The sender answered our notification as a follower (OnEstablishedVote) and dropped
            // it: it noticed the failed leader a moment after we did. Now it looks, with a worse
            // vote: tell it ours again now rather than at our next resend, a notification
            // interval later (which was a third of a failover).
            Send(from, new Notification(_proposal.Leader, _proposal.Zxid, _logicalClock, ServerState.Looking, _proposal.PeerEpoch));
        }

        _recvSet[from] = (vote, ServerState.Looking);
        UpdateFinalize();
    }

    private void OnEstablishedVote(long from, Vote vote, ServerState state)
    {
        _owedVote.Add(from);

        // In our round: the votes of a quorum of our round may already agree on that leader.
        if (vote.ElectionEpoch == _logicalClock)
        {
            _recvSet[from] = (vote, state);
            if (CountAgreeing(_recvSet, vote) >= _quorumSize && CheckLeader(_recvSet, vote.Leader, vote.ElectionEpoch))
            {
                Decide(vote, "a quorum of the round follows it");
                return;
            }
        }

        // Out of election: a quorum of servers already following or leading name this leader,
        // and it says it leads. This is how a server that comes back (a former leader too)
        // joins the established leader instead of disturbing it.
        _outOfElection[from] = (vote, state);
        if (CountNaming(_outOfElection, vote.Leader) >= _quorumSize && CheckLeader(_outOfElection, vote.Leader, vote.ElectionEpoch))
        {
            _logicalClock = vote.ElectionEpoch;
            Decide(vote, "a quorum already follows it");
        }
    }

    // An observer tallies the voters' votes of the newest round it has heard of.
    private void ObserverTally(long from, Vote vote)
    {
        if (vote.ElectionEpoch > _logicalClock)
        {
            _logicalClock = vote.ElectionEpoch;
            _recvSet.Clear();
        }

        if (vote.ElectionEpoch == _logicalClock)
        {
            _recvSet[from] = (vote, ServerState.Looking);
        }

        var best = _proposal;
        var bestCount = 0;
        foreach (var (_, (candidate, _)) in _recvSet)
        {
            var count = CountAgreeing(_recvSet, candidate);
            if (count > bestCount || (count == bestCount && Vote.Supersedes(candidate.Leader, candidate.Zxid, candidate.PeerEpoch, best)))
            {
                best = candidate;
                bestCount = count;
            }
        }

        if (bestCount >= _quorumSize)
        {
            if (best != _proposal)
            {
                _proposal = best;
                _finalizeAtMs = _now + _options.FinalizeWaitMs;
            }
            else if (_finalizeAtMs < 0)
            {
                _finalizeAtMs = _now + _options.FinalizeWaitMs;
            }
        }
        else
        {
            _finalizeAtMs = -1;
        }
    }

    // Once a quorum agrees with our vote, wait finalizeWait for a better one before deciding.
    private void UpdateFinalize()
    {
        if (CountAgreeing(_recvSet, _proposal) >= _quorumSize)
        {
            if (_finalizeAtMs < 0)
            {
                _finalizeAtMs = _now + _options.FinalizeWaitMs;
            }
        }
        else
        {
            _finalizeAtMs = -1;
        }
    }

    private void ElectionTick()
    {
        if (_finalizeAtMs >= 0 && _now >= _finalizeAtMs && CountAgreeing(_recvSet, _proposal) >= _quorumSize)
        {
            Decide(_proposal, "a quorum of the round agreed and no better vote came within finalizeWait");
            return;
        }

        if (_now >= _nextNotificationAtMs)
        {
            // Nothing decided yet: say it again, less often each time (notifications may be lost).
            _notificationIntervalMs = Math.Min(_notificationIntervalMs * 2, _options.MaxNotificationIntervalMs);
            SendNotifications();
        }
    }

    private void Decide(Vote vote, string reason)
    {
        _currentVote = vote;
        if (vote.Leader == _myId)
        {
            BecomeLeader(reason);
            TakeEarlyRegistrations();
        }
        else
        {
            _earlyRegistrations.Clear();
            BecomeLearner(vote.Leader, _isObserver ? ServerState.Observing : ServerState.Following, reason);
        }
    }

    // A registration that arrived while this server was still LOOKING (kept by Step).
    private void KeepEarlyRegistration(long from, LearnerInfo info) => _earlyRegistrations[from] = info;

    private void ForgetEarlyRegistration(long peer) => _earlyRegistrations.Remove(peer);

    // The servers whose finalizeWait ended first registered while this one still looked. Without
    // this they would be heard only at their first resend (the notification interval, 50 ms),
    // which was most of a failover's discovery. Their registration is what the resend would
    // carry: they follow this server, with the accepted epoch they registered with.
    private void TakeEarlyRegistrations()
    {
        if (_earlyRegistrations.Count == 0)
        {
            return;
        }

        var early = _earlyRegistrations.OrderBy(r => r.Key).ToArray();
        _earlyRegistrations.Clear();
        foreach (var (from, info) in early)
        {
            if (_state != ServerState.Leading)
            {
                break;
            }

            OnLearnerInfo(from, info);
        }
    }

    // Votes equal to the given one (leader, zxid, round and epoch), counted over voters.
    private int CountAgreeing(Dictionary<long, (Vote Vote, ServerState State)> votes, Vote vote)
    {
        var count = 0;
        foreach (var (sid, (other, _)) in votes)
        {
            if (IsVoter(sid) && other.Leader == vote.Leader && other.Zxid == vote.Zxid
                && other.ElectionEpoch == vote.ElectionEpoch && other.PeerEpoch == vote.PeerEpoch)
            {
                count++;
            }
        }

        return count;
    }

    // Voters that name the given leader, whatever round they decided in. ZooKeeper compares whole
    // votes here too; servers that joined the leader in different rounds then never add up, and a
    // latecomer waits for another election. Naming the leader is enough for safety, which rests on
    // the epochs of discovery, not on the election.
    private int CountNaming(Dictionary<long, (Vote Vote, ServerState State)> votes, long leader)
    {
        var count = 0;
        foreach (var (sid, (other, _)) in votes)
        {
            if (IsVoter(sid) && other.Leader == leader)
            {
                count++;
            }
        }

        return count;
    }

    // FastLeaderElection.checkLeader: another server must itself say it leads; ourselves only
    // when the decision is of our round.
    private bool CheckLeader(Dictionary<long, (Vote Vote, ServerState State)> votes, long leader, long electionEpoch) =>
        leader == _myId
            ? !_isObserver && _logicalClock == electionEpoch
            : votes.TryGetValue(leader, out var reported) && reported.State == ServerState.Leading;
}
