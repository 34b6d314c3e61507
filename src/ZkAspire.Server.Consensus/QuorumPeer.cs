// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus;

/// <summary>
/// One server of a ZooKeeper ensemble as a pure, thread-unsafe state machine (etcd raft's
/// <c>RawNode</c> shape): FastLeaderElection, then Zab's discovery, synchronization and broadcast
/// (Junqueira, Reed, Serafini, "Zab: High-performance broadcast for primary-backup systems", DSN
/// 2011, §3.3, as ZooKeeper implements it). It knows zxids and opaque txn bytes, nothing of znodes.
/// </summary>
/// <remarks>
/// <para>
/// Inputs: <see cref="Step"/> (a message from a peer), <see cref="Tick"/> (time passed),
/// <see cref="Disconnected"/> (a link broke), and on the leader <see cref="Propose"/>; on any
/// server <see cref="Sync"/>, <see cref="SendToLeader"/>, <see cref="SendToLearner"/>. Outputs:
/// <see cref="GetReady"/> lists what to persist, send and apply; <see cref="Advance"/> confirms
/// that a Ready's persistence is durable. Nothing that must be durable is acknowledged or acted
/// upon before that confirmation (see <see cref="Ready"/>).
/// </para>
/// <para>
/// No sockets, files, clocks, threads or randomness: time arrives as <c>nowMs</c>, so that a test
/// drives many peers in one thread and replays any run from its seed. The roles are partial files:
/// <c>QuorumPeer.Election.cs</c>, <c>QuorumPeer.Leader.cs</c>, <c>QuorumPeer.Learner.cs</c>.
/// </para>
/// </remarks>
public sealed partial class QuorumPeer
{
    // Recycled Readys kept for reuse. A member holds one Ready per input while its flush is in
    // flight (a follower: one per proposal received), so under load as many as there are writes
    // in flight; as for the core's request pool, the bound is 1,024.
    private const int MaxSpareReadys = 1024;

    private readonly QuorumPeerOptions _options;
    private readonly IQuorumApplication _application;
    private readonly long _myId;
    private readonly SortedDictionary<long, LearnerType> _servers = [];
    private readonly long[] _voters;
    private readonly bool _isObserver;
    private readonly int _quorumSize;
    private readonly TxnHistory _log;

    // Outputs not yet taken by GetReady.
    private readonly List<OutboundMessage> _messages = [];
    private readonly List<PersistOperation> _persist = [];
    private readonly List<SyncResult> _syncResults = [];
    private readonly List<AppMessage> _received = [];
    private readonly Queue<Ready> _unadvanced = new();

    // Readys the host handed back (Recycle), reused by GetReady; bounded, the rest are dropped.
    private readonly Stack<Ready> _spareReadys = new();

    private long _now;
    private long _readySequence;

    // Durable state: what is in memory, and what the host confirmed durable.
    private int _acceptedEpoch;
    private int _durableAcceptedEpoch;
    private int _currentEpoch;
    private int _durableCurrentEpoch;
    private long _durableZxid;

    // The highest zxid known committed, and the highest handed to the application.
    private long _committed;
    private long _applied;

    private ServerState _state;
    private ZabPhase _phase;
    private long _leaderId;
    private int _epoch;
    private bool _statusChanged;

