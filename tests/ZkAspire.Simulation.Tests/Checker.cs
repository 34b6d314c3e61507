// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Protocol;
using ZkAspire.Server.Consensus;
using ZkAspire.Server.Core;

namespace ZkAspire.Simulation.Tests;

/// <summary>
/// The invariants, checked as the run goes (TigerBeetle's state checker): at most one leader
/// establishes each epoch; every txn any replica applies is the txn every other replica applied
/// at that position (one sequence, of which each replica's applied txns are a prefix; a committed
/// zxid never changes); a leader establishing an epoch has every txn applied anywhere before (a
/// committed zxid is never lost); a closed or expired session's ephemerals are gone at once; a
/// read returns the state at the zxid it was served at (sequential consistency). At the end:
/// replicas agree, acknowledged writes are there, and the client histories are linearizable.
/// </summary>
internal sealed class Checker(Simulation sim)
{
    private readonly Dictionary<int, long> _leaderOfEpoch = [];
    private readonly HashSet<int> _checkedEstablishment = [];
    private readonly List<(long Zxid, byte[] Bytes)> _global = [];
    private readonly Dictionary<long, int> _indexOf = [];
    private readonly Dictionary<long, int> _position = [];
    private readonly Dictionary<string, List<(long Zxid, Linearizability.Register State)>> _timeline = new(StringComparer.Ordinal);
    private readonly HashSet<long> _endedSessions = [];
    private readonly Dictionary<long, PeerStatus> _lastStatus = [];

    // Every value written to a key (values are unique), with where and when it was first applied.
    private readonly Dictionary<string, (long Zxid, int Version, long AppliedAtMs)> _committedValues = new(StringComparer.Ordinal);

    public int AppliedTxns => _global.Count;

    public int EpochsEstablished => _leaderOfEpoch.Count;

    /// <summary>Gets how many times a leader's snapshot replaced a replica's state (SNAP).</summary>
    public int SnapshotsInstalled { get; private set; }

    /// <summary>Gets how many closeSession txns were applied (a session closed or expired).</summary>
    public int SessionsClosed { get; private set; }

    public void Started(SimServer server, long snapshotZxid) => _position[server.Id] = IndexAfter(snapshotZxid, server);

    public void SnapshotLoaded(SimServer server, long zxid)
    {
        SnapshotsInstalled++;
        _position[server.Id] = IndexAfter(zxid, server);
    }

    public void Applied(SimServer server, TxnLogEntry entry)
    {
        var bytes = Encode(entry);
        var position = _position[server.Id];
        if (position < _global.Count)
        {
            var (zxid, expected) = _global[position];
            if (zxid != entry.Zxid || !expected.AsSpan().SequenceEqual(bytes))
            {
                Fail($"server {server.Id} applied 0x{entry.Zxid:x} ({entry.Header.OpCode}) at position {position}, where 0x{zxid:x} was applied: the applied sequences diverge");
            }
        }
        else
        {
            if (_global.Count > 0 && _global[^1].Zxid >= entry.Zxid)
            {
                Fail($"server {server.Id} applied 0x{entry.Zxid:x} after 0x{_global[^1].Zxid:x}: zxids go back");
            }

            _indexOf[entry.Zxid] = _global.Count;
            _global.Add((entry.Zxid, bytes));
            Record(entry);
            SessionsClosed += entry.Header.OpCode == OpCode.CloseSession ? 1 : 0;
        }

        _position[server.Id] = position + 1;

        // A closed or expired session's ephemerals go with its closeSession txn.
        if (entry.Header.OpCode == OpCode.CloseSession && server.Replica!.Tree.GetEphemerals(entry.Header.ClientId).Count > 0)
        {
            Fail($"server {server.Id}: session 0x{entry.Header.ClientId:x} is closed but owns ephemerals");
        }
    }

