// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using ZkAspire.Protocol;
using ZkAspire.Server.Consensus;

namespace ZkAspire.Server.Core;

/// <summary>
/// One ZooKeeper server as a pure, single-threaded state machine: it takes connection events,
/// decoded requests and ticks, and produces replies, notifications and closes through
/// <see cref="IReplicaOutput"/>. It owns the data tree, sessions, watches and ACL checks.
/// </summary>
/// <remarks>
/// <para>
/// No sockets, files, clocks, threads or randomness: time arrives as <c>nowMs</c> arguments
/// (milliseconds since the Unix epoch on the host's clock; znode ctime/mtime come from them), so
/// that a test can drive many replicas and clients in one thread from a seed. Not thread-safe:
/// the host calls it from one event loop.
/// </para>
/// <para>
/// The stages follow ZooKeeper's standalone chain (<c>ZooKeeperServer.setupRequestProcessors</c>):
/// Prep turns writes into txns, Persist holds them until durable (at once in memory, or until
/// <see cref="Persisted"/> with an <see cref="ITxnPersistence"/>), Commit keeps each session's
/// requests in order, Final applies txns, fires watches and replies.
/// </para>
/// </remarks>
public sealed partial class Replica
{
    private const int MaxDeferredRequests = 1000;

    private readonly ReplicaOptions _options;
    private readonly IReplicaOutput _output;
    private readonly SessionTracker _sessions;
    private readonly WatchManager _watches;
    private readonly AuthenticationProviders _providers;
    private readonly SessionPasswords _passwords;
    private readonly ConnectionTable _connections;
    private readonly AclChecker _acl;
    private readonly ITxnPersistence? _persistence;
    private readonly int _minSessionTimeoutMs;
    private readonly int _maxSessionTimeoutMs;
    private readonly List<Session> _expired = [];
    private readonly List<string> _reapable = [];

    // Request objects nothing refers to any more (answered, or forwarded and proposed), reused.
    private readonly RequestPool _requests = new();

    // Rebuilt when the role changes (the stage chain) or a leader's snapshot replaces the tree.
    private DataTree _tree;
    private PrepStage _prep;
    private FinalStage _final;
    private CommitStage _commit;
    private PersistStage _persist;
    private ContainerManager _containerManager;

    /// <summary>Creates a standalone replica with an empty tree (<c>/</c>, <c>/zookeeper</c>, its quota and config nodes) that applies txns in memory as soon as they are prepped.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="output">Where replies go.</param>
    public Replica(ReplicaOptions options, IReplicaOutput output)
        : this(options, output, persistence: null)
    {
    }

    /// <summary>Creates a standalone replica with an empty tree whose txns are made durable by the host before they are applied.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="output">Where replies go.</param>
    /// <param name="persistence">
    /// Where txns go to be persisted; each is applied, answered and its watches fired once the host
    /// calls <see cref="Persisted"/> with its zxid. <see langword="null"/> applies txns at once.
    /// </param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public Replica(ReplicaOptions options, IReplicaOutput output, ITxnPersistence? persistence)
        : this(options, output, persistence, tree: null, sessions: null, nowMs: 0)
    {
    }

    /// <summary>Creates a standalone replica over a restored tree and sessions (<see cref="ReplicaRecovery.CreateReplica"/>).</summary>
    internal Replica(
        ReplicaOptions options,
        IReplicaOutput output,
        ITxnPersistence? persistence,
        DataTree? tree,
        IReadOnlyDictionary<long, int>? sessions,
        long nowMs)
        : this(options, output, persistence, tree, sessions, nowMs, quorum: null, peers: null, acceptedEpoch: 0, currentEpoch: 0, log: [])
    {
    }

