// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.Server.Consensus;

namespace ZkAspire.Server.Consensus.Tests;

/// <summary>
/// Several <see cref="QuorumPeer"/>s, an in-memory network and disks, and a clock, driven by
/// commands (etcd raft's <c>rafttest.InteractionEnv</c>). Messages wait in the network until
/// delivered; persistence waits in the disk until synced; nothing happens on its own.
/// </summary>
internal sealed class InteractionEnv
{
    private readonly SortedDictionary<long, Node> _nodes = [];
    private readonly List<(long From, long To, PeerMessage Message)> _network = [];
    private readonly HashSet<(long From, long To)> _blocked = [];
    private QuorumPeerOptions _template = new();
    private List<QuorumServer> _servers = [];
    private StringBuilder _out = new();

    public long NowMs { get; private set; } = 1_000;

    public IReadOnlyDictionary<long, Node> Nodes => _nodes;

    public IReadOnlyList<(long From, long To, PeerMessage Message)> InFlight => _network;

    /// <summary>Discards what the commands printed so far (randomized drivers call commands directly).</summary>
    public void ResetOutput() => _out.Clear();

    /// <summary>Delivers the in-flight message at <paramref name="index"/>; with <paramref name="duplicate"/> a copy stays in flight.</summary>
    public void DeliverAt(int index, bool duplicate)
    {
        var (from, to, message) = _network[index];
        if (!duplicate)
        {
            _network.RemoveAt(index);
        }

        DeliverOne(from, to, message, drop: false, verbose: false);
    }

    /// <summary>Loses the in-flight message at <paramref name="index"/>.</summary>
    public void DropAt(int index) => _network.RemoveAt(index);

    /// <summary>Makes the oldest <paramref name="count"/> Readys of a node durable and advances them.</summary>
    public void PersistOldest(long id, int count)
    {
        var node = _nodes[id];
        for (var i = 0; i < count && node.Peer is not null && node.Unadvanced.TryDequeue(out var ready); i++)
        {
            node.SyncThrough(ready);
            node.Peer.Advance(ready);
            node.Peer.Recycle(ready);
        }
    }

    /// <summary>Crashes a node: a random prefix of what it had not made durable survives.</summary>
    public void CrashRandomly(long id, Random random)
    {
        var node = _nodes[id];
        node.SyncPrefix(random.Next(node.Pending.Count + 1));
        Crash(id);
    }

    public void RestartNode(long id) => Restart(id);

    public void TickAll(long ms) => Tick(ms, [.. _nodes.Keys]);

    public void Block(long from, long to) => _blocked.Add((from, to));

    public void HealAll() => _blocked.Clear();

    public string Execute(string verb, IReadOnlyList<string> args)
    {
        _out = new StringBuilder();
        var kv = ParseArgs(args, out var positional);
        switch (verb)
        {
            case "add-nodes":
                AddNodes(int.Parse(positional[0], CultureInfo.InvariantCulture), kv);
                break;
            case "set-state":
                SetState(Id(positional[0]), kv);
                break;
            case "process-ready":
                foreach (var id in Ids(positional))
                {
                    ProcessReady(id, sync: !kv.ContainsKey("nosync"));
                }

                break;
            case "persist":
                foreach (var id in Ids(positional))
                {
                    Persist(id);
                }

                break;
            case "deliver-msgs":
                Deliver(kv);
                break;
            case "tick":
                Tick(long.Parse(positional[0], CultureInfo.InvariantCulture), Ids(positional.Skip(1).ToList()));
                break;
            case "stabilize":
                Stabilize(Ids(positional), verbose: !kv.ContainsKey("quiet"));
                break;
            case "run":
                // Time passes in 10 ms steps, everything delivered and persisted at each: a live loop.
                for (var left = long.Parse(positional[0], CultureInfo.InvariantCulture); left > 0; left -= 10)
                {
                    NowMs += 10;
                    foreach (var node in _nodes.Values)
                    {
                        node.Peer?.Tick(NowMs);
                    }

                    Stabilize([.. _nodes.Keys], verbose: false);
                }

                foreach (var id in _nodes.Keys)
                {
                    Status(id);
                }

                break;
            case "elect":
                // Stabilize, then tick past finalizeWait until every live voter has decided.
                Elect(kv);
                break;
            case "partition":
                Partition(positional);
                break;
            case "heal":
                _blocked.Clear();
                Line("healed");
                break;
            case "crash":
                Crash(Id(positional[0]));
                break;
            case "restart":
                Restart(Id(positional[0]));
                break;
            case "disconnect":
                Disconnect(Id(positional[0]), Id(positional[1]));
                break;
            case "propose":
                Propose(Id(positional[0]), positional.Skip(1).ToList());
                break;
            case "sync":
                var syncNode = _nodes[Id(positional[0])];
                Line(syncNode.Peer!.Sync(long.Parse(positional[1], CultureInfo.InvariantCulture)) ? "sync requested" : "not serving");
                break;
            case "send-to-leader":
                Line(_nodes[Id(positional[0])].Peer!.SendToLeader(Encoding.UTF8.GetBytes(positional[1])) ? "sent" : "not serving");
                break;
            case "status":
                foreach (var id in Ids(positional))
                {
                    Status(id);
                }

                break;
            case "log":
                foreach (var id in Ids(positional))
                {
                    LogOf(id);
                }

                break;
            default:
                throw new InvalidOperationException($"unknown command {verb}");
        }

        return _out.ToString();
    }

