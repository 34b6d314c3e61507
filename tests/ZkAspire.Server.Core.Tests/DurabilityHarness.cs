// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// A replica on a <see cref="SimulatedDisk"/> driven by a seeded random workload: clients come
/// and go, send pipelined writes and reads of every kind, the disk syncs some or all of what is
/// queued, fuzzy snapshots are written a few records at a time between requests, time passes and
/// sessions expire. It records which txns clients saw acknowledged.
/// </summary>
internal sealed class DurabilityHarness
{
    private static readonly string[] Names = ["a", "b", "c", "d"];
    private static readonly IReadOnlyList<ACL> ReadOnlyAcl = [new ACL(Perms.Read | Perms.Admin, Id.AnyoneIdUnsafe)];

    private readonly Random _random;
    private readonly Dictionary<long, SimClient> _clients = [];
    private readonly List<SimClient> _live = [];
    private long _nextConnectionId = 1;
    private int _cursor;
    private ReplicaSnapshot? _snapshot;
    private JuteWriter? _snapshotBuffer;

    public DurabilityHarness(int seed, SimulatedDisk disk, ReplicaOptions options, ReplicaRecovery? recovery, long nowMs)
    {
        _random = new Random(seed);
        Disk = disk;
        Options = options;
        NowMs = nowMs;
        Output = new RecordingOutput();
        Persistence = new SimulatedTxnPersistence(disk);
        Replica = recovery is null
            ? new Replica(options, Output, Persistence)
            : recovery.CreateReplica(Output, Persistence, nowMs);
        Persistence.Replica = Replica;
    }

    public static ReplicaOptions NewOptions(long sessionIdSeed) => new()
    {
        TickTimeMs = 1000,
        ExtendedTypesEnabled = true,
        ContainerCheckIntervalMs = 3000,
        SessionIdSeed = sessionIdSeed,
        SessionSecret = [1, 2, 3, 4],
    };

    public SimulatedDisk Disk { get; }

    public ReplicaOptions Options { get; }

    public RecordingOutput Output { get; }

    public SimulatedTxnPersistence Persistence { get; }

    public Replica Replica { get; }

    public long NowMs { get; private set; }

    /// <summary>Gets the zxids of the txns whose outcome some client saw (a reply to a write, a ConnectResponse).</summary>
    public List<long> Acknowledged { get; } = [];

    /// <summary>Gets the number of writes answered NotReadOnly because the disk was full.</summary>
    public int FailedWrites { get; private set; }

    /// <summary>Gets the number of snapshots completed by this incarnation.</summary>
    public int SnapshotsTaken { get; private set; }

    /// <summary>Gets or sets the chance per step that the disk turns full, or has room again.</summary>
    public double DiskFullToggleProbability { get; set; }

    public void Run(int steps, double syncProbability = 0.25)
    {
        for (var i = 0; i < steps; i++)
        {
            Step(syncProbability);
        }
    }

    public void Step(double syncProbability)
    {
        if (_random.NextDouble() < DiskFullToggleProbability)
        {
            Persistence.Full = !Persistence.Full;
        }

        var roll = _random.NextDouble();
        if (roll < syncProbability)
        {
            // Group commit: everything queued, or only part of it (a slow disk).
            Persistence.Sync(NowMs, _random.Next(3) == 0 ? _random.Next(1, 4) : int.MaxValue);
        }
        else if (roll < syncProbability + 0.1)
        {
            SnapshotStep();
        }
        else if (roll < syncProbability + 0.15 || _live.Count == 0)
        {
            Connect();
        }
        else if (roll < syncProbability + 0.17)
        {
            var client = Pick();
            client.Send(OpCode.CloseSession, null);
            _live.Remove(client);
        }
        else if (roll < syncProbability + 0.19)
        {
            // The client goes away without closing: its session expires later.
            var client = Pick();
            Replica.ConnectionClosed(client.ConnectionId, NowMs);
            _live.Remove(client);
        }
        else if (roll < syncProbability + 0.24)
        {
            NowMs += _random.Next(1, 2500);
            Replica.Tick(NowMs);
        }
        else if (roll < syncProbability + 0.32)
        {
            Pick().Send(OpCode.GetData, new GetDataRequest(RandomPath(), _random.Next(2) == 0));
        }
        else
        {
            SendWrite(Pick());
        }

        ReadOutput();
    }

    /// <summary>Syncs everything, repeatedly, until nothing is pending.</summary>
    public void Quiesce()
    {
        Persistence.Full = false;
        for (var i = 0; i < 100 && Persistence.Unsynced.Count > 0; i++)
        {
            Persistence.Sync(NowMs);
            ReadOutput();
        }

        Assert.Empty(Persistence.Unsynced);
    }

    /// <summary>Writes the snapshot in progress (if any) to its end.</summary>
    public void FinishSnapshot()
    {
        while (_snapshot is not null)
        {
            SnapshotStep();
        }
    }

    public void Crash() => Persistence.Crash(_random);

    private SimClient Pick() => _live[_random.Next(_live.Count)];