    /// <summary>Creates a replica, standalone or (with <paramref name="quorum"/>) a member of an ensemble.</summary>
    internal Replica(
        ReplicaOptions options,
        IReplicaOutput output,
        ITxnPersistence? persistence,
        DataTree? tree,
        IReadOnlyDictionary<long, int>? sessions,
        long nowMs,
        QuorumPeerOptions? quorum,
        IPeerOutput? peers,
        int acceptedEpoch,
        int currentEpoch,
        IReadOnlyList<TxnLogEntry> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TickTimeMs, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBufferBytes, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ContainerCheckIntervalMs, nameof(options));
        ArgumentNullException.ThrowIfNull(options.SessionSecret, nameof(options));

        // ZooKeeperServer.getMin/MaxSessionTimeout: −1 means 2 and 20 ticks (§4.2 step 3).
        _minSessionTimeoutMs = options.MinSessionTimeoutMs == -1 ? 2 * options.TickTimeMs : options.MinSessionTimeoutMs;
        _maxSessionTimeoutMs = options.MaxSessionTimeoutMs == -1 ? 20 * options.TickTimeMs : options.MaxSessionTimeoutMs;
        if (_minSessionTimeoutMs <= 0 || _minSessionTimeoutMs > _maxSessionTimeoutMs)
        {
            throw new ArgumentException(
                $"The session timeout bounds are invalid: minSessionTimeout {_minSessionTimeoutMs} must be positive and not above maxSessionTimeout {_maxSessionTimeoutMs}.",
                nameof(options));
        }

        _options = options;
        _output = output;
        _tree = tree ?? new DataTree(options.ExtendedTypesEnabled);
        _sessions = new SessionTracker(options.TickTimeMs, options.SessionIdSeed, options.ExtendedTypesEnabled);
        if (sessions is not null)
        {
            // Restored sessions keep their timeouts; their deadlines start now (ZooKeeper's
            // loadData: the session tracker touches every restored session at startup).
            foreach (var (id, timeoutMs) in sessions)
            {
                _sessions.AddSession(id, timeoutMs, nowMs);
            }
        }

        _watches = new WatchManager();
        _providers = new AuthenticationProviders(options.SuperDigest);
        _passwords = new SessionPasswords(options.SessionSecret);
        _connections = new ConnectionTable(_watches, output);
        _acl = new AclChecker(_providers);
        ApplyEnsembleConfig();
        if (quorum is null)
        {
            _persistence = persistence;
            BuildStages(nextZxid: null);
            return;
        }

        ArgumentNullException.ThrowIfNull(peers);
        if (persistence is not IReplicaPersistence quorumPersistence)
        {
            throw new ArgumentException("A member of an ensemble needs an IReplicaPersistence.", nameof(persistence));
        }

        _quorumPersistence = quorumPersistence;
        _peers = peers;
        _role = ReplicaRole.Looking;
        _now = nowMs;
        BuildStages(nextZxid: null);
        var entries = new TxnEntry[log.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new TxnEntry(log[i].Zxid, EncodeTxn(log[i]));
        }