    /// <summary>Creates a peer from what its server has on stable storage and starts an election (LOOKING).</summary>
    /// <param name="options">The settings.</param>
    /// <param name="state">The durable state: epochs, and the logged txns after the application's snapshot.</param>
    /// <param name="application">The application, asked for snapshots and ping payloads.</param>
    /// <param name="nowMs">The host's clock.</param>
    /// <exception cref="ArgumentException">A setting is invalid, or the log is not in zxid order.</exception>
    public QuorumPeer(QuorumPeerOptions options, PersistentState state, IQuorumApplication application, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(application);
        options.Validate();
        if (state.AppliedZxid < state.SnapshotZxid)
        {
            throw new ArgumentException("The application's state is older than its snapshot.", nameof(state));
        }

        _options = options;
        _application = application;
        _myId = options.MyId;
        var voters = new List<long>();
        foreach (var server in options.Servers)
        {
            _servers.Add(server.Id, server.Type);
            if (server.Type == LearnerType.Participant)
            {
                voters.Add(server.Id);
            }
        }

        voters.Sort();
        _voters = [.. voters];
        _quorumSize = (_voters.Length / 2) + 1;
        _isObserver = _servers[_myId] == LearnerType.Observer;

        _log = new TxnHistory(state.SnapshotZxid);
        foreach (var entry in state.Log)
        {
            if (entry.Zxid <= _log.LastZxid)
            {
                throw new ArgumentException($"The log is not in zxid order at {ZxidText.Format(entry.Zxid)}.", nameof(state));
            }

            _log.Append(entry);
        }

        // What the application restored is committed (it is a snapshot of applied txns); the log
        // after it is not known to be, until a leader says so.
        _applied = Math.Min(state.AppliedZxid, _log.LastZxid);
        _committed = _applied;
        _acceptedEpoch = _durableAcceptedEpoch = state.AcceptedEpoch;
        _currentEpoch = _durableCurrentEpoch = state.CurrentEpoch;
        _durableZxid = _log.LastZxid;
        _now = nowMs;
        StartElection("started");
    }

    /// <summary>Gets this server's id.</summary>
    public long MyId => _myId;

    /// <summary>Gets the server's state.</summary>
    public ServerState State => _state;

    /// <summary>Gets the Zab phase.</summary>
    public ZabPhase Phase => _phase;

    /// <summary>Gets the leader followed or led, 0 while LOOKING.</summary>
    public long LeaderId => _leaderId;

    /// <summary>Gets the epoch being established or established with the leader, 0 until known.</summary>
    public int Epoch => _epoch;

    /// <summary>Gets the status: state, phase, leader and epoch.</summary>
    public PeerStatus Status => new(_state, _phase, _leaderId, _epoch);

    /// <summary>Gets the accepted epoch (in memory; durable once advanced).</summary>
    public int AcceptedEpoch => _acceptedEpoch;

    /// <summary>Gets the current epoch (in memory; durable once advanced).</summary>
    public int CurrentEpoch => _currentEpoch;

    /// <summary>Gets the last zxid in the log (in memory).</summary>
    public long LastLoggedZxid => _log.LastZxid;

    /// <summary>Gets the highest zxid of the log confirmed durable, −1 while a received snapshot is not.</summary>
    public long DurableZxid => _durableZxid;

    /// <summary>Gets the highest zxid known committed.</summary>
    public long CommittedZxid => _committed;

    /// <summary>Gets the highest zxid handed to the application.</summary>
    public long AppliedZxid => _applied;

    /// <summary>Gets the zxid the in-memory history starts after (a snapshot, or the last txn dropped).</summary>
    public long HistoryStartZxid => _log.StartZxid;

    /// <summary>Gets why the peer last changed state, for the log.</summary>
    public string LastTransitionReason { get; private set; } = string.Empty;

    /// <summary>
    /// Gets how many <see cref="Ready"/> objects this peer has made. A host that recycles every
    /// Ready (<see cref="Recycle"/>) sees it stop growing once its busiest moment has passed.
    /// </summary>
    public long ReadysCreated { get; private set; }

    /// <summary>Gets whether <see cref="GetReady"/> has something.</summary>
    public bool HasReady =>
        _messages.Count > 0 || _persist.Count > 0 || _syncResults.Count > 0 || _received.Count > 0 || _statusChanged
        || _roundWanted || Math.Min(_committed, _durableZxid) > _applied;

    /// <summary>Gets the number of Readys with persistence waiting for <see cref="Advance"/>.</summary>
    public int UnadvancedCount => _unadvanced.Count;

    /// <summary>Gets the voting members.</summary>
    public IReadOnlyList<long> Voters => _voters;

