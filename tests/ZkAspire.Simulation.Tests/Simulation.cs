// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Consensus;
using ZkAspire.Server.Core;

namespace ZkAspire.Simulation.Tests;

/// <summary>
/// A deterministic simulation of an ensemble (TigerBeetle's VOPR, in spirit): 3–5 full replicas
/// (Server.Core over Consensus) and several clients in one thread, a seeded network, disks and
/// clock. Everything random comes from one <see cref="System.Random"/> made from the seed, so a
/// seed replays a run exactly. Faults are injected for a while, then healed; the checkers run
/// after every event, and the final checks after the ensemble has had time to recover.
/// </summary>
internal sealed class Simulation
{
    private readonly Dictionary<long, SimConnection> _connections = [];
    private readonly Queue<string> _trace = new();
    private long _nextConnectionId = 1;
    private int _nextValue;
    private long _faultsEndMs;

    public Simulation(SimulationOptions options)
    {
        Options = options;
        Random = new Random(options.Seed);
        Events = new EventQueue();
        Network = new SimNetwork(this);
        Checker = new Checker(this);
        var servers = new List<SimServer>();
        for (var id = 1; id <= options.Servers + options.Observers; id++)
        {
            servers.Add(new SimServer(this, id, id > options.Servers ? LearnerType.Observer : LearnerType.Participant));
        }

        Servers = servers;
        Clients = [.. Enumerable.Range(0, options.Clients).Select(i => new SimClient(this, i))];
    }

    public SimulationOptions Options { get; }

    public Random Random { get; }

    public EventQueue Events { get; }

    public SimNetwork Network { get; }

    public Checker Checker { get; }

    public History History { get; } = new();

    public IReadOnlyList<SimServer> Servers { get; }

    public IReadOnlyList<SimClient> Clients { get; }

    public long NowMs => Events.NowMs;

    public long EventsRun { get; private set; }

    public int Crashes { get; private set; }

    public SimServer Server(long id) => Servers[(int)id - 1];

    public int NextValue() => ++_nextValue;

    public ReplicaOptions ReplicaOptions(long id) => new()
    {
        TickTimeMs = Options.TickTimeMs,
        ServerId = id,

        // ZooKeeper's SessionTrackerImpl.initializeNextSession: the clock, and the server id in
        // the top byte, so that servers and incarnations never hand out the same id.
        SessionIdSeed = ((NowMs << 24) >>> 8) | (id << 56) | 1,
        SessionSecret = [7, 7, 7, 7],
        EnsembleConfig = string.Join('\n', Servers.Select(s => $"server.{s.Id}=sim{s.Id}:2888:3888:{(s.Type == LearnerType.Observer ? "observer" : "participant")}")) + "\nversion=0",
    };

    public QuorumPeerOptions QuorumOptions(long id) => new()
    {
        MyId = id,
        Servers = [.. Servers.Select(s => new QuorumServer(s.Id, s.Type))],
        TickTimeMs = Options.TickTimeMs,
        InitLimit = 10,
        SyncLimit = 5,
        MaxRetainedTxns = Options.MaxRetainedTxns,
        MaxLearnerQueueBytes = 256 * 1024,
    };

    /// <summary>Starts the servers only, for scripted scenarios (no random clients, no faults).</summary>
    public void StartServers()
    {
        foreach (var server in Servers)
        {
            server.Start();
        }
    }

    /// <summary>Runs events until <paramref name="condition"/> holds or <paramref name="maxMs"/> pass; the checkers run after each.</summary>
    /// <returns>Whether the condition held.</returns>
    public bool RunUntil(Func<bool> condition, long maxMs = 10_000)
    {
        var end = NowMs + maxMs;
        while (!condition())
        {
            if (!Events.RunNext(end))
            {
                return condition();
            }

            EventsRun++;
            Checker.AfterStep();
        }

        return true;
    }

    /// <summary>Runs every event of the next <paramref name="ms"/> milliseconds.</summary>
    public void RunFor(long ms) => RunUntil(() => false, ms);

    /// <summary>Runs the whole simulation; a failed invariant throws with the seed to replay it.</summary>
    public void Run()
    {
        try
        {
            foreach (var server in Servers)
            {
                server.Start();
            }

            foreach (var client in Clients)
            {
                client.Start();
            }

            _faultsEndMs = Options.Faults ? Options.FaultyMs : 0;
            if (Options.Faults)
            {
                Events.After(50, null, Chaos);
            }

            var end = _faultsEndMs + Options.CalmMs;
            Events.At(_faultsEndMs, null, HealEverything);
            Events.At(end - 2_500, null, () =>
            {
                foreach (var client in Clients)
                {
                    client.Active = false;
                }
            });

            while (Events.RunNext(end))
            {
                EventsRun++;
                Checker.AfterStep();
            }

            Checker.Final();
        }
        catch (Exception ex) when (ex is SimulationException or InvalidOperationException)
        {
            throw new SimulationException(
                $"ZKASPIRE_SEED={Options.Seed} failed at t={NowMs}ms after {EventsRun} events: {ex.Message}\n" +
                $"replay: ZKASPIRE_SEED={Options.Seed} dotnet test --project tests/ZkAspire.Simulation.Tests\n" +
                "last events:\n  " + string.Join("\n  ", _trace) + "\n" + ex.StackTrace);
        }
    }

    public void Trace(string what)
    {
        _trace.Enqueue($"t={NowMs} {what}");
        if (_trace.Count > 60)
        {
            _trace.Dequeue();
        }
    }

