// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Tests.Infrastructure;

/// <summary>
/// A scripted core for transport tests: answers connects, pings, create, getData (with one-shot
/// watches), setData, addWatch (persistent), closeSession, and the unknown-opcode and
/// marshalling-error cases the way ZooKeeper does, through the real <see cref="IReplicaOutput"/>.
/// </summary>
internal sealed class FakeCore(IReplicaOutput output) : IServerCore
{
    private readonly Dictionary<long, long> _sessions = [];
    private readonly Dictionary<string, byte[]?> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<long>> _oneShot = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<long>> _persistent = new(StringComparer.Ordinal);
    private long _zxid;
    private long _nextSession = 0x0100_0000_0000_0000;

    public List<long> Opened { get; } = [];

    public List<long> Closed { get; } = [];

    public List<ConnectRequest> ConnectRequests { get; } = [];

    public int Ticks { get; private set; }

    public long LastProcessedZxid => _zxid;

    public void ConnectionOpened(long connectionId, string remoteAddress, long nowMs) => Opened.Add(connectionId);

    public void ConnectRequestReceived(long connectionId, ConnectRequest request, long nowMs)
    {
        ConnectRequests.Add(request);
        if (request.LastZxidSeen > _zxid)
        {
            output.Close(connectionId, "the client has seen a newer zxid");
            return;
        }

        var session = ++_nextSession;
        _sessions[connectionId] = session;
        output.SendConnectResponse(connectionId, new ConnectResponse(0, Math.Clamp(request.TimeOut, 4000, 40000), session, new byte[16], request.ReadOnly is null ? null : false));
    }

    public void RequestReceived(long connectionId, ClientRequest request, long nowMs)
    {
        if (request.DecodeError != KeeperErrorCode.Ok)
        {
            Reply(request.Xid, request.DecodeError, null);
            return;
        }

        switch (request.OpCode)
        {
            case OpCode.Ping:
                Reply(-2, KeeperErrorCode.Ok, null);
                break;
            case OpCode.Create when request.Body is CreateRequest create:
                _zxid++;
                _data[create.Path] = create.Data;
                Reply(request.Xid, KeeperErrorCode.Ok, new CreateResponse(create.Path));
                break;
            // The transport holds a getData's (path, watch) inline, without a record (ClientRequest.Read).
            case OpCode.GetData when request.Path is { } getPath:
                if (!_data.TryGetValue(getPath, out var data))
                {
                    Reply(request.Xid, KeeperErrorCode.NoNode, null);
                    break;
                }

                if (request.Watch)
                {
                    Watchers(_oneShot, getPath).Add(connectionId);
                }

                Reply(request.Xid, KeeperErrorCode.Ok, new GetDataResponse(data, default));
                break;
            case OpCode.SetData when request.Body is SetDataRequest set:
                _zxid++;
                _data[set.Path] = set.Data;
                var fired = new HashSet<long>(Watchers(_oneShot, set.Path));
                fired.UnionWith(Watchers(_persistent, set.Path));
                _oneShot.Remove(set.Path);
                foreach (var watcher in fired)
                {
                    output.Send(watcher, new ReplyHeader(-1, _zxid, 0), new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, set.Path));
                }

                Reply(request.Xid, KeeperErrorCode.Ok, new SetDataResponse(default));
                break;
            case OpCode.AddWatch when request.Body is AddWatchRequest add:
                Watchers(_persistent, add.Path).Add(connectionId);
                Reply(request.Xid, KeeperErrorCode.Ok, new ErrorResponse(0));
                break;
            case OpCode.CloseSession:
                _zxid++;
                _sessions.Remove(connectionId);
                Reply(request.Xid, KeeperErrorCode.Ok, null);
                output.Close(connectionId, "the session is closed");
                break;
            default:
                Reply(request.Xid, KeeperErrorCode.Unimplemented, null);
                output.Close(connectionId, "unknown opcode " + request.Type);
                break;
        }

        void Reply(int xid, KeeperErrorCode error, IJuteRecord? body) =>
            output.Send(connectionId, new ReplyHeader(xid, _zxid, (int)error), error == KeeperErrorCode.Ok ? body : null);
    }

    public void ConnectionClosed(long connectionId, long nowMs)
    {
        Closed.Add(connectionId);
        foreach (var watchers in _oneShot.Values.Concat(_persistent.Values))
        {
            watchers.Remove(connectionId);
        }
    }

    public void Tick(long nowMs) => Ticks++;

    // The fake runs in memory: nothing is persisted, and it takes no snapshots.
    public void Persisted(long zxid, long nowMs) => throw new InvalidOperationException("The fake core has no persistence.");

    public void PersistFailed(long fromZxid, long nowMs) => throw new InvalidOperationException("The fake core has no persistence.");

    public ReplicaSnapshot BeginSnapshot() => throw new InvalidOperationException("The fake core takes no snapshots.");

    public ReplicaStats GetStats() => new(
        ServerMode.Standalone, _zxid, 5 + _data.Count, _data.Sum(d => d.Key.Length + (d.Value?.Length ?? 0)), 0, _sessions.Count,
        _oneShot.Values.Sum(w => w.Count) + _persistent.Values.Sum(w => w.Count), _oneShot.Count, _oneShot.Values.SelectMany(w => w).Distinct().Count(), 0);

    public IReadOnlyList<SessionSnapshot> GetSessions() =>
        _sessions.Values.Select(s => new SessionSnapshot(s, 30000, 1_795_617_459_000, [])).ToList();

    public IReadOnlyList<WatchSnapshot> GetWatches() =>
        _oneShot.SelectMany(p => p.Value.Select(c => new WatchSnapshot(c, _sessions.GetValueOrDefault(c), p.Key, WatchKind.Data)))
            .Concat(_persistent.SelectMany(p => p.Value.Select(c => new WatchSnapshot(c, _sessions.GetValueOrDefault(c), p.Key, WatchKind.Persistent))))
            .ToList();

    private static HashSet<long> Watchers(Dictionary<string, HashSet<long>> table, string path)
    {
        if (!table.TryGetValue(path, out var set))
        {
            table[path] = set = [];
        }

        return set;
    }
}