    /// <summary>Handles a message from a peer.</summary>
    /// <param name="from">The sender, as the transport authenticated it.</param>
    /// <param name="message">The message.</param>
    public void Step(long from, PeerMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (from == _myId || !_servers.ContainsKey(from))
        {
            return;
        }

        if (message is Notification notification)
        {
            OnNotification(from, notification);
        }
        else
        {
            switch (_state)
            {
                case ServerState.Leading:
                    LeaderStep(from, message);
                    break;
                case ServerState.Following:
                case ServerState.Observing:
                    LearnerStep(from, message);
                    break;
                default:
                    // LOOKING: the leader-learner protocol has no one to talk to yet. A server
                    // that decided first may already register; kept for when this one decides.
                    if (message is LearnerInfo info)
                    {
                        KeepEarlyRegistration(from, info);
                    }

                    break;
            }
        }
    }

    /// <summary>Time passed: resend notifications, finish an election, ping, and detect failures.</summary>
    /// <param name="nowMs">The host's clock; a value earlier than the last one is ignored.</param>
    public void Tick(long nowMs)
    {
        _now = Math.Max(_now, nowMs);
        switch (_state)
        {
            case ServerState.Looking:
                ElectionTick();
                break;
            case ServerState.Leading:
                LeaderTick();
                break;
            default:
                LearnerTick();
                break;
        }
    }

    /// <summary>
    /// The link to <paramref name="peer"/> broke (a closed connection is noticed at once, unlike
    /// silence, which takes syncLimit): a learner that lost its leader looks for a new one; a
    /// leader forgets the learner, which registers again when it comes back.
    /// </summary>
    /// <param name="peer">The peer.</param>
    public void Disconnected(long peer)
    {
        if (_state == ServerState.Leading)
        {
            DropLearner(peer);
        }
        else if (_state != ServerState.Looking && peer == _leaderId)
        {
            StartElection($"the link to leader {peer} broke");
        }
        else if (_state == ServerState.Looking)
        {
            ForgetEarlyRegistration(peer);
        }
    }

    /// <summary>Gives up the current role and starts an election (a leader whose zxid counter is exhausted does so).</summary>
    /// <param name="reason">Why, for the log.</param>
    public void StepDown(string reason)
    {
        StartElection(reason);
    }

    /// <summary>
    /// Asks for a commit point confirmed by a quorum after this call (a read index): every write
    /// committed before the call is at or below the answer, which arrives in
    /// <see cref="Ready.SyncResults"/>. Only while serving; a leader that cannot reach a quorum never
    /// answers (and steps down within syncLimit).
    /// </summary>
    /// <param name="requestId">The caller's id for the request, echoed in the answer.</param>
    /// <returns><see langword="false"/> if the peer is not serving.</returns>
    public bool Sync(long requestId)
    {
        if (_phase != ZabPhase.Broadcast)
        {
            return false;
        }

        if (_state == ServerState.Leading)
        {
            AddPendingSync(_myId, requestId);
        }
        else
        {
            Send(_leaderId, new QuorumSync(_epoch, requestId));
        }
        return true;
    }

    /// <summary>Sends an application message to the leader, in order with the learner's other messages (forwarded requests).</summary>
    /// <param name="payload">The bytes.</param>
    /// <returns><see langword="false"/> if this server is not a serving learner.</returns>
    public bool SendToLeader(ReadOnlyMemory<byte> payload)
    {
        if (_phase != ZabPhase.Broadcast || _state is not (ServerState.Following or ServerState.Observing))
        {
            return false;
        }

        Send(_leaderId, new LearnerRequest(_epoch, payload));
        return true;
    }