    private static Dictionary<string, string> ParseArgs(IReadOnlyList<string> args, out List<string> positional)
    {
        var kv = new Dictionary<string, string>(StringComparer.Ordinal);
        positional = [];
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                kv[arg[..eq]] = arg[(eq + 1)..];
            }
            else if (arg is "nosync" or "quiet" or "drop")
            {
                kv[arg] = "true";
            }
            else
            {
                positional.Add(arg);
            }
        }

        return kv;
    }

    private static long Id(string text) => long.Parse(text, CultureInfo.InvariantCulture);

    private static int Int(Dictionary<string, string> kv, string key, int fallback) =>
        kv.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private List<long> Ids(IReadOnlyList<string> positional) =>
        positional.Count == 0 ? [.. _nodes.Keys] : [.. positional.Select(Id)];

    private void Line(string text) => _out.Append(text).Append('\n');

    private void AddNodes(int count, Dictionary<string, string> kv)
    {
        var observers = kv.TryGetValue("observers", out var o) ? o.Split(',').Select(Id).ToHashSet() : [];
        _servers = [];
        for (var id = 1L; id <= count; id++)
        {
            _servers.Add(new QuorumServer(id, observers.Contains(id) ? LearnerType.Observer : LearnerType.Participant));
        }

        _template = new QuorumPeerOptions
        {
            Servers = _servers,
            TickTimeMs = Int(kv, "tick", 100),
            InitLimit = Int(kv, "init", 10),
            SyncLimit = Int(kv, "sync", 5),
            FinalizeWaitMs = Int(kv, "finalize", 50),
            MinNotificationIntervalMs = Int(kv, "notify", 50),
            MaxNotificationIntervalMs = Int(kv, "notify-max", 400),
            MaxRetainedTxns = Int(kv, "retain", 1000),
            MaxLearnerQueueBytes = Int(kv, "queue", 1 << 20),
        };

        var start = kv.TryGetValue("start", out var s) ? s != "false" : true;
        foreach (var server in _servers)
        {
            var node = new Node(server.Id, this);
            _nodes[server.Id] = node;
            if (start)
            {
                node.Start();
            }
        }

        Line($"added {count} nodes" + (observers.Count > 0 ? $" (observers {string.Join(',', observers.Order())})" : string.Empty));
    }

    // set-state 1 accepted=1 current=1 log=1.1,1.2 [snapshot=1.1]: the node's disk holds this; it restarts.
    private void SetState(long id, Dictionary<string, string> kv)
    {
        var node = _nodes[id];
        node.Crash(silent: true);
        node.Disk.AcceptedEpoch = Int(kv, "accepted", 0);
        node.Disk.CurrentEpoch = Int(kv, "current", 0);
        node.Disk.Log.Clear();
        node.Disk.SnapshotZxid = 0;
        node.Disk.Snapshot = [];
        var logged = kv.TryGetValue("log", out var l) && l.Length > 0 ? l.Split(',').Select(ZxidText.Parse).ToList() : [];
        if (kv.TryGetValue("snapshot", out var snap))
        {
            // The snapshot holds every logged txn up to its zxid; the log keeps what follows.
            node.Disk.SnapshotZxid = ZxidText.Parse(snap);
            node.Disk.Snapshot = logged.Where(z => z <= node.Disk.SnapshotZxid).Select(z => new TxnEntry(z, Data(z))).ToList();
            logged = logged.Where(z => z > node.Disk.SnapshotZxid).ToList();
        }

        foreach (var zxid in logged)
        {
            node.Disk.Log.Add(new TxnEntry(zxid, Data(zxid)));
        }

        node.Start();
        Line($"{id}: accepted={node.Disk.AcceptedEpoch} current={node.Disk.CurrentEpoch} snapshot={ZxidText.Format(node.Disk.SnapshotZxid)} log={Zxids(node.Disk.Log)}");
    }

    private static ReadOnlyMemory<byte> Data(long zxid) => Encoding.UTF8.GetBytes("t" + ZxidText.Format(zxid));

    private static string Zxids(IEnumerable<TxnEntry> entries)
    {
        var list = entries.Select(e => ZxidText.Format(e.Zxid)).ToList();
        return list.Count == 0 ? "[]" : "[" + string.Join(' ', list) + "]";
    }

    private static string Text(ReadOnlyMemory<byte> data) => Encoding.UTF8.GetString(data.Span);

    public void ProcessReady(long id, bool sync)
    {
        var node = _nodes[id];
        if (node.Peer is null)
        {
            return;
        }

        while (node.Peer.HasReady)
        {
            var ready = node.Peer.GetReady();
            Line($"> {id} ready {ready.Sequence}");
            if (ready.Status is { } status)
            {
                var reason = node.Peer.LastTransitionReason;
                Line($"  status: {status}" + (reason == node.LastReason ? string.Empty : $" ({reason})"));
                node.LastReason = reason;
            }

            foreach (var op in ready.Persist)
            {
                Line($"  persist: {op}");
                node.Pending.Add(op);
                if (op.Kind == PersistKind.InstallSnapshot)
                {
                    node.InstallSnapshot(op.Zxid, op.Data);
                }
            }

            foreach (var message in ready.Messages)
            {
                Line($"  send {id}->{message.To} {message.Message}");
                _network.Add((id, message.To, message.Message));
            }

            foreach (var entry in ready.Committed)
            {
                Line($"  apply {ZxidText.Format(entry.Zxid)} {Text(entry.Data)}");
                node.Apply(entry);
            }

            foreach (var result in ready.SyncResults)
            {
                Line($"  sync-result id={result.RequestId} zxid={ZxidText.Format(result.Zxid)}");
            }

            foreach (var received in ready.Received)
            {
                Line($"  received {received.Kind} from {received.From}: {Text(received.Payload)}");
            }

            // Readys go back to their peer as a server's do (Replica), so every scenario runs
            // with reused Readys.
            if (ready.MustAdvance)
            {
                node.Unadvanced.Enqueue(ready);
            }
            else
            {
                node.Peer.Recycle(ready);
            }

            if (sync)
            {
                Persist(id, quiet: true);
            }
        }
    }

    private void Persist(long id, bool quiet = false)
    {
        var node = _nodes[id];
        if (node.Peer is null)
        {
            return;
        }

        node.SyncDisk();
        while (node.Unadvanced.TryDequeue(out var ready))
        {
            node.Peer.Advance(ready);
            node.Peer.Recycle(ready);
        }

        if (!quiet)
        {
            Line($"{id}: durable through {ZxidText.Format(node.Peer.DurableZxid)}");
        }
    }

    private void Deliver(Dictionary<string, string> kv)
    {
        long? from = kv.TryGetValue("from", out var f) ? Id(f) : null;
        long? to = kv.TryGetValue("to", out var t) ? Id(t) : null;
        var type = kv.GetValueOrDefault("type");
        var drop = kv.ContainsKey("drop");
        var batch = new List<(long From, long To, PeerMessage Message)>();
        for (var i = 0; i < _network.Count; i++)
        {
            var m = _network[i];
            if ((from is null || m.From == from) && (to is null || m.To == to)
                && (type is null || m.Message.Type.ToString().Equals(type, StringComparison.OrdinalIgnoreCase)))
            {
                batch.Add(m);
                _network.RemoveAt(i--);
            }
        }

        foreach (var (f2, t2, message) in batch)
        {
            DeliverOne(f2, t2, message, drop, verbose: true);
        }
    }

    private bool DeliverOne(long from, long to, PeerMessage message, bool drop, bool verbose)
    {
        var target = _nodes.GetValueOrDefault(to);
        if (drop || target?.Peer is null || _blocked.Contains((from, to)))
        {
            Line($"  dropped {from}->{to} {message}");
            return false;
        }

        if (verbose)
        {
            Line($"  deliver {from}->{to} {message}");
        }

        // Through the codec, so every script also exercises the wire format.
        var decoded = PeerMessageCodec.Decode(PeerMessageCodec.Encode(message));
        target.Peer.Step(from, decoded);
        return true;
    }

    private void Tick(long ms, List<long> ids)
    {
        NowMs += ms;
        foreach (var id in ids)
        {
            _nodes[id].Peer?.Tick(NowMs);
        }

        Line($"t={NowMs}");
    }

    private void Stabilize(List<long> ids, bool verbose)
    {
        var saved = _out;
        if (!verbose)
        {
            _out = new StringBuilder();
        }

        for (var round = 0; round < 1000; round++)
        {
            var any = false;
            foreach (var id in ids)
            {
                if (_nodes[id].Peer is { HasReady: true })
                {
                    ProcessReady(id, sync: true);
                    any = true;
                }
            }

            var batch = _network.Where(m => ids.Contains(m.To) || ids.Contains(m.From)).ToList();
            foreach (var m in batch)
            {
                _network.Remove(m);
            }

            foreach (var (from, to, message) in batch)
            {
                DeliverOne(from, to, message, drop: false, verbose: false);
                any = true;
            }

            if (!any)
            {
                break;
            }
        }

        if (!verbose)
        {
            _out = saved;
        }
    }

    private void Elect(Dictionary<string, string> kv)
    {
        var step = Int(kv, "step", 10);
        var ids = _nodes.Keys.ToList();
        for (var i = 0; i < 200; i++)
        {
            Stabilize(ids, verbose: false);
            if (_nodes.Values.Where(n => n.Peer is not null).All(n => n.Peer!.Phase == ZabPhase.Broadcast))
            {
                break;
            }

            NowMs += step;
            foreach (var node in _nodes.Values)
            {
                node.Peer?.Tick(NowMs);
            }
        }

        foreach (var id in ids)
        {
            Status(id);
        }
    }

    private void Partition(List<string> groups)
    {
        var sets = string.Join(' ', groups).Split('|').Select(g => g.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Id).ToList()).ToList();
        _blocked.Clear();
        foreach (var a in sets)
        {
            foreach (var b in sets)
            {
                if (!ReferenceEquals(a, b))
                {
                    foreach (var x in a)
                    {
                        foreach (var y in b)
                        {
                            _blocked.Add((x, y));
                        }
                    }
                }
            }
        }

        Line("partitioned " + string.Join(" | ", sets.Select(s => string.Join(',', s))));
    }

    private void Crash(long id)
    {
        _nodes[id].Crash(silent: false);
        _network.RemoveAll(m => m.From == id || m.To == id);
    }

    private void Restart(long id)
    {
        _nodes[id].Start();
        Line($"{id}: restarted at accepted={_nodes[id].Disk.AcceptedEpoch} current={_nodes[id].Disk.CurrentEpoch} log={Zxids(_nodes[id].Disk.Log)}");
    }

    private void Disconnect(long a, long b)
    {
        _network.RemoveAll(m => (m.From == a && m.To == b) || (m.From == b && m.To == a));
        _nodes[a].Peer?.Disconnected(b);
        _nodes[b].Peer?.Disconnected(a);
        Line($"disconnected {a} and {b}");
    }

    private void Propose(long id, List<string> values)
    {
        var peer = _nodes[id].Peer!;
        foreach (var value in values)
        {
            var zxid = peer.NextZxid;
            peer.Propose(zxid, Encoding.UTF8.GetBytes(value));
            Line($"{id}: proposed {ZxidText.Format(zxid)} {value}");
        }
    }

    private void Status(long id)
    {
        var node = _nodes[id];
        if (node.Peer is not { } p)
        {
            Line($"{id}: down");
            return;
        }

        Line($"{id}: {p.State} {p.Phase} leader={p.LeaderId} epoch={p.Epoch} accepted={p.AcceptedEpoch} current={p.CurrentEpoch} last={ZxidText.Format(p.LastLoggedZxid)} committed={ZxidText.Format(p.CommittedZxid)} applied={ZxidText.Format(p.AppliedZxid)}");
    }

    private void LogOf(long id)
    {
        var node = _nodes[id];
        Line($"{id}: disk snapshot={ZxidText.Format(node.Disk.SnapshotZxid)} log={Zxids(node.Disk.Log)} applied={Zxids(node.Applied)}");
    }

    /// <summary>One server: its disk, its peer (null while down) and its application.</summary>
    internal sealed class Node(long id, InteractionEnv env) : IQuorumApplication
    {
        public long Id { get; } = id;

        public NodeDisk Disk { get; } = new();

        public QuorumPeer? Peer { get; private set; }

        public List<PersistOperation> Pending { get; } = [];

        public string LastReason { get; set; } = string.Empty;

        public Queue<Ready> Unadvanced { get; } = new();

        // The application's state: the txns applied, in order (a snapshot copies them).
        public List<TxnEntry> Applied { get; } = [];

        public void Start()
        {
            LastReason = string.Empty;
            Pending.Clear();
            Unadvanced.Clear();
            Applied.Clear();
            Applied.AddRange(Disk.Snapshot);
            var options = new QuorumPeerOptions
            {
                MyId = Id,
                Servers = env._template.Servers,
                TickTimeMs = env._template.TickTimeMs,
                InitLimit = env._template.InitLimit,
                SyncLimit = env._template.SyncLimit,
                FinalizeWaitMs = env._template.FinalizeWaitMs,
                MinNotificationIntervalMs = env._template.MinNotificationIntervalMs,
                MaxNotificationIntervalMs = env._template.MaxNotificationIntervalMs,
                MaxRetainedTxns = env._template.MaxRetainedTxns,
                MaxLearnerQueueBytes = env._template.MaxLearnerQueueBytes,
            };
            Peer = new QuorumPeer(
                options,
                new PersistentState(Disk.AcceptedEpoch, Disk.CurrentEpoch, Disk.SnapshotZxid, [.. Disk.Log], Disk.SnapshotZxid),
                this,
                env.NowMs);
        }

        public void Crash(bool silent)
        {
            // Unsynced operations are lost.
            Pending.Clear();
            Unadvanced.Clear();
            Peer = null;
            if (!silent)
            {
                env.Line($"{Id}: crashed");
            }
        }

        // Pending holds the operations of the unadvanced Readys, in order; the oldest one's come first.
        public void SyncThrough(Ready oldest) => SyncPrefix(Math.Min(Pending.Count, oldest.Persist.Count));

        public void SyncPrefix(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Disk.Apply(Pending[i]);
            }

            Pending.RemoveRange(0, count);
        }

        public void SyncDisk()
        {
            foreach (var op in Pending)
            {
                Disk.Apply(op);
            }

            Pending.Clear();
        }

        public void Apply(TxnEntry entry) => Applied.Add(entry);

        public void InstallSnapshot(long zxid, ReadOnlyMemory<byte> data)
        {
            Applied.Clear();
            Applied.AddRange(DecodeSnapshot(data));
            if ((Applied.Count == 0 ? 0 : Applied[^1].Zxid) != zxid && Applied.Count > 0)
            {
                throw new InvalidOperationException("snapshot content does not end at its zxid");
            }
        }

        public QuorumSnapshot TakeSnapshot()
        {
            var text = string.Join(';', Applied.Select(e => ZxidText.Format(e.Zxid) + "=" + Text(e.Data)));
            return new QuorumSnapshot(Applied.Count == 0 ? 0 : Applied[^1].Zxid, Encoding.UTF8.GetBytes(text));
        }

        public ReadOnlyMemory<byte> TakePingPayload() => default;

        private static List<TxnEntry> DecodeSnapshot(ReadOnlyMemory<byte> data)
        {
            var text = Encoding.UTF8.GetString(data.Span);
            if (text.Length == 0)
            {
                return [];
            }

            return text.Split(';').Select(part =>
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                return new TxnEntry(ZxidText.Parse(part[..eq]), Encoding.UTF8.GetBytes(part[(eq + 1)..]));
            }).ToList();
        }

        internal sealed class NodeDisk
        {
            public int AcceptedEpoch { get; set; }

            public int CurrentEpoch { get; set; }

            public long SnapshotZxid { get; set; }

            public List<TxnEntry> Snapshot { get; set; } = [];

            public List<TxnEntry> Log { get; } = [];

            public void Apply(PersistOperation op)
            {
                switch (op.Kind)
                {
                    case PersistKind.AcceptedEpoch:
                        AcceptedEpoch = op.Epoch;
                        break;
                    case PersistKind.CurrentEpoch:
                        CurrentEpoch = op.Epoch;
                        break;
                    case PersistKind.Truncate:
                        Log.RemoveAll(e => e.Zxid > op.Zxid);
                        break;
                    case PersistKind.InstallSnapshot:
                        SnapshotZxid = op.Zxid;
                        Snapshot = DecodeSnapshot(op.Data);
                        Log.Clear();
                        break;
                    default:
                        Log.Add(new TxnEntry(op.Zxid, op.Data));
                        break;
                }
            }
        }
    }
}