    public void AfterStep()
    {
        foreach (var server in sim.Servers)
        {
            if (server.Replica?.Peer is not { } peer)
            {
                continue;
            }

            if (!_lastStatus.TryGetValue(server.Id, out var last) || last != peer.Status)
            {
                _lastStatus[server.Id] = peer.Status;
                sim.Trace($"server {server.Id}: {peer.Status} ({peer.LastTransitionReason})");
            }

            if (peer.State == ServerState.Leading && peer.Phase >= ZabPhase.Synchronization)
            {
                if (_leaderOfEpoch.TryGetValue(peer.Epoch, out var other) && other != server.Id)
                {
                    Fail($"epoch {peer.Epoch} has two leaders: {other} and {server.Id}");
                }

                _leaderOfEpoch[peer.Epoch] = server.Id;
            }

            if (peer.State == ServerState.Leading && peer.Phase == ZabPhase.Broadcast && _checkedEstablishment.Add(peer.Epoch))
            {
                CheckEstablishment(server, peer);
            }
        }
    }

    public void SessionStarted(long sessionId, int clientId) => sim.Trace($"client {clientId}: session 0x{sessionId:x}");

    public void SessionEnded(long sessionId, string how)
    {
        if (sessionId != 0)
        {
            _endedSessions.Add(sessionId);
            sim.Trace($"session 0x{sessionId:x} {how}");
        }
    }

    /// <summary>A read returned: it must be the key's state at the zxid it was served at (sequential consistency).</summary>
    public void ReadCompleted(Operation op)
    {
        if (op.Outcome is not (Outcome.Ok or Outcome.NoNode))
        {
            return;
        }

        var expected = StateAt(op.Key, op.ReplyZxid);
        if (expected.Exists != op.ReadExists || (op.ReadExists && (expected.Value != op.ReadValue || expected.Version != op.Version)))
        {
            Fail($"read {op} does not match the state at 0x{op.ReplyZxid:x}: {expected}");
        }
    }

    /// <summary>The run is over and every fault healed: the ensemble agrees and the histories check out.</summary>
    public void Final()
    {
        var up = sim.Servers.Where(s => s.IsUp).ToList();
        if (up.Count != sim.Servers.Count)
        {
            Fail("a server is still down at the end");
        }

        var leaders = up.Where(s => s.Replica!.Mode == ServerMode.Leader).ToList();
        if (leaders.Count != 1 || up.Any(s => !s.Replica!.IsServing || s.Replica.QuorumStatus!.Value.LeaderId != leaders[0].Id))
        {
            Fail("the ensemble did not recover: " + string.Join("; ", up.Select(s => $"{s.Id}: {s.Replica!.QuorumStatus}")));
        }

        foreach (var server in up)
        {
            if (_position[server.Id] != _global.Count)
            {
                Fail($"server {server.Id} applied {_position[server.Id]} of the {_global.Count} committed txns");
            }
        }

        var reference = up[0].Replica!.DumpState();
        foreach (var server in up.Skip(1))
        {
            var state = server.Replica!.DumpState();
            if (!state.SequenceEqual(reference))
            {
                var diff = state.Except(reference).Concat(reference.Except(state)).Take(5);
                Fail($"servers {up[0].Id} and {server.Id} differ: {string.Join(" | ", diff)}");
            }
        }

        foreach (var server in up)
        {
            var live = server.Replica!.GetSessions().Select(s => s.SessionId).ToHashSet();
            foreach (var owner in server.Replica.Tree.SessionsWithEphemerals)
            {
                if (!live.Contains(owner) || _endedSessions.Contains(owner))
                {
                    Fail($"server {server.Id}: session 0x{owner:x} is gone but owns ephemerals");
                }
            }
        }

        foreach (var op in sim.History.Operations)
        {
            if (op.Outcome == Outcome.Ok && op.Kind is OpKind.Create or OpKind.Write or OpKind.Cas && !_indexOf.ContainsKey(op.Mzxid))
            {
                Fail($"acknowledged write {op} is lost");
            }
        }

        foreach (var group in sim.History.Operations.GroupBy(o => o.Key).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // A write whose reply never came (lost with its connection, or still pending at the
            // end) may or may not have happened. The replicated log says which: values are
            // unique, so it happened if and only if a txn with its value committed, and then it
            // took effect no later than that txn was first applied. Knowing that keeps the search
            // small; the reads still have to agree with it.
            foreach (var op in group.Where(o => o.Kind is OpKind.Create or OpKind.Write or OpKind.Cas && o.Outcome is Outcome.Unknown or Outcome.Pending))
            {
                if (_committedValues.TryGetValue(op.Value!, out var committed))
                {
                    op.Outcome = Outcome.Ok;
                    op.Version = committed.Version;
                    op.Mzxid = committed.Zxid;
                    op.ReturnMs = Math.Max(op.InvokeMs, committed.AppliedAtMs);
                }
                else
                {
                    op.Outcome = Outcome.Failed;
                }
            }

            // An acknowledged write is the txn that committed its value.
            foreach (var op in group.Where(o => o.Kind is OpKind.Create or OpKind.Write or OpKind.Cas && o.Outcome == Outcome.Ok))
            {
                if (!_committedValues.TryGetValue(op.Value!, out var committed) || committed.Zxid != op.Mzxid || committed.Version != op.Version)
                {
                    Fail($"acknowledged write {op} is not the committed txn of its value");
                }
            }

            var ops = group.Where(o => o.Kind == OpKind.SyncRead
                    ? o.Outcome is Outcome.Ok or Outcome.NoNode
                    : o.Kind != OpKind.Read && o.Outcome is not (Outcome.Failed or Outcome.Pending))
                .ToList();
            if (Linearizability.Check(ops) is { } why)
            {
                var timeline = string.Join("\n  ", Timeline(group.Key).Take(25).Select(t => $"0x{t.Zxid:x} {t.State}"));
                var first = string.Join("\n  ", ops.OrderBy(o => o.InvokeMs).Take(40));
                Fail($"key {group.Key}: {why}\ncommitted:\n  {timeline}\noperations:\n  {first}");
            }
        }
    }

