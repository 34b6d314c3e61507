// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.Protocol;

namespace ZkAspire.Simulation.Tests;

/// <summary>What receives a connection's frames: a simulated or a scripted client.</summary>
internal interface IClientEndpoint
{
    void OnFrame(SimConnection connection, ServerFrame frame);
}

/// <summary>A client connection: what one client opened to one server incarnation.</summary>
internal sealed class SimConnection(long id, IClientEndpoint client, SimServer server, int incarnation)
{
    public long Id { get; } = id;

    public IClientEndpoint Client { get; } = client;

    public SimServer Server { get; } = server;

    public int Incarnation { get; } = incarnation;

    /// <summary>Gets or sets whether the server still takes requests on it (false once either side closed it).</summary>
    public bool Open { get; set; } = true;

    public long LastToServerMs { get; set; }

    public long LastToClientMs { get; set; }
}

/// <summary>A frame from a server to a client: a ConnectResponse, a reply or notification, or a close.</summary>
internal sealed record ServerFrame(ConnectResponse? ConnectResponse, ReplyHeader Header, IJuteRecord? Body, string? CloseReason);

/// <summary>
/// A ZooKeeper client as the Java client behaves: it connects to a random server, resumes its
/// session elsewhere when the connection breaks (sending its last seen zxid), pings when idle,
/// gives up on a silent server after two thirds of the timeout, starts a new session when its
/// session expired, and pipelines up to three operations. It checks, as it goes, that replies come
/// in request order (per-session FIFO) and that the zxids it sees never go back.
/// </summary>
internal sealed class SimClient(Simulation sim, int id) : IClientEndpoint
{
    private const int MaxOutstanding = 3;

    private readonly Queue<(int Xid, OpCode Type, Operation? Op)> _outstanding = new();
    private readonly Dictionary<string, int> _knownVersion = new(StringComparer.Ordinal);
    private long _sessionId;
    private byte[] _passwd = new byte[16];
    private int _timeoutMs = 2000;
    private long _lastZxidSeen;
    private long _lastWriteMzxid;
    private int _nextXid = 1;
    private SimConnection? _connection;
    private bool _connected;
    private long _lastHeardMs;
    private long _lastSentMs;
    private long _connectStartedMs;
    private long _nextConnectMs;
    private int _ephemerals;

    public int Id { get; } = id;

    /// <summary>Gets or sets whether the client issues new operations.</summary>
    public bool Active { get; set; } = true;

    public bool Connected => _connected;

    public long SessionId => _sessionId;

    public void Start() => sim.Events.After(sim.Random.Next(0, 50), null, Think);

    private void Think()
    {
        var now = sim.NowMs;
        if (_connection is null)
        {
            if (now >= _nextConnectMs)
            {
                Connect();
            }
        }
        else if (!_connected)
        {
            if (now - _connectStartedMs > _timeoutMs * 2 / 3)
            {
                Disconnect("connect timed out");
            }
        }
        else if (now - _lastHeardMs > _timeoutMs * 2 / 3)
        {
            // ClientCnxn: "Client session timed out, have not heard from server in …ms".
            Disconnect("read timed out");
        }
        else
        {
            if (_outstanding.Count == 0 && now - _lastSentMs > _timeoutMs / 3)
            {
                Send(Xids.Ping, OpCode.Ping, null, null);
            }

            if (Active && _outstanding.Count < MaxOutstanding && sim.Random.NextDouble() < 0.6)
            {
                IssueOperation();
            }
        }

        sim.Events.After(sim.Random.Next(5, 30), null, Think);
    }

    private void Connect()
    {
        var server = sim.Servers[sim.Random.Next(sim.Servers.Count)];
        _connection = sim.OpenConnection(this, server);
        _connected = false;
        _connectStartedMs = sim.NowMs;
        _lastHeardMs = sim.NowMs;
        _outstanding.Clear();
        var request = new ConnectRequest(0, _lastZxidSeen, sim.Random.Next(1200, 3000), _sessionId, _passwd, false);
        sim.ToServer(_connection, replica => replica.ConnectRequestReceived(_connection.Id, request, sim.NowMs));
    }

    public void Disconnect(string reason)
    {
        if (_connection is { } connection)
        {
            sim.CloseFromClient(connection);
        }

        ConnectionLost(reason);
    }

