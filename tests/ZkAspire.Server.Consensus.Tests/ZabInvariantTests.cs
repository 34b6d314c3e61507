// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;

namespace ZkAspire.Server.Consensus.Tests;

/// <summary>
/// Random runs of three or five peers over a network that loses, duplicates and reorders every
/// message, disks that lose what was not confirmed durable, crashes, restarts and partitions,
/// checked after every step against the invariants of the Zab TLA+ specification
/// (<c>apache/zookeeper:zookeeper-specifications/protocol-spec/Zab.tla</c>):
/// <list type="bullet">
/// <item><b>Leadership</b>: at most one leader establishes each epoch.</item>
/// <item><b>PrefixConsistency</b>, <b>Agreement</b>, <b>TotalOrder</b>: every server delivers a
/// prefix of one sequence of txns.</item>
/// <item><b>Integrity</b>: a delivered txn was proposed, with the same content.</item>
/// <item><b>PrimaryIntegrity</b> (committed txns are never lost): a leader that establishes an
/// epoch has every txn any server delivered before.</item>
/// </list>
/// At the end the network heals and every server comes back: they must agree and make progress.
/// </summary>
public sealed class ZabInvariantTests
{
    public static TheoryData<int, int> Seeds()
    {
        // ZKASPIRE_ZAB_SEEDS=first-last runs other seeds (the default set runs in CI).
        var range = Environment.GetEnvironmentVariable("ZKASPIRE_ZAB_SEEDS")?.Split('-');
        var first = range is { Length: 2 } ? int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture) : 1;
        var last = range is { Length: 2 } ? int.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture) : 60;
        var data = new TheoryData<int, int>();
        for (var seed = first; seed <= last; seed++)
        {
            data.Add(seed, seed % 3 == 0 ? 5 : 3);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomRunKeepsZabInvariants(int seed, int servers)
    {
        var run = new Run(seed, servers);
        run.Go(steps: 3000);
    }

    private sealed class Run
    {
        private readonly Random _random;
        private readonly InteractionEnv _env = new();
        private readonly int _seed;
        private readonly Dictionary<int, long> _leaderOfEpoch = [];
        private readonly Dictionary<long, string> _proposed = [];
        private readonly HashSet<int> _established = [];
        private readonly List<TxnEntry> _delivered = [];
        private int _values;
        private int _step;

        public Run(int seed, int servers)
        {
            _seed = seed;
            _random = new Random(seed);
            _env.Execute("add-nodes", [servers.ToString(System.Globalization.CultureInfo.InvariantCulture), "tick=100", "init=10", "sync=5"]);
        }

        private IEnumerable<InteractionEnv.Node> Live => _env.Nodes.Values.Where(n => n.Peer is not null);

        public void Go(int steps)
        {
            for (_step = 0; _step < steps; _step++)
            {
                RandomAction();
                Check();
                if (_step % 100 == 0)
                {
                    _env.ResetOutput();
                }
            }

            Converge();
            TestContext.Current.SendDiagnosticMessage($"seed {_seed}: {_leaderOfEpoch.Count} epochs established, {_delivered.Count} txns delivered, {_proposed.Count} proposed");
        }

        private void RandomAction()
        {
            // Calm and stormy periods alternate: histories grow in the calm, and the storms
            // (loss, duplication, crashes, partitions) hit them at every stage of the protocol.
            var stormy = (_step / 300) % 2 == 1;
            var roll = _random.NextDouble();
            var network = _env.InFlight.Count;
            var live = Live.ToList();
            if (roll < 0.45)
            {
                if (network > 0)
                {
                    // Any message in flight, not the oldest: links reorder.
                    var index = stormy ? _random.Next(network) : _random.Next(Math.Min(network, 3));
                    _env.DeliverAt(index, duplicate: stormy && _random.NextDouble() < 0.05);
                }
            }
            else if (roll < 0.72)
            {
                if (live.Count > 0)
                {
                    _env.ProcessReady(live[_random.Next(live.Count)].Id, sync: _random.NextDouble() < 0.6);
                }
            }
            else if (roll < 0.80)
            {
                if (live.Count > 0)
                {
                    _env.PersistOldest(live[_random.Next(live.Count)].Id, _random.Next(1, 4));
                }
            }
            else if (roll < 0.86)
            {
                _env.TickAll(_random.Next(1, stormy ? 150 : 40));
            }
            else if (roll < 0.94)
            {
                foreach (var node in live.Where(n => n.Peer!.State == ServerState.Leading && n.Peer.Phase == ZabPhase.Broadcast))
                {
                    for (var i = _random.Next(1, 4); i > 0 && node.Peer!.NextZxid > 0; i--)
                    {
                        var value = $"v{_seed}-{++_values}";
                        var zxid = node.Peer.NextZxid;
                        node.Peer.Propose(zxid, Encoding.UTF8.GetBytes(value));
                        Assert.True(_proposed.TryAdd(zxid, value), $"seed {_seed}: zxid {ZxidText.Format(zxid)} proposed twice");
                    }
                }
            }
            else if (roll < 0.96)
            {
                foreach (var node in live.Where(n => n.Peer!.Phase == ZabPhase.Broadcast).Take(1))
                {
                    node.Peer!.Sync(_step);
                }
            }
            else if (!stormy)
            {
                // Calm: whoever is down comes back, links heal.
                var down = _env.Nodes.Values.Where(n => n.Peer is null).ToList();
                if (down.Count > 0 && _random.Next(4) == 0)
                {
                    _env.RestartNode(down[_random.Next(down.Count)].Id);
                }
                else if (_random.Next(8) == 0)
                {
                    _env.HealAll();
                }
            }
            else
            {
                var storm = _random.Next(6);
                if (storm == 0 && network > 0)
                {
                    _env.DropAt(_random.Next(network));
                }
                else if (storm == 1 && live.Count > 0 && _random.Next(3) == 0)
                {
                    _env.CrashRandomly(live[_random.Next(live.Count)].Id, _random);
                }
                else if (storm == 2)
                {
                    var down = _env.Nodes.Values.Where(n => n.Peer is null).ToList();
                    if (down.Count > 0)
                    {
                        _env.RestartNode(down[_random.Next(down.Count)].Id);
                    }
                }
                else if (storm == 3)
                {
                    var ids = _env.Nodes.Keys.ToList();
                    var a = ids[_random.Next(ids.Count)];
                    var b = ids[_random.Next(ids.Count)];
                    _env.Block(a, b);
                    if (_random.Next(2) == 0)
                    {
                        _env.Block(b, a);
                    }
                }
                else if (storm == 4)
                {
                    _env.HealAll();
                }
                else if (live.Count >= 2)
                {
                    var a = live[_random.Next(live.Count)].Id;
                    var b = live[_random.Next(live.Count)].Id;
                    if (a != b)
                    {
                        _env.Execute("disconnect", [a.ToString(System.Globalization.CultureInfo.InvariantCulture), b.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                    }
                }
            }
        }

        private void Check()
        {
            foreach (var node in Live)
            {
                var peer = node.Peer!;

                // Leadership: one leader per established epoch.
                if (peer.State == ServerState.Leading && peer.Phase >= ZabPhase.Synchronization)
                {
                    if (_leaderOfEpoch.TryGetValue(peer.Epoch, out var other))
                    {
                        Assert.True(other == node.Id, Fail($"epoch {peer.Epoch} established by {other} and {node.Id}"));
                    }
                    else
                    {
                        _leaderOfEpoch[peer.Epoch] = node.Id;
                    }
                }

                // PrefixConsistency, Agreement, TotalOrder, Integrity: the application's applied
                // sequence (restored from a snapshot after a restart or SNAP) is a prefix of one sequence.
                var applied = node.Applied;
                for (var i = 0; i < applied.Count; i++)
                {
                    var entry = applied[i];
                    if (i < _delivered.Count)
                    {
                        Assert.True(
                            _delivered[i].Zxid == entry.Zxid && _delivered[i].Data.Span.SequenceEqual(entry.Data.Span),
                            Fail($"server {node.Id} delivered {ZxidText.Format(entry.Zxid)} at position {i}, where {ZxidText.Format(_delivered[i].Zxid)} was delivered"));
                    }
                    else
                    {
                        var value = Encoding.UTF8.GetString(entry.Data.Span);
                        Assert.True(_proposed.TryGetValue(entry.Zxid, out var proposed) && proposed == value, Fail($"server {node.Id} delivered {ZxidText.Format(entry.Zxid)}={value}, which was not proposed"));
                        _delivered.Add(entry);
                    }
                }

                // PrimaryIntegrity: a leader establishing its epoch has everything delivered anywhere
                // before (a deposed leader may go on serving alone until syncLimit, which is fine:
                // it commits nothing more).
                if (peer.State == ServerState.Leading && peer.Phase == ZabPhase.Broadcast && _established.Add(peer.Epoch))
                {
                    var (start, history) = peer.CopyHistory();
                    var zxids = history.Select(e => e.Zxid).ToHashSet();
                    foreach (var entry in _delivered)
                    {
                        Assert.True(entry.Zxid <= start || zxids.Contains(entry.Zxid), Fail($"leader {node.Id} of epoch {peer.Epoch} lacks delivered txn {ZxidText.Format(entry.Zxid)}"));
                    }
                }
            }
        }

        // The network heals and every server returns: they must elect, agree and commit again.
        private void Converge()
        {
            _env.HealAll();
            foreach (var node in _env.Nodes.Values.Where(n => n.Peer is null).ToList())
            {
                _env.RestartNode(node.Id);
            }

            for (var i = 0; i < 2000 && !AllServing(); i++)
            {
                _env.Execute("stabilize", ["quiet"]);
                _env.TickAll(20);
                Check();
            }

            if (!AllServing())
            {
                _env.ResetOutput();
                var trace = _env.Execute("stabilize", []) + _env.Execute("tick", ["500"]) + _env.Execute("stabilize", []);
                Assert.Fail(Fail("the ensemble did not recover: " + string.Join("; ", _env.Nodes.Values.Select(n => $"{n.Id} {n.Peer!.Status} round={n.Peer.ElectionRound} vote={n.Peer.CurrentVote}"))) + "\n" + trace);
            }

            var leader = _env.Nodes.Values.Single(n => n.Peer!.State == ServerState.Leading).Peer!;
            var zxid = leader.NextZxid;
            _proposed[zxid] = "final";
            leader.Propose(zxid, Encoding.UTF8.GetBytes("final"));
            for (var i = 0; i < 50; i++)
            {
                _env.Execute("stabilize", ["quiet"]);
                _env.TickAll(20);
            }

            Check();
            foreach (var node in _env.Nodes.Values)
            {
                Assert.True(node.Applied.Count == _delivered.Count && node.Applied[^1].Zxid == zxid, Fail($"server {node.Id} applied {node.Applied.Count} txns, {_delivered.Count} were delivered"));
            }
        }

        // One leader, everyone serving in its epoch (a deposed leader may serve alone until syncLimit).
        private bool AllServing()
        {
            var peers = _env.Nodes.Values.Select(n => n.Peer).ToList();
            if (peers.Any(p => p is not { Phase: ZabPhase.Broadcast }) || peers.Count(p => p!.State == ServerState.Leading) != 1)
            {
                return false;
            }

            var leader = peers.Single(p => p!.State == ServerState.Leading)!;
            return peers.All(p => p!.LeaderId == leader.MyId && p.Epoch == leader.Epoch);
        }

        private string Fail(string what) => $"seed {_seed} step {_step}: {what}";
    }
}