    public SimConnection OpenConnection(IClientEndpoint client, SimServer server)
    {
        var connection = new SimConnection(_nextConnectionId++, client, server, server.Incarnation);
        _connections.Add(connection.Id, connection);
        if (!server.IsUp)
        {
            // Connection refused.
            connection.Open = false;
            Events.After(1, null, () => client.OnFrame(connection, new ServerFrame(null, default, null, "connection refused")));
            return connection;
        }

        var address = client is SimClient simClient ? "10.0.0." + simClient.Id : "10.0.1.1";
        ToServer(connection, replica => replica.ConnectionOpened(connection.Id, address, NowMs));
        return connection;
    }

    /// <summary>Sends from a client to its server, in order on the connection (TCP).</summary>
    public void ToServer(SimConnection connection, Action<Replica> action)
    {
        var at = Math.Max(connection.LastToServerMs, NowMs + Random.Next(0, 3));
        connection.LastToServerMs = at;
        Events.At(at, connection.Server, () =>
        {
            if (connection.Open)
            {
                connection.Server.Do(connection.Incarnation, action);
            }
        });
    }

    /// <summary>A server's output for a client, in order on the connection.</summary>
    public void ToClient(long connectionId, ServerFrame frame)
    {
        var connection = _connections[connectionId];
        if (frame.CloseReason is not null)
        {
            connection.Open = false;
        }

        var at = Math.Max(connection.LastToClientMs, NowMs + Random.Next(0, 3));
        connection.LastToClientMs = at;
        Events.At(at, null, () => connection.Client.OnFrame(connection, frame));
    }

    public void CloseFromClient(SimConnection connection)
    {
        if (!connection.Open)
        {
            return;
        }

        connection.Open = false;
        var server = connection.Server;
        var incarnation = connection.Incarnation;
        Events.After(Random.Next(0, 3), server, () => server.Do(incarnation, replica => replica.ConnectionClosed(connection.Id, NowMs)));
    }

    /// <summary>A server process died: its connections break (both ends notice), its links reset.</summary>
    public void ServerDown(SimServer server)
    {
        foreach (var connection in _connections.Values.Where(c => c.Server == server && c.Open).ToList())
        {
            connection.Open = false;
            Events.After(Random.Next(1, 5), null, () => connection.Client.OnFrame(connection, new ServerFrame(null, default, null, "connection reset")));
        }

        foreach (var other in Servers)
        {
            if (other != server)
            {
                Network.Reset(server.Id, other.Id);
            }
        }
    }

    // One roll of the dice every 50 ms while faults last; rates are per second.
    private void Chaos()
    {
        if (NowMs >= _faultsEndMs)
        {
            return;
        }

        var o = Options;
        const double Slice = 0.05;
        if (Random.NextDouble() < o.CrashesPerSecond * Slice)
        {
            Crash(Servers[Random.Next(Servers.Count)]);
            if (Random.NextDouble() < o.CorrelatedCrashProbability)
            {
                Crash(Servers[Random.Next(Servers.Count)]);
            }
        }

        if (Random.NextDouble() < o.PausesPerSecond * Slice)
        {
            var victim = Servers[Random.Next(Servers.Count)];
            if (victim.IsUp && !victim.Paused)
            {
                Trace($"pause {victim.Id}");
                victim.Paused = true;
                Events.After(Random.Next(100, 2500), null, () =>
                {
                    Trace($"resume {victim.Id}");
                    victim.Resume();
                });
            }
        }

        if (Random.NextDouble() < o.PartitionsPerSecond * Slice)
        {
            Partition();
        }

        if (Random.NextDouble() < o.LinkResetsPerSecond * Slice)
        {
            var a = Servers[Random.Next(Servers.Count)].Id;
            var b = Servers[Random.Next(Servers.Count)].Id;
            if (a != b)
            {
                Trace($"reset link {a}-{b}");
                Network.Reset(a, b);
            }
        }

        if (Random.NextDouble() < o.ClientResetsPerSecond * Slice)
        {
            var client = Clients[Random.Next(Clients.Count)];
            client.Disconnect("connection reset by the network");
        }

        Events.After(50, null, Chaos);
    }

    private void Crash(SimServer victim)
    {
        if (!victim.IsUp)
        {
            return;
        }

        Trace($"crash {victim.Id}");
        Crashes++;
        victim.Crash();
        Events.After(Random.Next(100, 3000), null, () =>
        {
            if (!victim.IsUp)
            {
                Trace($"restart {victim.Id}");
                victim.Start();
            }
        });
    }

    private void Partition()
    {
        var ids = Servers.Select(s => s.Id).ToList();
        string what;
        if (Random.Next(3) == 0)
        {
            // One link, one way (asymmetric).
            var a = ids[Random.Next(ids.Count)];
            var b = ids[Random.Next(ids.Count)];
            if (a == b)
            {
                return;
            }

            Network.Block(a, b);
            what = $"{a}->{b} cut";
        }
        else
        {
            // Two sides, symmetric or not.
            var side = ids.Where(_ => Random.Next(2) == 0).ToHashSet();
            var oneWay = Random.Next(4) == 0;
            foreach (var a in ids)
            {
                foreach (var b in ids)
                {
                    if (side.Contains(a) && !side.Contains(b))
                    {
                        Network.Block(a, b);
                        if (!oneWay)
                        {
                            Network.Block(b, a);
                        }
                    }
                }
            }

            what = $"partition {{{string.Join(',', side)}}} | rest{(oneWay ? " (one way)" : string.Empty)}";
        }

        Trace(what);
        Events.After(Random.Next(200, 3000), null, () =>
        {
            Trace("heal");
            Network.HealAll();
        });
    }

    private void HealEverything()
    {
        Trace("calm: heal everything");
        Network.HealAll();
        foreach (var server in Servers)
        {
            if (server.Paused)
            {
                server.Resume();
            }

            if (!server.IsUp)
            {
                server.Start();
            }
        }
    }
}
