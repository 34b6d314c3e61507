// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Protocol;
using ZkAspire.Server.Consensus;

namespace ZkAspire.Server.Core;

/// <summary>
/// Rebuilds a replica's state from a snapshot's records and the txns logged after it, with no
/// files involved (ZooKeeper's <c>FileTxnSnapLog.restore</c> without the IO): load the snapshot,
/// replay every txn after its start zxid in zxid order, then <see cref="CreateReplica"/>.
/// </summary>
/// <remarks>
/// <para>
/// Snapshots are fuzzy (<see cref="ReplicaSnapshot"/>), so a replayed txn may find its effect
/// already there: a create of a node that exists, a delete of one that is gone. As in ZooKeeper
/// (<c>FileTxnSnapLog.processTransaction</c>: "It should be safe to ignore these"), such a txn
/// changes nothing, except that a create still moves its parent's child counter and pzxid forward
/// (ZOOKEEPER-3249) and a delete still moves the parent's pzxid (ZOOKEEPER-3145). Txns carry
/// absolute values (versions, counters, data), so replaying one over a later state of the same
/// node and then the txns after it ends where an unbroken run ends.
/// </para>
/// <para>Without a snapshot, the replay starts from the empty tree a new server has, at zxid 0.</para>
/// </remarks>
public sealed class ReplicaRecovery
{
    private readonly ReplicaOptions _options;
    private readonly DataTree _tree;
    private readonly Dictionary<long, int> _sessions = [];
    private readonly Dictionary<int, IReadOnlyList<ACL>> _acls = [];
    private readonly List<WatchTrigger> _triggers = [];
    private readonly List<string> _warnings = [];
    private SnapshotState _state;
    private long _nodesLoaded;
    private int _sessionsLoaded;
    private bool _created;
    private long _createdAtZxid;

    /// <summary>Creates an empty recovery: the tree of a new server, at zxid 0.</summary>
    /// <param name="options">The settings the replica will run with.</param>
    public ReplicaRecovery(ReplicaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _tree = new DataTree(options.ExtendedTypesEnabled);
    }

    private enum SnapshotState
    {
        None,
        Loading,
        Loaded,
    }

    /// <summary>Gets the snapshot's start zxid, or 0 without a snapshot.</summary>
    public long SnapshotZxid { get; private set; }

    /// <summary>Gets the zxid of the last txn replayed (or the snapshot's start zxid); it stays put once the replica is created and runs on.</summary>
    public long LastZxid => _created ? _createdAtZxid : _tree.LastProcessedZxid;

    /// <summary>Gets the number of txns replayed.</summary>
    public long TxnsReplayed { get; private set; }

    /// <summary>Gets the number of replayed txns whose effect the fuzzy snapshot already held (a create of an existing node, a delete of a missing one).</summary>
    public long FuzzyOverlaps { get; private set; }

    /// <summary>Gets the number of znodes (each once), until the replica is created.</summary>
    public int NodeCount => _tree.MapCount;

