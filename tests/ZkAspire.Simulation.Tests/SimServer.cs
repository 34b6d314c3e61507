// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Consensus;
using ZkAspire.Server.Core;

namespace ZkAspire.Simulation.Tests;

/// <summary>
/// One server process: a <see cref="Replica"/> over a <see cref="SimDisk"/>, the peer network and
/// its client connections. It crashes (the disk loses unsynced writes), restarts through
/// <see cref="ReplicaRecovery"/>, and pauses (SIGSTOP: everything waits, nothing is lost).
/// </summary>
internal sealed class SimServer : IReplicaOutput, IPeerOutput, IReplicaPersistence
{
    private readonly Simulation _sim;
    private long _lastFlushDoneMs;
    private ReplicaSnapshot? _snapshot;
    private JuteWriter? _snapshotWriter;

    public SimServer(Simulation sim, long id, LearnerType type)
    {
        _sim = sim;
        Id = id;
        Type = type;
    }

    public long Id { get; }

    public LearnerType Type { get; }

    public SimDisk Disk { get; } = new();

    public Replica? Replica { get; private set; }

    /// <summary>Gets the number of times the process started; messages and connections belong to one incarnation.</summary>
    public int Incarnation { get; private set; }

    public bool Paused { get; set; }

    /// <summary>Gets or sets whether the host stopped ticking the replica (its timers starve, as in a long GC pause): messages are still handled.</summary>
    public bool TicksSuspended { get; set; }

    public List<Action> Parked { get; } = [];

    public bool IsUp => Replica is not null;

    public void Start()
    {
        Incarnation++;
        var options = _sim.ReplicaOptions(Id);
        var recovery = new ReplicaRecovery(options);
        if (Disk.Snapshot is { } snapshot)
        {
            recovery.LoadSnapshotChunk(snapshot);
            recovery.EndSnapshot();
        }

        var replica = recovery.CreateQuorumMember(
            _sim.QuorumOptions(Id),
            Disk.AcceptedEpoch,
            Disk.CurrentEpoch,
            Disk.Log,
            this,
            this,
            this,
            _sim.NowMs);
        Replica = replica;
        _sim.Checker.Started(this, recovery.SnapshotZxid);
        replica.Applied = entry => _sim.Checker.Applied(this, entry);
        replica.SnapshotLoaded = zxid =>
        {
            AbandonSnapshot();
            _sim.Checker.SnapshotLoaded(this, zxid);
        };
        ScheduleTick();
    }

    public void Crash()
    {
        Disk.Crash(_sim.Random);
        Replica = null;
        AbandonSnapshot();
        Paused = false;
        Parked.Clear();
        _sim.ServerDown(this);
    }

    public void Resume()
    {
        Paused = false;
        var parked = new List<Action>(Parked);
        Parked.Clear();
        foreach (var action in parked)
        {
            _sim.Events.Reinject(this, action);
        }
    }

    /// <summary>Runs an input on the current incarnation only.</summary>
    public void Do(int incarnation, Action<Replica> action)
    {
        if (Replica is { } replica && incarnation == Incarnation)
        {
            action(replica);
        }
    }

    private void ScheduleTick()
    {
        var incarnation = Incarnation;
        _sim.Events.After(10, this, () => Do(incarnation, replica =>
        {
            if (TicksSuspended)
            {
                ScheduleTick();
                return;
            }

            replica.Tick(_sim.NowMs);
            StepSnapshot(replica);
            ScheduleTick();
        }));
    }

    // The host writes fuzzy snapshots a few records at a time between inputs, as the runtime does.
    private void StepSnapshot(Replica replica)
    {
        if (_snapshot is null)
        {
            if (_sim.Random.NextDouble() < _sim.Options.SnapshotsPerSecond / 100)
            {
                _snapshot = replica.BeginSnapshot();
                _snapshotWriter = new JuteWriter();
            }

            return;
        }

        if (_snapshot.WriteChunk(_snapshotWriter!, _sim.Random.Next(1, 6)))
        {
            Disk.SaveSnapshot(_snapshot.StartZxid, _snapshotWriter!.ToArray());
            AbandonSnapshot();
        }
    }

    private void AbandonSnapshot()
    {
        _snapshotWriter?.Dispose();
        _snapshotWriter = null;
        _snapshot = null;
    }

    void IReplicaOutput.SendConnectResponse(long connectionId, ConnectResponse response) => _sim.ToClient(connectionId, new ServerFrame(response, default, null, null));

    void IReplicaOutput.Send(long connectionId, ReplyHeader header, IJuteRecord? body) => _sim.ToClient(connectionId, new ServerFrame(null, header, body, null));

    void IReplicaOutput.Close(long connectionId, string reason) => _sim.ToClient(connectionId, new ServerFrame(null, default, null, reason));

    void IPeerOutput.Send(long to, PeerMessage message) => _sim.Network.Send(Id, to, message);

    void ITxnPersistence.Append(TxnLogEntry entry) => Disk.Append(entry);

    void IReplicaPersistence.Truncate(long zxid) => Disk.Truncate(zxid);

    void IReplicaPersistence.InstallSnapshot(long zxid, ReadOnlyMemory<byte> snapshot) => Disk.InstallSnapshot(zxid, snapshot.ToArray());

    void IReplicaPersistence.SetAcceptedEpoch(int epoch) => Disk.SetAcceptedEpoch(epoch);

    void IReplicaPersistence.SetCurrentEpoch(int epoch) => Disk.SetCurrentEpoch(epoch);

    void IReplicaPersistence.Flush(long batch)
    {
        // The disk completes flushes in order, each after a random latency.
        var mark = Disk.HandedOver;
        var incarnation = Incarnation;
        // Mostly fast, sometimes a stall (a busy disk): crashes then lose more unsynced writes.
        var latency = _sim.Options.Faults && _sim.Random.NextDouble() < _sim.Options.DiskStallProbability
            ? _sim.Random.Next(20, 300)
            : _sim.Random.Next(0, _sim.Options.MaxDiskLatencyMs + 1);
        var doneMs = Math.Max(_lastFlushDoneMs, _sim.NowMs + latency);
        _lastFlushDoneMs = doneMs;
        _sim.Events.At(doneMs, this, () =>
        {
            if (incarnation != Incarnation || Replica is null)
            {
                return;
            }

            Disk.SyncThrough(mark);
            Replica.Flushed(batch, _sim.NowMs);
        });
    }
}
