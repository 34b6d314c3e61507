// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Consensus;

namespace ZkAspire.Simulation.Tests;

/// <summary>
/// The network between servers (TigerBeetle's packet simulator, in spirit). Links are TCP
/// connections: FIFO, with a random delay. Every message goes through the wire codec. Faults: a
/// message may still be lost silently, duplicated, or held back behind later ones (reordered) —
/// rarely, since TCP does none of that, but the protocol must stay safe if a transport bug does;
/// links can be cut one way or both (partitions) and reset (in-flight messages lost, both ends
/// told at once, as a closed TCP connection is noticed).
/// </summary>
internal sealed class SimNetwork(Simulation sim)
{
    private readonly HashSet<(long From, long To)> _blocked = [];
    private readonly Dictionary<(long, long), int> _generation = [];
    private readonly Dictionary<(long, long), long> _lastDelivery = [];

    public int Sent { get; private set; }

    /// <summary>Gets or sets a test's choice of messages to deliver twice, the copy held back by <see cref="HoldBackMs"/>.</summary>
    public Func<long, long, PeerMessage, bool>? DuplicateWhen { get; set; }

    /// <summary>Gets or sets how long a duplicate chosen by <see cref="DuplicateWhen"/> is held back.</summary>
    public long HoldBackMs { get; set; } = 300;

    public int Dropped { get; private set; }

    public IReadOnlyCollection<(long From, long To)> Blocked => _blocked;

    public void Send(long from, long to, PeerMessage message)
    {
        Sent++;
        var bytes = PeerMessageCodec.Encode(message);
        var options = sim.Options;
        if (_blocked.Contains((from, to)) || (options.Faults && sim.Random.NextDouble() < options.LossProbability))
        {
            Dropped++;
            return;
        }

        var forced = DuplicateWhen?.Invoke(from, to, message) == true;
        var copies = forced || (options.Faults && sim.Random.NextDouble() < options.DuplicateProbability) ? 2 : 1;
        var target = sim.Server(to);
        var incarnation = target.Incarnation;
        var sender = sim.Server(from);
        var senderIncarnation = sender.Incarnation;
        var generation = Generation(from, to);
        for (var i = 0; i < copies; i++)
        {
            long at;
            if (i > 0 || (options.Faults && sim.Random.NextDouble() < options.SlowMessageProbability))
            {
                // Held back: later messages on the link overtake it.
                at = sim.NowMs + (forced ? HoldBackMs : sim.Random.Next(20, 400));
            }
            else
            {
                at = Math.Max(_lastDelivery.GetValueOrDefault((from, to)), sim.NowMs + sim.Random.Next(0, options.MaxDelayMs + 1));
                _lastDelivery[(from, to)] = at;
            }

            sim.Events.At(at, target, () =>
            {
                // A message from or to an earlier incarnation (its connection was reset), or over
                // a link reset since, never arrives.
                if (target.Incarnation != incarnation || sender.Incarnation != senderIncarnation
                    || Generation(from, to) != generation || _blocked.Contains((from, to)))
                {
                    Dropped++;
                    return;
                }

                target.Do(incarnation, replica => replica.PeerMessageReceived(from, PeerMessageCodec.Decode(bytes), sim.NowMs));
            });
        }
    }

    public void Block(long from, long to) => _blocked.Add((from, to));

    public void HealAll() => _blocked.Clear();

    /// <summary>The connection between two servers breaks: what was in flight is lost, and both ends notice.</summary>
    public void Reset(long a, long b)
    {
        _generation[(a, b)] = Generation(a, b) + 1;
        _generation[(b, a)] = Generation(b, a) + 1;
        Notify(a, b);
        Notify(b, a);
    }

    private void Notify(long at, long peer)
    {
        var server = sim.Server(at);
        var incarnation = server.Incarnation;
        sim.Events.After(sim.Random.Next(0, 3), server, () => server.Do(incarnation, replica =>
        {
            replica.PeerDisconnected(peer, sim.NowMs);
        }));
    }

    private int Generation(long from, long to) => _generation.GetValueOrDefault((from, to));
}