    private void Connect()
    {
        var client = new SimClient(this, _nextConnectionId++);
        _clients.Add(client.ConnectionId, client);
        Replica.ConnectionOpened(client.ConnectionId, "127.0.0.1", NowMs);
        Replica.ConnectRequestReceived(client.ConnectionId, new ConnectRequest(0, 0, _random.Next(2000, 6000), 0, new byte[16], false), NowMs);
        _live.Add(client);
    }

    private void SnapshotStep()
    {
        if (_snapshot is null)
        {
            _snapshot = Replica.BeginSnapshot();
            _snapshotBuffer = new JuteWriter();
        }

        if (_snapshot.WriteChunk(_snapshotBuffer!, _random.Next(1, 4)))
        {
            Disk.Snapshots.Add((_snapshot.StartZxid, _snapshotBuffer!.ToArray()));
            _snapshotBuffer!.Dispose();
            _snapshot = null;
            _snapshotBuffer = null;
            SnapshotsTaken++;
        }
    }

    private string RandomPath()
    {
        var first = Names[_random.Next(Names.Length)];
        if (_random.Next(3) == 0)
        {
            return "/" + first;
        }

        // Sometimes an existing child, so that sequential nodes get deleted and changed too.
        if (_random.Next(3) == 0 && Replica.Tree.GetNode("/" + first) is { ChildCount: > 0 } parent)
        {
            var children = parent.CopyChildren();
            Array.Sort(children, StringComparer.Ordinal);
            return "/" + first + "/" + children[_random.Next(children.Length)];
        }

        return "/" + first + "/" + Names[_random.Next(Names.Length)];
    }

    private byte[] RandomData() => _random.Next(8) == 0 ? [] : BitConverter.GetBytes(_random.Next());

    private MultiOp RandomMultiOp() => _random.Next(4) switch
    {
        0 => new MultiOp(OpCode.Create, new CreateRequest(RandomPath(), RandomData(), Acls.OpenAclUnsafe, _random.Next(4))),
        1 => new MultiOp(OpCode.SetData, new SetDataRequest(RandomPath(), RandomData(), -1)),
        2 => new MultiOp(OpCode.Delete, new DeleteRequest(RandomPath(), -1)),
        _ => new MultiOp(OpCode.Check, new CheckVersionRequest(RandomPath(), _random.Next(-1, 2))),
    };

    private void SendWrite(SimClient client)
    {
        switch (_random.Next(10))
        {
            case 0:
            case 1:
            case 2:
                client.Send(OpCode.Create, new CreateRequest(RandomPath(), RandomData(), Acls.OpenAclUnsafe, _random.Next(4)));
                break;
            case 3:
                client.Send(OpCode.Create2, new CreateRequest(RandomPath(), RandomData(), Acls.OpenAclUnsafe, (int)CreateMode.Container));
                break;
            case 4:
                client.Send(OpCode.CreateTTL, new CreateTTLRequest(RandomPath(), RandomData(), Acls.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl, _random.Next(1, 4000)));
                break;
            case 5:
                client.Send(OpCode.SetData, new SetDataRequest(RandomPath(), RandomData(), -1));
                break;
            case 6:
                client.Send(OpCode.Delete, new DeleteRequest(RandomPath(), -1));
                break;
            case 7:
                client.Send(OpCode.SetACL, new SetACLRequest(RandomPath(), _random.Next(4) == 0 ? ReadOnlyAcl : Acls.OpenAclUnsafe, -1));
                break;
            default:
                var ops = new List<MultiOp>();
                for (var i = _random.Next(1, 4); i > 0; i--)
                {
                    ops.Add(RandomMultiOp());
                }

                client.Send(OpCode.Multi, new MultiRequest(ops));
                break;
        }
    }

    private void ReadOutput()
    {
        var frames = Output.Frames;
        for (; _cursor < frames.Count; _cursor++)
        {
            var frame = frames[_cursor];
            if (!_clients.TryGetValue(frame.ConnectionId, out var client))
            {
                continue;
            }

            if (frame.IsClose)
            {
                _live.Remove(client);
                continue;
            }

            if (frame.ConnectResponse is { } response)
            {
                if (response.TimeOut > 0)
                {
                    client.SessionId = response.SessionId;
                    Acknowledged.Add(Replica.LastProcessedZxid);
                }

                continue;
            }

            if (frame.Header.Xid > 0 && client.Writes.Remove(frame.Header.Xid))
            {
                if (frame.Header.Err == (int)KeeperErrorCode.NotReadOnly)
                {
                    FailedWrites++;
                }
                else
                {
                    Acknowledged.Add(frame.Header.Zxid);
                }
            }
        }
    }

    private sealed class SimClient(DurabilityHarness harness, long connectionId)
    {
        private int _nextXid = 1;

        public long ConnectionId { get; } = connectionId;

        public long SessionId { get; set; }

        public HashSet<int> Writes { get; } = [];

        public void Send(OpCode opCode, IJuteRecord? body)
        {
            var xid = _nextXid++;
            if (opCode is not (OpCode.GetData or OpCode.Exists))
            {
                Writes.Add(xid);
            }

            harness.Replica.RequestReceived(ConnectionId, new ClientRequest(xid, (int)opCode, body, KeeperErrorCode.Ok), harness.NowMs);
        }
    }
}
