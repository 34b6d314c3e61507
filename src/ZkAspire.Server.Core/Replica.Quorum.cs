// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Consensus;

namespace ZkAspire.Server.Core;

/// <summary>
/// A replica as a member of an ensemble: consensus (<see cref="QuorumPeer"/>) chooses the role,
/// and the role picks the stage chain, as ZooKeeper's <c>setupRequestProcessors</c> does per
/// server class: the leader preps writes and proposes them (LeaderZooKeeperServer); a follower or
/// an observer forwards them to the leader and answers them when their commits come back
/// (FollowerZooKeeperServer, ObserverZooKeeperServer); every server applies commits in zxid
/// order and serves reads from its own tree. While electing or synchronizing, a server serves no
/// client at all.
/// </summary>
public sealed partial class Replica
{
    private readonly QuorumPeer? _peer;
    private readonly IPeerOutput? _peers;
    private readonly IReplicaPersistence? _quorumPersistence;
    private readonly long _myId;

    // Leader: the local requests of proposals not yet committed, by zxid.
    private readonly Dictionary<long, Request> _localProposals = [];

    // Quorum syncs waiting for the leader's answer (by request id), then for the commit point to be applied.
    private readonly Dictionary<long, Request> _quorumSyncs = [];
    private readonly List<Request> _syncWaiters = [];

    // Learner: connections waiting for the leader to revalidate their session, by session id.
    private readonly Dictionary<long, List<ServerConnection>> _revalidating = [];

    // Learner: the sessions its clients touched since the last ping reply, with their timeouts.
    private readonly Dictionary<long, int> _touched = [];

    // Encodes a leader's proposals (EncodeTxn) and a learner's forwarded requests, one at a time
    // on the loop, into bytes of their own (its buffer is rented once and kept).
    private readonly JuteWriter _txnWriter = new();

    // Txns decoded once (proposed here, or logged here as a learner) and applied later.
    private readonly Dictionary<long, TxnLogEntry> _decoded = [];

    // Readys whose persistence the host has not yet reported durable, oldest first.
    private readonly Queue<Ready> _unflushed = new();

    // Leader: stand-ins for the learners' client connections (forwarded requests carry their identities).
    private readonly Dictionary<long, ServerConnection> _remoteConnections = [];

    private ReplicaRole _role = ReplicaRole.Standalone;
    private PeerStatus _servingStatus;
    private long _nextSyncId;
    private long _now;
    private bool _pumping;

    private enum ReplicaRole
    {
        // A single server (the issue 2/3 chain).
        Standalone,

        // A member of an ensemble that is electing or synchronizing: it serves nothing.
        Looking,

        Leader,
        Follower,
        Observer,
    }

    /// <summary>Gets the role as srvr/stat/mntr report it.</summary>
    public ServerMode Mode => _role switch
    {
        ReplicaRole.Standalone => ServerMode.Standalone,
        ReplicaRole.Leader => ServerMode.Leader,
        ReplicaRole.Follower => ServerMode.Follower,
        ReplicaRole.Observer => ServerMode.Observer,
        _ => ServerMode.Looking,
    };

    /// <summary>Gets whether the replica serves clients: a standalone server always, a member of an ensemble once synchronized with an established leader.</summary>
    public bool IsServing => _role != ReplicaRole.Looking;

    /// <summary>Gets where a member of an ensemble stands (state, phase, leader, epoch), or <see langword="null"/> when standalone.</summary>
    public PeerStatus? QuorumStatus => _peer?.Status;

    /// <summary>Gets the consensus state machine, for tests that check its invariants.</summary>
    internal QuorumPeer? Peer => _peer;

    /// <summary>Gets or sets what a test hears of each committed txn this member applies, in order.</summary>
    internal Action<TxnLogEntry>? Applied { get; set; }

    /// <summary>Gets or sets what a test hears when a leader's snapshot replaces this member's state (its zxid).</summary>
    internal Action<long>? SnapshotLoaded { get; set; }