    private void CheckEstablishment(SimServer server, QuorumPeer peer)
    {
        var (start, history) = peer.CopyHistory();
        var have = new Dictionary<long, ReadOnlyMemory<byte>>();
        foreach (var entry in history)
        {
            have[entry.Zxid] = entry.Data;
        }

        foreach (var (zxid, bytes) in _global)
        {
            if (zxid <= start)
            {
                continue;
            }

            if (!have.TryGetValue(zxid, out var data) || !data.Span.SequenceEqual(bytes))
            {
                Fail($"leader {server.Id} established epoch {peer.Epoch} without committed txn 0x{zxid:x}: a committed txn is lost");
            }
        }
    }

    private int IndexAfter(long zxid, SimServer server)
    {
        if (zxid == 0)
        {
            return 0;
        }

        if (!_indexOf.TryGetValue(zxid, out var index))
        {
            Fail($"server {server.Id} has a state at 0x{zxid:x}, which no replica applied");
        }

        return index + 1;
    }

    private void Record(TxnLogEntry entry)
    {
        switch (entry.Txn)
        {
            case CreateTxn create when create.Path.StartsWith("/k", StringComparison.Ordinal):
                Timeline(create.Path).Add((entry.Zxid, new Linearizability.Register(true, Text(create.Data), 0)));
                _committedValues[Text(create.Data)] = (entry.Zxid, 0, sim.NowMs);
                break;
            case SetDataTxn set when set.Path.StartsWith("/k", StringComparison.Ordinal):
                Timeline(set.Path).Add((entry.Zxid, new Linearizability.Register(true, Text(set.Data), set.Version)));
                _committedValues[Text(set.Data)] = (entry.Zxid, set.Version, sim.NowMs);
                break;
            default:
                break;
        }
    }

    private List<(long Zxid, Linearizability.Register State)> Timeline(string key)
    {
        if (!_timeline.TryGetValue(key, out var list))
        {
            _timeline.Add(key, list = []);
        }

        return list;
    }

    private Linearizability.Register StateAt(string key, long zxid)
    {
        var state = new Linearizability.Register(false, null, 0);
        foreach (var (at, s) in Timeline(key))
        {
            if (at > zxid)
            {
                break;
            }

            state = s;
        }

        return state;
    }

    private static string Text(byte[]? data) => Encoding.UTF8.GetString(data ?? []);

    private static byte[] Encode(TxnLogEntry entry)
    {
        using var writer = new JuteWriter();
        entry.Write(writer);
        return writer.ToArray();
    }

    private void Fail(string what) => throw new SimulationException(what);
}