    private void ConnectionLost(string reason)
    {
        // Everything in flight has an unknown outcome (ConnectionLoss).
        foreach (var (_, _, op) in _outstanding)
        {
            if (op is not null && op.Outcome == Outcome.Pending)
            {
                op.Outcome = Outcome.Unknown;
            }
        }

        _outstanding.Clear();
        _connection = null;
        _connected = false;
        _nextConnectMs = sim.NowMs + sim.Random.Next(0, 100);
        if (!reason.Contains("not serving", StringComparison.Ordinal) && !reason.Contains("refused", StringComparison.Ordinal))
        {
            sim.Trace($"client {Id}: connection lost ({reason})");
        }
    }

    public void OnFrame(SimConnection connection, ServerFrame frame)
    {
        if (!ReferenceEquals(connection, _connection))
        {
            return;
        }

        _lastHeardMs = sim.NowMs;
        if (frame.CloseReason is { } reason)
        {
            ConnectionLost("server closed: " + reason);
            return;
        }

        if (frame.ConnectResponse is { } response)
        {
            OnConnected(response);
            return;
        }

        if (frame.Header.Xid == Xids.Notification)
        {
            return;
        }

        var waiting = string.Join(", ", _outstanding.Select(o => $"{o.Xid}:{o.Type}"));
        if (Environment.GetEnvironmentVariable("ZKASPIRE_TRACE_CLIENT") == Id.ToString(CultureInfo.InvariantCulture))
        {
            sim.Trace($"client {Id} <- {connection.Server.Id}/{connection.Id} xid {frame.Header.Xid} err {frame.Header.Err} zxid 0x{frame.Header.Zxid:x}");
        }

        if (!_outstanding.TryDequeue(out var head) || head.Xid != frame.Header.Xid)
        {
            throw new SimulationException($"client {Id} session 0x{_sessionId:x} on server {connection.Server.Id}: reply xid {frame.Header.Xid} (err {frame.Header.Err}) out of order; waiting for [{waiting}]: per-session FIFO is broken");
        }

        var zxid = frame.Header.Zxid;
        if (zxid > 0)
        {
            if (zxid < _lastZxidSeen)
            {
                throw new SimulationException($"client {Id} session 0x{_sessionId:x}: reply zxid 0x{zxid:x} after 0x{_lastZxidSeen:x}: the client went back in time");
            }

            _lastZxidSeen = zxid;
        }

        if (head.Op is { } op)
        {
            Complete(op, head.Type, (KeeperErrorCode)frame.Header.Err, frame.Body, zxid);
        }
        else if (head.Type == OpCode.CloseSession)
        {
            sim.Checker.SessionEnded(_sessionId, "closed");
            NewSession();
            Disconnect("session closed");
        }
    }

    private void OnConnected(ConnectResponse response)
    {
        if (response.TimeOut <= 0)
        {
            // The session expired: an application makes a new handle, with a new session.
            sim.Checker.SessionEnded(_sessionId, "expired");
            NewSession();
            Disconnect("session expired");
            return;
        }

        if (_sessionId != 0 && response.SessionId != _sessionId)
        {
            throw new SimulationException($"client {Id}: resumed session 0x{_sessionId:x} but got 0x{response.SessionId:x}");
        }

        if (_sessionId == 0)
        {
            sim.Checker.SessionStarted(response.SessionId, Id);
        }

        _sessionId = response.SessionId;
        _passwd = response.Passwd ?? new byte[16];
        _timeoutMs = response.TimeOut;
        _connected = true;
    }

    private void NewSession()
    {
        _sessionId = 0;
        _passwd = new byte[16];
        _lastZxidSeen = 0;
        _lastWriteMzxid = 0;
        _knownVersion.Clear();
    }