    /// <summary>Gets the number of sessions.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Gets what the recovery repaired, for the log (empty for a consistent snapshot and log).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>
    /// Reads a block of snapshot records (whole records, as <see cref="ReplicaSnapshot.WriteChunk"/>
    /// wrote them). The first block starts with the Begin record; the last ends with the End record.
    /// </summary>
    /// <param name="records">The records.</param>
    /// <exception cref="SnapshotFormatException">The records are malformed or out of order.</exception>
    public void LoadSnapshotChunk(ReadOnlySpan<byte> records)
    {
        if (_state == SnapshotState.Loaded || TxnsReplayed > 0 || _created)
        {
            throw new InvalidOperationException("The snapshot was already loaded.");
        }

        var reader = new SnapshotRecordReader(records, _options.MaxBufferBytes * 2);
        while (reader.TryRead(out var kind))
        {
            if (_state == SnapshotState.None && kind != SnapshotRecordKind.Begin)
            {
                throw new SnapshotFormatException($"The snapshot starts with a {kind} record, not Begin.");
            }

            if (_state == SnapshotState.Loaded)
            {
                throw new SnapshotFormatException($"A {kind} record follows the End record.");
            }

            switch (kind)
            {
                case SnapshotRecordKind.Begin:
                    if (_state != SnapshotState.None)
                    {
                        throw new SnapshotFormatException("A second Begin record.");
                    }

                    if (reader.FormatVersion != SnapshotRecords.FormatVersion)
                    {
                        throw new SnapshotFormatException($"Unsupported snapshot record version {reader.FormatVersion}; this build reads version {SnapshotRecords.FormatVersion}.");
                    }

                    SnapshotZxid = reader.StartZxid;
                    _tree.SetLastProcessedZxid(reader.StartZxid);
                    _state = SnapshotState.Loading;
                    break;
                case SnapshotRecordKind.Session:
                    if (!_sessions.TryAdd(reader.SessionId, reader.TimeoutMs))
                    {
                        throw new SnapshotFormatException($"Session 0x{reader.SessionId:x} appears twice.");
                    }

                    _sessionsLoaded++;
                    break;
                case SnapshotRecordKind.Acl:
                    if (!_acls.TryAdd(reader.AclId, reader.Acl))
                    {
                        throw new SnapshotFormatException($"ACL id {reader.AclId} appears twice.");
                    }

                    break;
                case SnapshotRecordKind.Node:
                    if (!_acls.TryGetValue(reader.AclId, out var acl))
                    {
                        throw new SnapshotFormatException($"Node {reader.Path} refers to ACL id {reader.AclId}, which no earlier record defines.");
                    }

                    if (!_tree.LoadNode(reader.Path, reader.Data, acl, reader.Stat))
                    {
                        throw new SnapshotFormatException($"Node {reader.Path} comes before its parent.");
                    }

                    _nodesLoaded++;
                    break;
                case SnapshotRecordKind.End:
                    if (reader.NodeCount != _nodesLoaded || reader.SessionCount != _sessionsLoaded || reader.AclCount != _acls.Count)
                    {
                        throw new SnapshotFormatException(string.Create(
                            CultureInfo.InvariantCulture,
                            $"The End record counts {reader.NodeCount} nodes, {reader.SessionCount} sessions and {reader.AclCount} ACLs; the snapshot held {_nodesLoaded}, {_sessionsLoaded} and {_acls.Count}."));
                    }

                    _state = SnapshotState.Loaded;
                    break;
                default:
                    throw new SnapshotFormatException($"Unexpected record {kind}.");
            }
        }
    }

    /// <summary>Checks that the whole snapshot was loaded (its End record was read).</summary>
    /// <exception cref="SnapshotFormatException">The snapshot ended early.</exception>
    public void EndSnapshot()
    {
        if (_state != SnapshotState.Loaded)
        {
            throw new SnapshotFormatException("The snapshot ends before its End record.");
        }
    }

    /// <summary>
    /// Replays one logged txn over the state. Txns at or below <see cref="LastZxid"/> (those the
    /// snapshot already covers, when the log segment starts before it) are skipped.
    /// </summary>
    /// <param name="entry">The txn.</param>
    /// <returns><see langword="true"/> if it was applied, <see langword="false"/> if skipped.</returns>
    public bool Replay(TxnLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_state == SnapshotState.Loading)
        {
            throw new InvalidOperationException("The snapshot has not been completely loaded.");
        }

        if (_created)
        {
            throw new InvalidOperationException("The replica was already created.");
        }

        if (entry.Zxid <= _tree.LastProcessedZxid)
        {
            return false;
        }

        var header = entry.Header;
        switch (header.OpCode)
        {
            case OpCode.CreateSession when entry.Txn is CreateSessionTxn create:
                _sessions[header.ClientId] = create.TimeOut;
                break;
            case OpCode.CloseSession:
                _sessions.Remove(header.ClientId);
                break;
            default:
                break;
        }

        _triggers.Clear();
        var rc = _tree.ProcessTxn(header, entry.Txn, _triggers);
        if (rc.Err is KeeperErrorCode.NodeExists or KeeperErrorCode.NoNode && header.OpCode != OpCode.Error)
        {
            FuzzyOverlaps++;
        }