    /// <summary>
    /// Creates a new member of an ensemble (empty tree, no log, epochs 0), LOOKING: it starts an
    /// election at once, and serves clients once it follows or leads an established epoch.
    /// </summary>
    /// <param name="options">The server settings; <see cref="ReplicaOptions.SessionIdSeed"/> must be unique per server (ZooKeeper puts the server id in the top byte).</param>
    /// <param name="quorum">The ensemble settings.</param>
    /// <param name="output">Where client replies go.</param>
    /// <param name="peers">Where peer messages go.</param>
    /// <param name="persistence">Where txns, truncations, snapshots and epochs go.</param>
    /// <param name="nowMs">The host's clock.</param>
    /// <returns>The replica.</returns>
    public static Replica CreateQuorumMember(
        ReplicaOptions options,
        QuorumPeerOptions quorum,
        IReplicaOutput output,
        IPeerOutput peers,
        IReplicaPersistence persistence,
        long nowMs)
    {
        ArgumentNullException.ThrowIfNull(quorum);
        return new Replica(options, output, persistence, tree: null, sessions: null, nowMs, quorum, peers, acceptedEpoch: 0, currentEpoch: 0, log: []);
    }

    /// <summary>A message from another server of the ensemble arrived.</summary>
    /// <param name="from">The sender, as the transport authenticated it.</param>
    /// <param name="message">The message.</param>
    /// <param name="nowMs">The host's clock.</param>
    /// <exception cref="InvalidOperationException">The replica is standalone.</exception>
    public void PeerMessageReceived(long from, PeerMessage message, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(message);
        RequirePeer().Step(from, message);
        Settle(nowMs);
    }

    /// <summary>The link to another server broke (noticed at once, unlike silence).</summary>
    /// <param name="peer">The server.</param>
    /// <param name="nowMs">The host's clock.</param>
    /// <exception cref="InvalidOperationException">The replica is standalone.</exception>
    public void PeerDisconnected(long peer, long nowMs)
    {
        RequirePeer().Disconnected(peer);
        Settle(nowMs);
    }

    /// <summary>
    /// Everything handed to <see cref="IReplicaPersistence"/> before <see cref="IReplicaPersistence.Flush"/>
    /// with <paramref name="batch"/> is durable. Acknowledgments that waited for it go out, and
    /// committed txns it covers are applied.
    /// </summary>
    /// <param name="batch">The batch, the oldest not yet reported.</param>
    /// <param name="nowMs">The host's clock.</param>
    /// <exception cref="InvalidOperationException">The replica is standalone, or batches were reported out of order.</exception>
    public void Flushed(long batch, long nowMs)
    {
        var peer = RequirePeer();
        if (!_unflushed.TryPeek(out var ready) || ready.Sequence != batch)
        {
            throw new InvalidOperationException($"Batch {batch} was reported durable out of order.");
        }

        _unflushed.Dequeue();
        peer.Advance(ready);
        peer.Recycle(ready);
        Settle(nowMs);
    }

    private QuorumPeer RequirePeer() => _peer ?? throw new InvalidOperationException("A standalone replica has no peers.");

    private void ThrowIfQuorumMember()
    {
        if (_peer is not null)
        {
            throw new InvalidOperationException("A member of an ensemble reports durability with Flushed.");
        }
    }

    // After every input: handle what consensus produced, and replay the requests of connections
    // that got their ConnectResponse meanwhile (which may produce more).
    private void Settle(long nowMs)
    {
        _now = Math.Max(_now, nowMs);
        for (var pass = 0; pass < 1000; pass++)
        {
            Pump(nowMs);
            if (_connections.NewlyEstablished.Count == 0)
            {
                return;
            }

            ReplayDeferred(nowMs);
        }
    }

    private void Pump(long nowMs)
    {
        if (_peer is null || _pumping)
        {
            return;
        }

        _pumping = true;
        try
        {
            while (_peer.HasReady)
            {
                HandleReady(_peer.GetReady(), nowMs);
            }
        }
        finally
        {
            _pumping = false;
        }
    }

