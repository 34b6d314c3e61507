// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;
using ZkAspire.Server.Storage;

namespace ZkAspire.Server.Storage.Tests;

/// <summary>
/// A replica wired to real storage the way the server runtime wires it: recovery at start, the
/// <see cref="FileTxnLog"/> as its persistence, completions fed back on the test thread (the
/// "event loop"), and a <see cref="SnapshotDriver"/> stepped between requests.
/// </summary>
internal sealed class DurableServer : IDisposable, IReplicaOutput
{
    private readonly RecordingListener _listener = new();
    private readonly Dictionary<long, Queue<(ReplyHeader Header, IJuteRecord? Body)>> _replies = [];
    private readonly Dictionary<long, ConnectResponse> _connects = [];
    private readonly HashSet<long> _closed = [];
    private long _nextConnectionId = 1;

    public DurableServer(StorageOptions options, IStorageFileSystem? fileSystem = null, long nowMs = 1_700_000_000_000, ReplicaOptions? replicaOptions = null)
    {
        Options = options;
        FileSystem = fileSystem ?? LocalFileSystem.Instance;
        NowMs = nowMs;
        ReplicaOptions = replicaOptions ?? new ReplicaOptions { TickTimeMs = 1000, SessionIdSeed = (nowMs << 8) & 0x00FF_FFFF_FFFF_FF00, SessionSecret = SessionSecretFile.LoadOrCreate(options, FileSystem) };
        Recovered = StorageRecovery.Recover(options, ReplicaOptions, FileSystem);
        Log = new FileTxnLog(options, _listener, FileSystem);
        Replica = Recovered.Recovery.CreateReplica(this, Log, nowMs);
        Snapshots = new SnapshotDriver(options, new Random(7), FileSystem);
    }

    public StorageOptions Options { get; }

    public ReplicaOptions ReplicaOptions { get; }

    public IStorageFileSystem FileSystem { get; }

    public RecoveredState Recovered { get; }

    public FileTxnLog Log { get; }

    public Replica Replica { get; }

    public SnapshotDriver Snapshots { get; }

    public long NowMs { get; set; }

    public List<string> Closes { get; } = [];

    /// <summary>Feeds the log's completions into the replica, as the host's loop does.</summary>
    public void Pump(TimeSpan wait = default)
    {
        while (_listener.Events.TryTake(out var e, wait))
        {
            if (e.Ok)
            {
                Replica.Persisted(e.Zxid, NowMs);
            }
            else
            {
                Replica.PersistFailed(e.Zxid, NowMs);
                Log.ResumeAfterFailure();
            }

            wait = TimeSpan.Zero;
        }
    }

    public long Connect(int timeoutMs = 10_000, long sessionId = 0, byte[]? password = null)
    {
        var id = _nextConnectionId++;
        Replica.ConnectionOpened(id, "127.0.0.1", NowMs);
        Replica.ConnectRequestReceived(id, new ConnectRequest(0, 0, timeoutMs, sessionId, password ?? new byte[16], false), NowMs);
        PumpUntil(() => _connects.ContainsKey(id) || _closed.Contains(id));
        return id;
    }

    public ConnectResponse ConnectResponseOf(long connectionId) => _connects[connectionId];

    public int Send(long connectionId, OpCode opCode, IJuteRecord? body, int xid)
    {
        Replica.RequestReceived(connectionId, new ClientRequest(xid, (int)opCode, body), NowMs);
        return xid;
    }

    public (ReplyHeader Header, IJuteRecord? Body) Call(long connectionId, OpCode opCode, IJuteRecord? body)
    {
        var xid = Random.Shared.Next(1, int.MaxValue);
        Send(connectionId, opCode, body, xid);
        return WaitReply(connectionId, xid);
    }

    public (ReplyHeader Header, IJuteRecord? Body) WaitReply(long connectionId, int xid)
    {
        (ReplyHeader, IJuteRecord?) found = default;
        PumpUntil(() =>
        {
            if (_replies.TryGetValue(connectionId, out var queue))
            {
                while (queue.TryDequeue(out var reply))
                {
                    if (reply.Header.Xid == xid)
                    {
                        found = reply;
                        return true;
                    }
                }
            }

            return false;
        });
        return found;
    }

    public void PumpUntil(Func<bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the server did not get there in 10 s");
            Pump(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>Steps the snapshot in progress to its end and waits for the file.</summary>
    public SnapshotFileInfo FinishSnapshot(Action? betweenSteps = null)
    {
        var step = SnapshotStepResult.MoreWork;
        while (step is SnapshotStepResult.MoreWork or SnapshotStepResult.WaitingForWriter)
        {
            step = Snapshots.Step();
            betweenSteps?.Invoke();
            Pump();
        }

        Assert.True(Snapshots.Completion!.Wait(TimeSpan.FromSeconds(10)));
        return Snapshots.Completion.Result;
    }

    /// <summary>Rolls the log and begins a snapshot, as the host does when one is due.</summary>
    public void BeginSnapshot()
    {
        Log.RollLog();
        Snapshots.Begin(Replica.BeginSnapshot());
    }

    public void Dispose()
    {
        Snapshots.Dispose();
        Log.Dispose();
    }

    void IReplicaOutput.SendConnectResponse(long connectionId, ConnectResponse response) => _connects[connectionId] = response;

    void IReplicaOutput.Send(long connectionId, ReplyHeader header, IJuteRecord? body)
    {
        if (!_replies.TryGetValue(connectionId, out var queue))
        {
            _replies[connectionId] = queue = new Queue<(ReplyHeader, IJuteRecord?)>();
        }

        queue.Enqueue((header, body));
    }

    void IReplicaOutput.Close(long connectionId, string reason)
    {
        _closed.Add(connectionId);
        Closes.Add(reason);
    }
}