    /// <summary>Sends an application message to one synchronized learner (the leader's answers).</summary>
    /// <param name="learner">The learner.</param>
    /// <param name="payload">The bytes.</param>
    /// <returns><see langword="false"/> if this server is not a serving leader or the learner is not synchronized with it.</returns>
    public bool SendToLearner(long learner, ReadOnlyMemory<byte> payload)
    {
        if (_state != ServerState.Leading || _phase != ZabPhase.Broadcast
            || !_learners.TryGetValue(learner, out var handler) || handler.State != HandlerState.Synced)
        {
            return false;
        }

        Send(learner, new LeaderReply(_epoch, payload));
        return true;
    }

    /// <summary>Takes everything the host must do now; see <see cref="Ready"/> for the order.</summary>
    /// <returns>The Ready: a new one, or one the host recycled (<see cref="Recycle"/>).</returns>
    public Ready GetReady()
    {
        StartWantedRound();
        if (!_spareReadys.TryPop(out var ready))
        {
            ready = new Ready(this);
            ReadysCreated++;
        }

        TakeCommitted(ready);
        MaybeServe();
        ready.Fill(++_readySequence, _statusChanged ? Status : null, _persist, _messages, _syncResults, _received);
        ready.DurableZxid = _log.LastZxid;
        ready.AcceptedEpoch = _acceptedEpoch;
        ready.CurrentEpoch = _currentEpoch;

        _statusChanged = false;
        _persist.Clear();
        _messages.Clear();
        _syncResults.Clear();
        _received.Clear();
        if (ready.MustAdvance)
        {
            _unadvanced.Enqueue(ready);
        }

        return ready;
    }