    private void IssueOperation()
    {
        var key = "/k" + sim.Random.Next(sim.Options.Keys).ToString(CultureInfo.InvariantCulture);
        var value = $"c{Id}-{sim.NextValue()}";
        var roll = sim.Random.NextDouble();
        if (roll < 0.10)
        {
            Send(NextXid(), OpCode.Create2, new CreateRequest(key, Bytes(value), Acls.OpenAclUnsafe, 0), Begin(OpKind.Create, key, value));
        }
        else if (roll < 0.35)
        {
            Send(NextXid(), OpCode.SetData, new SetDataRequest(key, Bytes(value), -1), Begin(OpKind.Write, key, value));
        }
        else if (roll < 0.50)
        {
            var expected = _knownVersion.TryGetValue(key, out var known) ? known : sim.Random.Next(0, 3);
            Send(NextXid(), OpCode.SetData, new SetDataRequest(key, Bytes(value), expected), Begin(OpKind.Cas, key, value, expected));
        }
        else if (roll < 0.70)
        {
            Send(NextXid(), OpCode.GetData, new GetDataRequest(key, false), Begin(OpKind.Read, key, null));
        }
        else if (roll < 0.92)
        {
            // sync, then the read on the same session: pipelined, served in order.
            var op = Begin(OpKind.SyncRead, key, null);
            Send(NextXid(), OpCode.Sync, new SyncRequest(key), null);
            Send(NextXid(), OpCode.GetData, new GetDataRequest(key, false), op);
        }
        else if (roll < 0.99)
        {
            var path = $"/e-c{Id}-{++_ephemerals}";
            Send(NextXid(), OpCode.Create, new CreateRequest(path, [], Acls.OpenAclUnsafe, (int)CreateMode.Ephemeral), null);
        }
        else
        {
            Send(NextXid(), OpCode.CloseSession, null, null);
        }
    }

    private Operation Begin(OpKind kind, string key, string? value, int expected = -1) => sim.History.Add(new Operation
    {
        Id = sim.History.Operations.Count,
        ClientId = Id,
        SessionId = _sessionId,
        Kind = kind,
        Key = key,
        Value = value,
        ExpectedVersion = expected,
        InvokeMs = sim.NowMs,
    });

    private void Complete(Operation op, OpCode type, KeeperErrorCode err, IJuteRecord? body, long zxid)
    {
        op.ReturnMs = sim.NowMs;
        op.ReplyZxid = zxid;
        switch (err)
        {
            case KeeperErrorCode.Ok:
                op.Outcome = Outcome.Ok;
                break;
            case KeeperErrorCode.NodeExists:
                op.Outcome = Outcome.NodeExists;
                break;
            case KeeperErrorCode.NoNode:
                op.Outcome = Outcome.NoNode;
                break;
            case KeeperErrorCode.BadVersion:
                op.Outcome = Outcome.BadVersion;
                break;
            default:
                // SessionMoved, SessionExpired: an error txn, nothing happened.
                op.Outcome = Outcome.Failed;
                return;
        }

        Stat? stat = body switch
        {
            Create2Response r => r.Stat,
            SetDataResponse r => r.Stat,
            GetDataResponse r => r.Stat,
            _ => null,
        };

        if (op.Kind is OpKind.Read or OpKind.SyncRead)
        {
            op.ReadExists = op.Outcome == Outcome.Ok;
            if (body is GetDataResponse data && stat is { } readStat)
            {
                op.ReadValue = Encoding.UTF8.GetString(data.Data ?? []);
                op.Version = readStat.Version;
                op.Mzxid = readStat.Mzxid;
                _knownVersion[op.Key] = readStat.Version;
            }

            sim.Checker.ReadCompleted(op);
            return;
        }

        if (op.Outcome == Outcome.Ok && stat is { } writeStat)
        {
            op.Version = writeStat.Version;
            op.Mzxid = writeStat.Mzxid;
            _knownVersion[op.Key] = writeStat.Version;

            // A session's writes take effect in the order it sent them.
            if (writeStat.Mzxid <= _lastWriteMzxid)
            {
                throw new SimulationException($"client {Id} session 0x{_sessionId:x}: write {op} took effect at 0x{writeStat.Mzxid:x}, not after its previous write at 0x{_lastWriteMzxid:x}");
            }

            _lastWriteMzxid = writeStat.Mzxid;
        }

        _ = type;
    }

    private int NextXid() => _nextXid++;

    private void Send(int xid, OpCode type, IJuteRecord? body, Operation? op)
    {
        if (Environment.GetEnvironmentVariable("ZKASPIRE_TRACE_CLIENT") == Id.ToString(CultureInfo.InvariantCulture))
        {
            sim.Trace($"client {Id} -> {_connection!.Server.Id}/{_connection.Id} xid {xid} {type}");
        }

        _outstanding.Enqueue((xid, type, op));
        _lastSentMs = sim.NowMs;
        var connection = _connection!;
        var request = new Server.Core.ClientRequest(xid, (int)type, body);
        sim.ToServer(connection, replica => replica.RequestReceived(connection.Id, request, sim.NowMs));
    }

    private static byte[] Bytes(string value) => Encoding.UTF8.GetBytes(value);
}

/// <summary>An invariant failed.</summary>
internal sealed class SimulationException(string message) : Exception(message);