        TxnsReplayed++;
        return true;
    }

    /// <summary>
    /// Creates the replica. Restored sessions keep their timeouts and expire one timeout from
    /// <paramref name="nowMs"/> unless their clients reconnect, as in ZooKeeper; watches are not
    /// restored (they belong to connections; clients re-register them with setWatches).
    /// </summary>
    /// <param name="output">Where replies go.</param>
    /// <param name="persistence">Where new txns go, or <see langword="null"/> to apply them in memory.</param>
    /// <param name="nowMs">The host's clock.</param>
    /// <returns>The replica, at <see cref="LastZxid"/>.</returns>
    public Replica CreateReplica(IReplicaOutput output, ITxnPersistence? persistence, long nowMs)
    {
        var (tree, sessions) = TakeState();
        return new Replica(_options, output, persistence, tree, sessions, nowMs);
    }

    /// <summary>
    /// Creates a member of a replicated ensemble from what its server has on stable storage: the
    /// snapshot loaded here, and the txns logged after it. Unlike <see cref="Replay"/>, the logged
    /// txns are not applied: some may be an old epoch's tail that no quorum has, which the new
    /// leader truncates (TRUNC). They go to consensus, and are applied once it knows them
    /// committed. Do not call <see cref="Replay"/> before this.
    /// </summary>
    /// <param name="quorum">The ensemble settings; <c>MyId</c> must match <see cref="ReplicaOptions.ServerId"/> when that is set.</param>
    /// <param name="acceptedEpoch">The accepted epoch (ZooKeeper's <c>acceptedEpoch</c> file), 0 if there is none.</param>
    /// <param name="currentEpoch">The current epoch (the <c>currentEpoch</c> file), 0 if there is none.</param>
    /// <param name="log">The logged txns after the snapshot's zxid, in zxid order (earlier ones are skipped).</param>
    /// <param name="output">Where client replies go.</param>
    /// <param name="peers">Where peer messages go.</param>
    /// <param name="persistence">Where txns, truncations, snapshots and epochs go.</param>
    /// <param name="nowMs">The host's clock.</param>
    /// <returns>The replica, LOOKING.</returns>
    public Replica CreateQuorumMember(
        QuorumPeerOptions quorum,
        int acceptedEpoch,
        int currentEpoch,
        IEnumerable<TxnLogEntry> log,
        IReplicaOutput output,
        IPeerOutput peers,
        IReplicaPersistence persistence,
        long nowMs)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (TxnsReplayed > 0)
        {
            throw new InvalidOperationException("A quorum member's logged txns go to consensus, not to Replay.");
        }

        var (tree, sessions) = TakeState();
        var entries = new List<TxnLogEntry>();
        foreach (var entry in log)
        {
            if (entry.Zxid > tree.LastProcessedZxid)
            {
                entries.Add(entry);
            }
        }

        return new Replica(_options, output, persistence, tree, sessions, nowMs, quorum, peers, acceptedEpoch, currentEpoch, entries);
    }

    /// <summary>Finishes the restore and hands over the tree and sessions (once).</summary>
    internal (DataTree Tree, Dictionary<long, int> Sessions) TakeState()
    {
        if (_state == SnapshotState.Loading)
        {
            throw new InvalidOperationException("The snapshot has not been completely loaded.");
        }

        if (_created)
        {
            throw new InvalidOperationException("The replica was already created.");
        }

        _createdAtZxid = _tree.LastProcessedZxid;
        _created = true;
        foreach (var orphan in _tree.RemoveOrphans())
        {
            _warnings.Add($"Removed znode {orphan}, whose parent does not list it.");
        }

        // An ephemeral whose session is gone cannot be: its closeSession txn deletes it. Should a
        // damaged history leave one, its owner comes back as a session with the shortest timeout,
        // so that it expires through a logged closeSession txn instead of an unlogged deletion.
        var minTimeoutMs = _options.MinSessionTimeoutMs == -1 ? 2 * _options.TickTimeMs : _options.MinSessionTimeoutMs;
        foreach (var owner in _tree.SessionsWithEphemerals)
        {
            if (_sessions.TryAdd(owner, minTimeoutMs))
            {
                _warnings.Add(string.Create(CultureInfo.InvariantCulture, $"Session 0x{owner:x} owns ephemerals but is not in the snapshot or log; it is restored to expire."));
            }
        }

        return (_tree, _sessions);
    }
}