    /// <summary>
    /// The host has made a Ready's <see cref="Ready.Persist"/> operations durable. What waited for
    /// them (acknowledgments, the leader's own vote in a quorum, committed txns to apply) is
    /// produced in the next Ready. A Ready without persistence needs no call (it is ignored).
    /// </summary>
    /// <param name="ready">The Ready, the oldest one with persistence not yet advanced.</param>
    /// <exception cref="InvalidOperationException">Readys were advanced out of order.</exception>
    public void Advance(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        if (!ready.MustAdvance)
        {
            return;
        }

        if (!_unadvanced.TryPeek(out var oldest) || !ReferenceEquals(oldest, ready))
        {
            throw new InvalidOperationException("Readys with persistence must be advanced once each, in the order they were taken.");
        }

        _unadvanced.Dequeue();
        ready.State = ReadyState.Advanced;
        _durableAcceptedEpoch = Math.Max(_durableAcceptedEpoch, ready.AcceptedEpoch);
        _durableCurrentEpoch = Math.Max(_durableCurrentEpoch, ready.CurrentEpoch);
        _durableZxid = Math.Min(ready.DurableZxid, ready.Clamp);
        switch (_state)
        {
            case ServerState.Leading:
                LeaderOnDurable();
                break;
            case ServerState.Following:
            case ServerState.Observing:
                LearnerOnDurable();
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Hands a Ready the host is done with back to this peer, which reuses it and its lists for a
    /// later <see cref="GetReady"/> (etcd raft leaves such reuse to the host; here the peer owns
    /// the objects, so a busy server allocates no Ready per write). A Ready with persistence must
    /// have been advanced first. The host must not look at the Ready or its lists afterwards:
    /// they will carry another Ready's contents.
    /// </summary>
    /// <param name="ready">A Ready taken from this peer.</param>
    /// <exception cref="InvalidOperationException">The Ready belongs to another peer, was already recycled, or must still be advanced.</exception>
    public void Recycle(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        if (!ReferenceEquals(ready.Owner, this))
        {
            throw new InvalidOperationException("The Ready was taken from another peer.");
        }

        if (ready.State == ReadyState.Recycled)
        {
            throw new InvalidOperationException("The Ready was already recycled.");
        }

        if (ready.State == ReadyState.Taken && ready.MustAdvance)
        {
            throw new InvalidOperationException("A Ready with persistence must be advanced before it is recycled.");
        }

        ready.Clear();
        if (_spareReadys.Count < MaxSpareReadys)
        {
            _spareReadys.Push(ready);
        }
    }

    /// <summary>Copies the in-memory history, for tests that check it against what was committed.</summary>
    /// <returns>The zxid it starts after, and its txns.</returns>
    internal (long StartZxid, List<TxnEntry> Entries) CopyHistory()
    {
        var entries = new List<TxnEntry>(_log.Count);
        for (var i = 0; i < _log.Count; i++)
        {
            entries.Add(_log[i]);
        }

        return (_log.StartZxid, entries);
    }

    private bool IsVoter(long sid) => _servers.TryGetValue(sid, out var type) && type == LearnerType.Participant;

    private bool IsQuorum(int voters) => voters >= _quorumSize;

    private long Ms(int ticks) => (long)ticks * _options.TickTimeMs;

    private void Send(long to, PeerMessage message) => _messages.Add(new OutboundMessage(to, message));

    private void SetStatus(ServerState state, ZabPhase phase, long leaderId, int epoch)
    {
        if (_state != state || _phase != phase || _leaderId != leaderId || _epoch != epoch)
        {
            _statusChanged = true;
        }

        _state = state;
        _phase = phase;
        _leaderId = leaderId;
        _epoch = epoch;
    }

    private void PersistAcceptedEpoch(int epoch)
    {
        _acceptedEpoch = epoch;
        _persist.Add(new PersistOperation(PersistKind.AcceptedEpoch, 0, epoch, default));
    }

    private void PersistCurrentEpoch(int epoch)
    {
        _currentEpoch = epoch;
        _persist.Add(new PersistOperation(PersistKind.CurrentEpoch, 0, epoch, default));
    }

    private void AppendTxn(TxnEntry entry)
    {
        _log.Append(entry);
        _persist.Add(new PersistOperation(PersistKind.Append, entry.Zxid, 0, entry.Data));
    }

    private void TruncateLog(long zxid)
    {
        _log.TruncateAfter(zxid);
        _persist.Add(new PersistOperation(PersistKind.Truncate, zxid, 0, default));
        ClampDurable(zxid);
    }

    private void InstallSnapshot(long zxid, ReadOnlyMemory<byte> data)
    {
        _log.Reset(zxid);
        _persist.Add(new PersistOperation(PersistKind.InstallSnapshot, zxid, 0, data));

        // Nothing of the new history is durable until the snapshot is.
        ClampDurable(-1);
        _committed = zxid;
        _applied = zxid;
    }

    // The log was cut at zxid: neither the durable prefix nor what Readys in flight will make
    // durable can extend past the cut (they wrote the old content after it).
    private void ClampDurable(long zxid)
    {
        _durableZxid = Math.Min(_durableZxid, zxid);
        foreach (var ready in _unadvanced)
        {
            ready.Clamp = Math.Min(ready.Clamp, zxid);
        }
    }

    // Adds the txns now committed and durable, not yet handed to the application, to the Ready.
    private void TakeCommitted(Ready ready)
    {
        var upTo = Math.Min(_committed, _durableZxid);
        if (upTo <= _applied)
        {
            return;
        }

        var committed = ready.CommittedList();
        var start = _log.FirstAfter(_applied);
        var end = _log.FirstAfter(upTo);
        for (var i = start; i < end; i++)
        {
            committed.Add(_log[i]);
        }

        if (end > start)
        {
            _applied = committed[^1].Zxid;
        }

        // Memory stays bounded: applied txns beyond the retention are dropped (a learner that
        // far behind gets a SNAP).
        _log.TrimFront(_applied, _options.MaxRetainedTxns);
    }

    private void LeaveRole()
    {
        _learners.Clear();
        _learnerArray = null;
        _pendingSyncs.Clear();
        _connectingFollowers.Clear();
        _epochAckers.Clear();
        _newLeaderAckers.Clear();
        _roundWanted = false;
        ResetLearner();

        // Answers and application messages of the old role are void: the application resets
        // with the status change.
        _syncResults.Clear();
        _received.Clear();
    }
}