    private void HandleReady(Ready ready, long nowMs)
    {
        var status = ready.Status;
        if (status is { } changed && _role != ReplicaRole.Looking && (!changed.IsServing || changed != _servingStatus))
        {
            StopServing(nowMs);
        }

        // Indexed loops: a foreach over the IReadOnlyList properties would allocate an enumerator
        // for each non-empty list of every Ready (several per write).
        var persist = ready.Persist;
        for (var i = 0; i < persist.Count; i++)
        {
            var op = persist[i];
            switch (op.Kind)
            {
                case PersistKind.Append:
                    _quorumPersistence!.Append(Decoded(op.Zxid, op.Data, keep: true));
                    break;
                case PersistKind.Truncate:
                    _quorumPersistence!.Truncate(op.Zxid);
                    ForgetDecodedAfter(op.Zxid);
                    break;
                case PersistKind.InstallSnapshot:
                    _quorumPersistence!.InstallSnapshot(op.Zxid, op.Data);
                    LoadSnapshot(op.Data, nowMs);
                    break;
                case PersistKind.AcceptedEpoch:
                    _quorumPersistence!.SetAcceptedEpoch(op.Epoch);
                    break;
                default:
                    _quorumPersistence!.SetCurrentEpoch(op.Epoch);
                    break;
            }
        }

        var messages = ready.Messages;
        for (var i = 0; i < messages.Count; i++)
        {
            _peers!.Send(messages[i].To, messages[i].Message);
        }

        var committed = ready.Committed;
        for (var i = 0; i < committed.Count; i++)
        {
            ApplyCommitted(committed[i], nowMs);
        }

        var syncResults = ready.SyncResults;
        for (var i = 0; i < syncResults.Count; i++)
        {
            OnSyncResult(syncResults[i]);
        }

        var received = ready.Received;
        for (var i = 0; i < received.Count; i++)
        {
            OnAppMessage(received[i], nowMs);
        }

        if (status is { IsServing: true } serving && _role == ReplicaRole.Looking)
        {
            StartServing(serving, nowMs);
        }

        if (ready.MustAdvance)
        {
            // Kept until Flushed advances it, then recycled there.
            _unflushed.Enqueue(ready);
            _quorumPersistence!.Flush(ready.Sequence);
        }
        else
        {
            // Nothing above keeps the Ready or its lists: the peer reuses them.
            _peer!.Recycle(ready);
        }
    }

    /// <summary>
    /// The role's stage chain (ZooKeeper's <c>setupRequestProcessors</c>): a leader preps with
    /// zxids from consensus and proposes; a learner forwards. A new leader's session tracker
    /// starts every committed session's deadline now and forgets owners, as ZooKeeper's does.
    /// </summary>
    private void StartServing(PeerStatus status, long nowMs)
    {
        _role = status.State switch
        {
            ServerState.Leading => ReplicaRole.Leader,
            ServerState.Observing => ReplicaRole.Observer,
            _ => ReplicaRole.Follower,
        };
        _servingStatus = status;
        BuildStages(_role == ReplicaRole.Leader ? () => _peer!.NextZxid : null);
        if (_role == ReplicaRole.Leader)
        {
            _sessions.ResetToCommitted(nowMs);
        }
    }

    /// <summary>
    /// Leaving the role (the leader lost its quorum, a learner its leader): every client
    /// connection is closed, so that clients find a serving server, and everything in flight is
    /// forgotten; what was committed stays.
    /// </summary>
    private void StopServing(long nowMs)
    {
        _role = ReplicaRole.Looking;
        _connections.CloseAll("this server stopped serving: it lost its leader or its quorum");
        _commit.Reset(_sessions.Sessions);
        _sessions.ResetToCommitted(nowMs);
        _localProposals.Clear();
        _quorumSyncs.Clear();
        _syncWaiters.Clear();
        _revalidating.Clear();
        _touched.Clear();
        _remoteConnections.Clear();
        BuildStages(nextZxid: null);
    }