        var snapshotZxid = _tree.LastProcessedZxid;
        _peer = new QuorumPeer(
            quorum,
            new PersistentState(acceptedEpoch, currentEpoch, snapshotZxid, entries, snapshotZxid),
            new QuorumApplication(this),
            nowMs);
        _myId = quorum.MyId;
        Settle(nowMs);
    }

    /// <summary>Gets the zxid of the last applied transaction.</summary>
    public long LastProcessedZxid => _tree.LastProcessedZxid;

    /// <summary>Gets the data tree, for tests that set up states no client could reach quickly (a wrapped sequence counter).</summary>
    internal DataTree Tree => _tree;

    /// <summary>Gets how many <see cref="Request"/> objects this replica had to create (none was spare), for tests of their reuse.</summary>
    internal long RequestsCreated => _requests.Created;

    // The Readys its consensus peer has made (none standalone): they are recycled, so this stops growing.
    internal long ReadysCreated => _peer?.ReadysCreated ?? 0;

    /// <summary>A client connected; no session yet.</summary>
    /// <param name="connectionId">The host's id for the connection, unique for the process lifetime.</param>
    /// <param name="remoteAddress">The client's IP address (the identity of the <c>ip</c> ACL scheme).</param>
    /// <param name="nowMs">The host's clock.</param>
    public void ConnectionOpened(long connectionId, string remoteAddress, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(remoteAddress);
        _containerManager.Start(nowMs);
        var connection = new ServerConnection(connectionId, remoteAddress);
        _connections.Add(connection);
        if (!IsServing)
        {
            // ZooKeeper does not serve while it elects or synchronizes: the client tries another server.
            _connections.Close(connection, "this server is not serving: it is electing a leader or synchronizing with one");
        }
    }

    /// <summary>The first frame of a connection arrived: create or resume a session (wire-protocol doc §4.2).</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="request">The decoded request.</param>
    /// <param name="nowMs">The host's clock.</param>
    public void ConnectRequestReceived(long connectionId, ConnectRequest request, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(request);
        ConnectCore(connectionId, request, nowMs);
        Settle(nowMs);
    }

    private void ConnectCore(long connectionId, ConnectRequest request, long nowMs)
    {
        if (_connections.Get(connectionId) is not { } connection)
        {
            return;
        }

        if (connection.Session is not null || connection.RevalidatingSessionId != 0)
        {
            _connections.Close(connection, "a second connect request on an established connection");
            return;
        }

        if (!IsServing)
        {
            _connections.Close(connection, "this server is not serving");
            return;
        }

        // A client that has seen a later state must try another server (step 2).
        if (request.LastZxidSeen > _tree.LastProcessedZxid)
        {
            _connections.Close(
                connection,
                string.Create(CultureInfo.InvariantCulture, $"client has seen zxid 0x{request.LastZxidSeen:x}, our last zxid is 0x{_tree.LastProcessedZxid:x}; the client must try another server"));
            return;
        }

        var timeoutMs = Math.Clamp(request.TimeOut, _minSessionTimeoutMs, _maxSessionTimeoutMs);
        connection.SessionTimeoutMs = timeoutMs;
        connection.ClientReadOnly = request.ReadOnly;
        bool? readOnly = request.ReadOnly is null ? null : false;

        if (request.SessionId == 0)
        {
            // A new session: its createSession txn goes through the pipeline (on a learner, to the
            // leader) and the ConnectResponse follows its commit.
            var created = _sessions.CreateSession(timeoutMs, nowMs);
            created.Connection = connection;
            created.Claim(_myId, connection.Id);
            connection.Session = created;
            var connect = _requests.Take(connection, created, 0, (int)OpCode.CreateSession, null, KeeperErrorCode.Ok, RequestKind.Connect);
            connect.IsWrite = true;
            switch (_role)
            {
                case ReplicaRole.Standalone:
                    _prep.PrepCreateSession(connect, timeoutMs, nowMs);
                    Submit(connect);
                    break;
                case ReplicaRole.Leader:
                    if (LeaderCanPrep())
                    {
                        _prep.PrepCreateSession(connect, timeoutMs, nowMs);
                        _commit.Accept(connect);
                        Propose(connect.Txn!, connect);
                    }

                    break;
                default:
                    _touched[created.Id] = timeoutMs;
                    _commit.Accept(connect);
                    ForwardToLeader(connection, LearnerMessages.CreateSession(created.Id, timeoutMs, connection.Id));
                    break;
            }

            return;
        }

        // Resume: right password, and the session still live and not closing (step 6). A wrong
        // password is answered exactly like an expired session.
        if (!_passwords.Check(request.SessionId, request.Passwd))
        {
            RefuseSession(connection, readOnly);
            return;
        }

        if (_role is ReplicaRole.Follower or ReplicaRole.Observer)
        {
            // Only the leader knows whether the session is live (it owns expiry): ask it, and
            // leave the client waiting, as ZooKeeper's Learner.validateSession does.
            connection.RevalidatingSessionId = request.SessionId;
            if (!_revalidating.TryGetValue(request.SessionId, out var waiting))
            {
                _revalidating.Add(request.SessionId, waiting = []);
                ForwardToLeader(connection, LearnerMessages.Revalidate(request.SessionId, timeoutMs, connection.Id));
            }

            waiting.Add(connection);
            return;
        }

        var session = _sessions.Get(request.SessionId);
        if (session is null || !_sessions.TouchSession(request.SessionId, timeoutMs, nowMs))
        {
            RefuseSession(connection, readOnly);
            return;
        }

        if (_role == ReplicaRole.Leader)
        {
            // The session is now this server's: writes still arriving from another get SessionMoved.
            session.Claim(_myId, connection.Id);
        }

        AttachSession(connection, session, timeoutMs, readOnly);
    }

    private void RefuseSession(ServerConnection connection, bool? readOnly)
    {
        _output.SendConnectResponse(connection.Id, new ConnectResponse(0, 0, 0, new byte[SessionPasswords.Length], readOnly));
        _connections.Close(connection, "invalid session: expired, unknown or wrong password");
    }

    private void AttachSession(ServerConnection connection, Session session, int timeoutMs, bool? readOnly)
    {
        // ZooKeeper closes the session's other connection before it checks the password; we do it
        // only for the rightful owner, so that knowing a session id is not enough to cut it off.
        if (session.Connection is { } previous && !ReferenceEquals(previous, connection))
        {
            _connections.Close(previous, "the session was resumed on another connection");
        }

        session.Connection = connection;
        session.TimeoutMs = timeoutMs;
        connection.Session = session;
        _connections.Establish(connection);
        _output.SendConnectResponse(connection.Id, new ConnectResponse(0, timeoutMs, session.Id, _passwords.For(session.Id), readOnly));
    }

    /// <summary>A request frame arrived on a connection with a session.</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="request">The decoded request.</param>
    /// <param name="nowMs">The host's clock.</param>
    public void RequestReceived(long connectionId, ClientRequest request, long nowMs)
    {
        if (_connections.Get(connectionId) is not { } connection || (connection.Session is null && connection.RevalidatingSessionId == 0))
        {
            return;
        }

        if (!connection.Established)
        {
            // Bounded like ZooKeeper's globalOutstandingLimit: a client that floods a connection
            // whose session is not set up yet is cut off rather than buffered without end.
            var deferred = connection.Deferred ??= [];
            if (deferred.Count >= MaxDeferredRequests)
            {
                _connections.Close(connection, "too many requests before the session was established");
                return;
            }

            deferred.Add(request);
            return;
        }

        Receive(connection, request, nowMs);
        Settle(nowMs);
    }

    /// <summary>
    /// The host has made every txn up to <paramref name="zxid"/> durable (only for a replica built
    /// with an <see cref="ITxnPersistence"/>): they are applied in zxid order, their watches fire
    /// and their requests are answered.
    /// </summary>
    /// <param name="zxid">The highest durable zxid.</param>
    /// <param name="nowMs">The host's clock.</param>
    /// <exception cref="InvalidOperationException">The replica is a member of an ensemble (it reports durability with <see cref="Flushed"/>).</exception>
    public void Persisted(long zxid, long nowMs)
    {
        ThrowIfQuorumMember();
        _persist.Persisted(zxid);
        Settle(nowMs);
    }

    /// <summary>
    /// The host could not make the txns from <paramref name="fromZxid"/> on durable (the disk is
    /// full or unwritable; every txn before it was reported persisted). None of them is applied:
    /// each write is answered with <see cref="KeeperErrorCode.NotReadOnly"/> and the reads behind
    /// it are served; a new session's connection is closed; a closing session is live again and
    /// its close is retried at the next tick. The next txn reuses <paramref name="fromZxid"/>, so
    /// the host must have discarded everything it was given from that zxid on.
    /// </summary>
    /// <remarks>
    /// ZooKeeper's SyncRequestProcessor has no such path: a failed log write kills the server, and
    /// clients see a connection loss. We keep serving reads and answer the write with the error
    /// a read-only server gives a write (−119, "state-changing request is passed to read-only
    /// server"), which is what the server is until the disk takes writes again, and which every
    /// client since 3.4 decodes (Java NotReadOnlyException, kazoo NotReadOnlyCallError, C
    /// ZNOTREADONLY). ThrottledOp (−127, "not executed at all, retry with back off") would say it
    /// as well, but kazoo and clients before 3.7 cannot decode it: kazoo raises "Invalid error
    /// code" in its reader. SystemError (−1) is documented as never sent by the server.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The replica is a member of an ensemble (a replicated server whose disk fails must stop).</exception>
    public void PersistFailed(long fromZxid, long nowMs)
    {
        ThrowIfQuorumMember();
        var failed = new List<(TxnLogEntry Entry, Request? Request)>();
        _persist.Fail(fromZxid, failed);
        if (failed.Count == 0)
        {
            return;
        }

        _prep.Rollback(failed[0].Entry.Zxid);
        foreach (var (entry, request) in failed)
        {
            _commit.Failed(entry, request, KeeperErrorCode.NotReadOnly, nowMs);
        }

        Settle(nowMs);
    }

    /// <summary>
    /// Begins a fuzzy snapshot of the tree and sessions at the last applied zxid. The host writes
    /// it out with <see cref="ReplicaSnapshot.WriteChunk"/> between requests, on this replica's
    /// loop, while writes continue.
    /// </summary>
    /// <returns>The snapshot cursor.</returns>
    public ReplicaSnapshot BeginSnapshot()
    {
        // Only sessions whose createSession txn is applied: one still waiting for the disk is not
        // part of the state at the start zxid (its txn, if it is persisted, is replayed).
        var sessions = new List<(long Id, int TimeoutMs)>(_sessions.Count);
        foreach (var session in _sessions.Sessions)
        {
            if (session.IsCommitted)
            {
                sessions.Add((session.Id, session.PersistedTimeoutMs));
            }
        }

        // Sorted, so that two snapshots of the same state are the same bytes.
        sessions.Sort((a, b) => a.Id.CompareTo(b.Id));
        return new ReplicaSnapshot(_tree, [.. sessions]);
    }

    /// <summary>
    /// Describes the durable state (every znode with every persisted field, the sessions with
    /// their timeouts, the last zxid), one line per item in a fixed order: what tests compare a
    /// restored replica with a live one by.
    /// </summary>
    /// <returns>The lines.</returns>
    internal List<string> DumpState()
    {
        var lines = new List<string>();
        _tree.Dump(lines);
        var sessions = new List<Session>(_sessions.Sessions);
        sessions.Sort((a, b) => a.Id.CompareTo(b.Id));
        foreach (var session in sessions)
        {
            if (!session.IsCommitted)
            {
                continue;
            }

            lines.Add(string.Create(CultureInfo.InvariantCulture, $"session 0x{session.Id:x} timeout={session.PersistedTimeoutMs}"));
        }

        return lines;
    }

    /// <summary>The connection is gone (the peer closed it, or the host did). Its watches go; its session stays until it expires.</summary>
    /// <param name="connectionId">The connection.</param>
    /// <param name="nowMs">The host's clock.</param>
    public void ConnectionClosed(long connectionId, long nowMs)
    {
        if (_connections.Get(connectionId) is { } connection)
        {
            _connections.Remove(connection);
        }
    }

    /// <summary>
    /// Time passed: expire sessions, reap containers and TTL nodes (standalone, or the leader of an
    /// ensemble), and drive elections, heartbeats and failure detection (a member of an ensemble).
    /// The host calls it at least every tick; a member of an ensemble wants it about every 10 ms.
    /// </summary>
    /// <param name="nowMs">The host's clock.</param>
    public void Tick(long nowMs)
    {
        _containerManager.Start(nowMs);
        _now = Math.Max(_now, nowMs);
        _peer?.Tick(nowMs);
        Settle(nowMs);
        if (_role is not (ReplicaRole.Standalone or ReplicaRole.Leader))
        {
            return;
        }

        // Expiry: the server issues the closeSession txn itself; the client hears nothing (§16).
        // In an ensemble only the leader does: it owns the sessions.
        _expired.Clear();
        _sessions.PollExpired(nowMs, _expired);
        foreach (var session in _expired)
        {
            if (_role == ReplicaRole.Standalone)
            {
                _persist.Submit(_prep.PrepExpiry(session, nowMs), null);
            }
            else if (LeaderCanPrep())
            {
                Propose(_prep.PrepExpiry(session, nowMs), null);
            }
        }

        _reapable.Clear();
        if (_containerManager.CheckIfDue(nowMs, _reapable))
        {
            foreach (var path in _reapable)
            {
                if (_role == ReplicaRole.Standalone)
                {
                    _persist.Submit(_prep.PrepDeleteContainer(path, nowMs), null);
                }
                else if (LeaderCanPrep())
                {
                    Propose(_prep.PrepDeleteContainer(path, nowMs), null);
                }
            }
        }

        Settle(nowMs);
    }

    /// <summary>Gets the counters for four-letter words and metrics.</summary>
    /// <returns>The counters.</returns>
    public ReplicaStats GetStats() => new(
        Mode,
        _tree.LastProcessedZxid,
        _tree.NodeCount,
        _tree.ApproximateDataSize,
        _tree.EphemeralCount,
        _sessions.Count,
        _watches.Count,
        _watches.DataWatches.PathCount,
        _watches.DataWatches.ConnectionCount,
        _commit.Outstanding)
    {
        Quorum = _peer is { } peer
            ? new QuorumStats(
                peer.State,
                peer.Phase,
                peer.LeaderId,
                peer.Epoch,
                peer.LearnerCount,
                peer.SyncedFollowerCount,
                peer.PendingLearnerSyncCount,
                peer.PendingQuorumSyncCount,
                peer.LastLoggedZxid,
                peer.CommittedZxid)
            : null,
    };

    /// <summary>Gets every live session with its ephemerals.</summary>
    /// <returns>The sessions.</returns>
    public IReadOnlyList<SessionSnapshot> GetSessions()
    {
        var sessions = new List<SessionSnapshot>(_sessions.Count);
        foreach (var session in _sessions.Sessions)
        {
            sessions.Add(new SessionSnapshot(
                session.Id,
                session.TimeoutMs,
                _sessions.ExpiryOf(session) ?? 0,
                [.. _tree.GetEphemerals(session.Id)]));
        }

        return sessions;
    }

    /// <summary>Gets every watch registration.</summary>
    /// <returns>The watches.</returns>
    public IReadOnlyList<WatchSnapshot> GetWatches()
    {
        var watches = new List<WatchSnapshot>();
        foreach (var (path, connection, modes) in _watches.DataWatches.All())
        {
            var sessionId = connection.Session?.Id ?? 0;
            if ((modes & WatcherModes.Standard) != 0)
            {
                watches.Add(new WatchSnapshot(connection.Id, sessionId, path, WatchKind.Data));
            }

            if ((modes & WatcherModes.Persistent) != 0)
            {
                watches.Add(new WatchSnapshot(connection.Id, sessionId, path, WatchKind.Persistent));
            }

            if ((modes & WatcherModes.PersistentRecursive) != 0)
            {
                watches.Add(new WatchSnapshot(connection.Id, sessionId, path, WatchKind.PersistentRecursive));
            }
        }

        // Persistent watches sit in both tables; they were reported with the data table.
        foreach (var (path, connection, modes) in _watches.ChildWatches.All())
        {
            if ((modes & WatcherModes.Standard) != 0)
            {
                watches.Add(new WatchSnapshot(connection.Id, connection.Session?.Id ?? 0, path, WatchKind.Child));
            }
        }

        return watches;
    }

    private static bool IsClientOpcode(OpCode opCode) => opCode switch
    {
        // Request.isValid, without check (multi only), and without createSession and
        // deleteContainer: ZooKeeper accepts those from clients, which lets anyone delete an empty
        // node of any ACL through deleteContainer; we treat them as unknown opcodes.
        OpCode.Create or OpCode.Create2 or OpCode.CreateTTL or OpCode.CreateContainer or OpCode.Delete
            or OpCode.Exists or OpCode.GetData or OpCode.SetData or OpCode.GetACL or OpCode.SetACL
            or OpCode.GetChildren or OpCode.GetChildren2 or OpCode.GetAllChildrenNumber or OpCode.GetEphemerals
            or OpCode.Sync or OpCode.Ping or OpCode.Multi or OpCode.MultiRead or OpCode.Reconfig
            or OpCode.SetWatches or OpCode.SetWatches2 or OpCode.AddWatch or OpCode.CheckWatches
            or OpCode.RemoveWatches or OpCode.WhoAmI or OpCode.CloseSession => true,
        _ => false,
    };

    private void Receive(ServerConnection connection, ClientRequest request, long nowMs)
    {
        if (connection.IsClosed || connection.IsClosing || connection.Session is not { } session)
        {
            return;
        }

        // auth and sasl are answered on receipt, outside the ordered pipeline (§13).
        switch (request.OpCode)
        {
            case OpCode.Auth:
                Authenticate(connection, request);
                return;
            case OpCode.Sasl:
                AnswerSasl(connection, request);
                return;
            default:
                break;
        }

        // Every other request refreshes the session; one for an unknown or closing session is
        // dropped without an answer (ZooKeeperServer.touch, §6).
        if (!_sessions.TouchSession(session.Id, connection.SessionTimeoutMs, nowMs))
        {
            return;
        }

        if (_role is ReplicaRole.Follower or ReplicaRole.Observer)
        {
            // The leader owns expiry: it hears of the touch with the next ping reply.
            _touched[session.Id] = connection.SessionTimeoutMs;
        }

        var kind = IsClientOpcode(request.OpCode) ? RequestKind.Normal : RequestKind.Unimplemented;
        if (kind == RequestKind.Unimplemented)
        {
            // Answered in order, then the connection closes; whatever follows it is ignored.
            connection.IsClosing = true;
        }

        var pending = _requests.Take(connection, session, request.Xid, request.Type, request.Body, request.DecodeError, kind, request.Path, request.Watch);
        if (PrepStage.IsWrite(pending))
        {
            pending.IsWrite = true;
            switch (_role)
            {
                case ReplicaRole.Standalone:
                    _prep.Prep(pending, nowMs);
                    Submit(pending);
                    break;
                case ReplicaRole.Leader:
                    if (LeaderCanPrep())
                    {
                        LeaderPrep(pending, nowMs);
                        _commit.Accept(pending);
                        Propose(pending.Txn!, pending);
                    }

                    break;
                default:
                    // A learner forwards writes to the leader, in order on one link, and answers
                    // them when their commits come back (ZooKeeper's FollowerRequestProcessor).
                    if (pending.OpCode == OpCode.CloseSession)
                    {
                        session.IsClosing = true;
                    }

                    _commit.Accept(pending);
                    ForwardToLeader(connection, LearnerMessages.Request(pending, _txnWriter));
                    break;
            }

            return;
        }

        if (_role != ReplicaRole.Standalone && pending.OpCode == OpCode.Sync && kind == RequestKind.Normal && pending.Body is SyncRequest)
        {
            // sync is a quorum operation here: answered once the leader's commit point, confirmed
            // by a quorum after the sync arrived, is applied (ZOOKEEPER-1675).
            pending.IsQuorumSync = true;
            _commit.Accept(pending);
            RequestQuorumSync(pending);
            return;
        }

        // A read on a session with nothing waiting is served inside Accept and kept by nothing
        // afterwards (FinalStage answers it at once): its object serves the next request. One
        // that waits behind a write goes back to the pool when the session's queue drops it.
        var servedNow = session.Pending.Count == 0;
        _commit.Accept(pending);
        if (servedNow && session.Pending.Count == 0)
        {
            _requests.Return(pending);
        }
    }

    // Queued before its txn is submitted: without persistence the txn commits within the call.
    private void Submit(Request request)
    {
        _commit.Accept(request);
        if (request.Txn is { } txn)
        {
            _persist.Submit(txn, request);
        }
    }

    // ZooKeeperServer.processPacket for auth: the reply carries zxid 0; a failure closes the connection (§4.4).
    private void Authenticate(ServerConnection connection, ClientRequest request)
    {
        if (request.DecodeError != KeeperErrorCode.Ok || request.Body is not AuthPacket packet)
        {
            _connections.Close(connection, "malformed auth packet");
            return;
        }

        var identities = new List<Id>(2);
        if (_providers.Get(packet.Scheme) is { } provider && provider.Authenticate(connection, packet.Auth, identities))
        {
            foreach (var identity in identities)
            {
                connection.AddAuthInfo(identity);
            }

            _output.Send(connection.Id, new ReplyHeader(request.Xid, 0, (int)KeeperErrorCode.Ok), null);
            return;
        }

        _output.Send(connection.Id, new ReplyHeader(request.Xid, 0, (int)KeeperErrorCode.AuthFailed), null);
        _connections.Close(connection, $"authentication failed for scheme '{packet.Scheme}'");
    }

    /// <summary>
    /// A server without SASL configured has no SASL server for the connection: ZooKeeper's
    /// processSasl catches the resulting NullPointerException and answers OK with a null token, and
    /// closes the connection when the client token itself is null (it dereferences it first).
    /// </summary>
    private void AnswerSasl(ServerConnection connection, ClientRequest request)
    {
        if (request.DecodeError != KeeperErrorCode.Ok || request.Body is not GetSASLRequest { Token: not null })
        {
            _connections.Close(connection, "malformed SASL request");
            return;
        }

        _output.Send(connection.Id, new ReplyHeader(request.Xid, 0, (int)KeeperErrorCode.Ok), new SetSASLResponse(null));
    }

    // Requests that arrived before their connection's ConnectResponse run now, in arrival order.
    private void ReplayDeferred(long nowMs)
    {
        var established = _connections.NewlyEstablished;
        for (var i = 0; i < established.Count; i++)
        {
            var connection = established[i];
            var deferred = connection.Deferred;
            connection.Deferred = null;
            if (deferred is null)
            {
                continue;
            }

            foreach (var request in deferred)
            {
                Receive(connection, request, nowMs);
            }
        }

        established.Clear();
    }

    [MemberNotNull(nameof(_prep), nameof(_final), nameof(_commit), nameof(_persist), nameof(_containerManager))]
    private void BuildStages(Func<long>? nextZxid)
    {
        _prep = new PrepStage(_tree, _acl, _options, nextZxid);
        _final = new FinalStage(_tree, _watches, _sessions, _acl, _providers, _connections, _passwords, _output);

        // Every role: a request that leaves its session's queue answered is referenced by nothing
        // (a leader's proposal table and a learner's commit matching let go of it first).
        _commit = new CommitStage(_prep, _final, _requests);
        _persist = new PersistStage(_persistence, _commit.Committed);
        _containerManager = new ContainerManager(_tree, _options.ContainerCheckIntervalMs);
    }

    private void ApplyEnsembleConfig()
    {
        if (_options.EnsembleConfig is { } config)
        {
            _tree.SetConfigData(System.Text.Encoding.UTF8.GetBytes(config));
        }
    }
}