    private void ApplyCommitted(TxnEntry txn, long nowMs)
    {
        var entry = Decoded(txn.Zxid, txn.Data, keep: false);
        Request? request = null;
        if (_role == ReplicaRole.Leader)
        {
            _localProposals.Remove(entry.Zxid, out request);
        }
        else if (_role is ReplicaRole.Follower or ReplicaRole.Observer)
        {
            request = MatchForwarded(entry);
        }

        // Every server tracks every session (a client may resume anywhere, and any server may
        // become the leader that expires it).
        if (entry.Header.OpCode == OpCode.CreateSession && entry.Txn is CreateSessionTxn created && _sessions.Get(entry.Header.ClientId) is null)
        {
            _sessions.AddSession(entry.Header.ClientId, created.TimeOut, nowMs);
        }

        _commit.Committed(entry, request);
        Applied?.Invoke(entry);
        for (var i = 0; i < _syncWaiters.Count; i++)
        {
            var waiter = _syncWaiters[i];
            if (waiter.SyncZxid <= _tree.LastProcessedZxid)
            {
                _syncWaiters.RemoveAt(i--);
                _commit.SyncApplied(waiter);
            }
        }
    }

    // A learner's forwarded writes of a session commit in the order it sent them (one FIFO link,
    // one leader), so a commit of one of its sessions answers that session's oldest unanswered
    // write. A txn that does not match came from another server (the session moved).
    private Request? MatchForwarded(TxnLogEntry entry)
    {
        if (_sessions.Get(entry.Header.ClientId) is not { } session)
        {
            return null;
        }

        foreach (var request in session.Pending)
        {
            if (!request.IsWrite || request.Result is not null || request.Failure is not null)
            {
                continue;
            }

            var matches = request.Kind == RequestKind.Connect
                ? entry.Header.OpCode == OpCode.CreateSession
                : entry.Header.Cxid == request.Xid && entry.Header.OpCode != OpCode.CreateSession;
            return matches ? request : null;
        }

        return null;
    }

    private bool LeaderCanPrep()
    {
        // Consensus may have stepped down during this input (the role changes at the next Ready):
        // the request is dropped, and its connection closes with all the others.
        if (_peer!.State != ServerState.Leading || _peer.Phase != ZabPhase.Broadcast)
        {
            return false;
        }

        if (_peer.NextZxid >= 0)
        {
            return true;
        }

        // The counter of this epoch is exhausted (ZooKeeper's XidRolloverException): a new
        // election starts a new epoch.
        _peer.StepDown(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the zxid counter of epoch {_peer.Epoch} is exhausted"));
        return false;
    }

    // ZooKeeper's PrepRequestProcessor with a leader's session checks, for its own clients: a
    // write of an unknown or closing session fails with SessionExpired, one of a session another
    // server owns (it moved there) with SessionMoved.
    private void LeaderPrep(Request request, long nowMs)
    {
        var session = request.Session;
        if (request.OpCode != OpCode.CloseSession && (session.IsClosing || _sessions.Get(session.Id) is null))
        {
            _prep.PrepError(request, KeeperErrorCode.SessionExpired, nowMs);
        }
        else if (session.Owner != _myId)
        {
            _prep.PrepError(request, KeeperErrorCode.SessionMoved, nowMs);
        }
        else
        {
            _prep.Prep(request, nowMs);
        }
    }

    private void Propose(TxnLogEntry entry, Request? request)
    {
        _decoded[entry.Zxid] = entry;
        _peer!.Propose(entry.Zxid, EncodeTxn(entry));
        if (request is not null)
        {
            _localProposals[entry.Zxid] = request;
        }
    }

    private void ForwardToLeader(ServerConnection connection, byte[] payload)
    {
        if (!_peer!.SendToLeader(payload))
        {
            _connections.Close(connection, "no leader to forward to");
        }
    }

    private void RequestQuorumSync(Request request)
    {
        var id = ++_nextSyncId;
        _quorumSyncs[id] = request;
        if (!_peer!.Sync(id))
        {
            _quorumSyncs.Remove(id);
            _connections.Close(request.Connection, "no leader to sync with");
        }
    }

    private void OnSyncResult(SyncResult result)
    {
        if (!_quorumSyncs.Remove(result.RequestId, out var request) || request.Connection.IsClosed)
        {
            return;
        }

        request.SyncZxid = result.Zxid;
        if (result.Zxid <= _tree.LastProcessedZxid)
        {
            _commit.SyncApplied(request);
        }
        else
        {
            _syncWaiters.Add(request);
        }
    }

    private void OnAppMessage(AppMessage received, long nowMs)
    {
        LearnerMessage message;
        try
        {
            message = LearnerMessages.Decode(received.Payload.Span, _options.MaxBufferBytes * 2);
        }
        catch (ProtocolException)
        {
            // A peer sent bytes we cannot read: a bug or another version; the message is dropped.
            return;
        }

        if (_role == ReplicaRole.Leader)
        {
            switch (message.Kind)
            {
                case LearnerMessageKind.Request:
                    LeaderForwarded(received.From, message, nowMs);
                    break;
                case LearnerMessageKind.CreateSession:
                    LeaderCreateSession(received.From, message, nowMs);
                    break;
                case LearnerMessageKind.Revalidate:
                    LeaderRevalidate(received.From, message, nowMs);
                    break;
                case LearnerMessageKind.Touches:
                    foreach (var (id, timeoutMs) in message.Touches!)
                    {
                        _sessions.TouchSession(id, timeoutMs, nowMs);
                    }

                    break;
                default:
                    break;
            }
        }
        else if (_role is ReplicaRole.Follower or ReplicaRole.Observer && message.Kind == LearnerMessageKind.RevalidateReply)
        {
            OnRevalidateReply(message);
        }
    }

    private void LeaderForwarded(long from, LearnerMessage message, long nowMs)
    {
        if (!LeaderCanPrep())
        {
            return;
        }

        var known = _sessions.Get(message.SessionId);
        var session = known ?? new Session(message.SessionId, 0);
        // Prepped and proposed within this call and queued nowhere (the learner answers its
        // client): the object goes back to the pool before the call returns.
        var request = _requests.Take(RemoteConnection(from), session, message.Cxid, message.Type, message.Body, message.DecodeError, RequestKind.Normal);
        request.ForwardedAuthInfo = message.AuthInfo;
        request.IsWrite = true;

        if (known is null || (known.IsClosing && request.OpCode != OpCode.CloseSession))
        {
            _prep.PrepError(request, KeeperErrorCode.SessionExpired, nowMs);
        }
        else if (known.Owner == 0)
        {
            // After a leader change nobody owns a session until a server uses it.
            known.Claim(from, message.ConnectionId);
            Accept();
        }
        else if (known.Owner != from)
        {
            _prep.PrepError(request, KeeperErrorCode.SessionMoved, nowMs);
        }
        else if (known.OwnerConnection != message.ConnectionId || message.Cxid <= known.LastForwardedXid)
        {
            // A straggler of the owner's closed connection, a duplicate, or a write out of its
            // connection's order: prepping it would apply a write twice or out of order. Nobody
            // waits for its reply.
            _requests.Return(request);
            return;
        }
        else
        {
            Accept();
        }

        Propose(request.Txn!, null);
        _requests.Return(request);

        void Accept()
        {
            known.LastForwardedXid = message.Cxid;

            // The learner touched the session for this request too; its ping reply will say so.
            _sessions.TouchSession(known.Id, known.TimeoutMs, nowMs);
            _prep.Prep(request, nowMs);
        }
    }

    private void LeaderCreateSession(long from, LearnerMessage message, long nowMs)
    {
        if (!LeaderCanPrep() || _sessions.CreateSession(message.SessionId, message.TimeoutMs, nowMs) is not { } session)
        {
            // An id in use: the learner's session id seed collides with another server's. The
            // client gets no session here and times out to another server.
            return;
        }

        session.Claim(from, message.ConnectionId);
        var request = _requests.Take(RemoteConnection(from), session, 0, (int)OpCode.CreateSession, null, KeeperErrorCode.Ok, RequestKind.Connect);
        _prep.PrepCreateSession(request, message.TimeoutMs, nowMs);
        Propose(request.Txn!, null);
        _requests.Return(request);
    }

    // ZooKeeper's LearnerHandler REVALIDATE: a live session is touched and now belongs to the learner.
    private void LeaderRevalidate(long from, LearnerMessage message, long nowMs)
    {
        var session = _sessions.Get(message.SessionId);
        var valid = session is not null && _sessions.TouchSession(session.Id, message.TimeoutMs, nowMs);
        if (valid)
        {
            session!.Claim(from, message.ConnectionId);
            session.TimeoutMs = message.TimeoutMs;
        }

        _peer!.SendToLearner(from, LearnerMessages.RevalidateReply(message.SessionId, valid, message.TimeoutMs));
    }

    private void OnRevalidateReply(LearnerMessage reply)
    {
        if (!_revalidating.Remove(reply.SessionId, out var waiting))
        {
            return;
        }

        foreach (var connection in waiting)
        {
            if (connection.IsClosed || connection.RevalidatingSessionId != reply.SessionId)
            {
                continue;
            }

            connection.RevalidatingSessionId = 0;
            bool? readOnly = connection.ClientReadOnly is null ? null : false;
            if (!reply.Valid)
            {
                RefuseSession(connection, readOnly);
                continue;
            }

            // The leader knows the session; this server may not have applied its createSession
            // yet (it is behind, or the txn is still in flight): it does once it arrives.
            var session = _sessions.Get(reply.SessionId) ?? _sessions.CreateSession(reply.SessionId, connection.SessionTimeoutMs, _now)!;
            _touched[session.Id] = connection.SessionTimeoutMs;
            AttachSession(connection, session, connection.SessionTimeoutMs, readOnly);
        }
    }

    private ServerConnection RemoteConnection(long server)
    {
        if (!_remoteConnections.TryGetValue(server, out var connection))
        {
            connection = new ServerConnection(-server, "0.0.0.0");
            _remoteConnections.Add(server, connection);
        }

        return connection;
    }

    private void LoadSnapshot(ReadOnlyMemory<byte> records, long nowMs)
    {
        // The leader's state replaces ours (SNAP): we serve nothing meanwhile, so no connection,
        // watch or pending request refers to the old tree.
        var recovery = new ReplicaRecovery(_options);
        recovery.LoadSnapshotChunk(records.Span);
        recovery.EndSnapshot();
        var (tree, sessions) = recovery.TakeState();
        _tree = tree;
        ApplyEnsembleConfig();
        _sessions.ReplaceAll(sessions, nowMs);
        _decoded.Clear();
        BuildStages(nextZxid: null);
        SnapshotLoaded?.Invoke(_tree.LastProcessedZxid);
    }

    private QuorumSnapshot TakeSnapshot()
    {
        var snapshot = BeginSnapshot();
        using var writer = new JuteWriter();
        while (!snapshot.WriteChunk(writer, int.MaxValue))
        {
        }

        return new QuorumSnapshot(snapshot.StartZxid, writer.ToArray());
    }

    private ReadOnlyMemory<byte> TakePingPayload()
    {
        if (_touched.Count == 0)
        {
            return default;
        }

        var payload = LearnerMessages.Touches(_touched);
        _touched.Clear();
        return payload;
    }

    private TxnLogEntry Decoded(long zxid, ReadOnlyMemory<byte> data, bool keep)
    {
        if (keep ? _decoded.TryGetValue(zxid, out var entry) : _decoded.Remove(zxid, out entry))
        {
            return entry;
        }

        var reader = new JuteReader(data.Span, _options.MaxBufferBytes * 2);
        entry = reader.ReadRecord<TxnLogEntry>();
        if (entry.Zxid != zxid)
        {
            throw new InvalidOperationException($"The txn logged as 0x{zxid:x} carries zxid 0x{entry.Zxid:x}.");
        }

        if (keep)
        {
            _decoded[zxid] = entry;
        }

        return entry;
    }

    private void ForgetDecodedAfter(long zxid)
    {
        var gone = new List<long>();
        foreach (var key in _decoded.Keys)
        {
            if (key > zxid)
            {
                gone.Add(key);
            }
        }

        foreach (var key in gone)
        {
            _decoded.Remove(key);
        }
    }

    private byte[] EncodeTxn(TxnLogEntry entry)
    {
        var writer = _txnWriter;
        writer.Clear();
        entry.Write(writer);
        return writer.ToArray();
    }

    private sealed class QuorumApplication(Replica replica) : IQuorumApplication
    {
        public QuorumSnapshot TakeSnapshot() => replica.TakeSnapshot();

        public ReadOnlyMemory<byte> TakePingPayload() => replica.TakePingPayload();
    }
}
