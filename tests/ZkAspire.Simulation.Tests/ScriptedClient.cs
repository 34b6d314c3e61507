// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Simulation.Tests;

/// <summary>A client a scenario drives by hand: it connects where it is told and records every frame.</summary>
internal sealed class ScriptedClient(Simulation sim) : IClientEndpoint
{
    private int _nextXid = 1;

    public SimConnection? Connection { get; private set; }

    public ConnectResponse? Response { get; private set; }

    public string? ClosedReason { get; private set; }

    public List<ServerFrame> Frames { get; } = [];

    public long SessionId => Response?.SessionId ?? 0;

    public byte[] Password => Response?.Passwd ?? new byte[16];

    public bool IsConnected => Response is { TimeOut: > 0 } && ClosedReason is null;

    public void OnFrame(SimConnection connection, ServerFrame frame)
    {
        if (!ReferenceEquals(connection, Connection))
        {
            return;
        }

        if (frame.CloseReason is { } reason)
        {
            ClosedReason = reason;
        }
        else if (frame.ConnectResponse is { } response)
        {
            Response = response;
        }
        else
        {
            Frames.Add(frame);
        }
    }

    /// <summary>Connects to a server and waits for the answer (a ConnectResponse or a close).</summary>
    public void Connect(SimServer server, long sessionId = 0, byte[]? password = null, long lastZxidSeen = 0, int timeoutMs = 2000)
    {
        Response = null;
        ClosedReason = null;
        Frames.Clear();
        var connection = sim.OpenConnection(this, server);
        Connection = connection;
        var request = new ConnectRequest(0, lastZxidSeen, timeoutMs, sessionId, password ?? new byte[16], false);
        sim.ToServer(connection, replica => replica.ConnectRequestReceived(connection.Id, request, sim.NowMs));
        sim.RunUntil(() => Response is not null || ClosedReason is not null, 5_000);
    }

    /// <summary>Sends a request without waiting.</summary>
    public int Send(OpCode type, IJuteRecord? body)
    {
        // Pings carry xid −2, and their replies too.
        var xid = type == OpCode.Ping ? Xids.Ping : _nextXid++;
        var connection = Connection!;
        var request = new ClientRequest(xid, (int)type, body);
        sim.ToServer(connection, replica => replica.RequestReceived(connection.Id, request, sim.NowMs));
        return xid;
    }

    public ServerFrame? ReplyTo(int xid) => Frames.FirstOrDefault(f => f.Header.Xid == xid);

    /// <summary>Sends a request and waits for its reply (or the connection's end).</summary>
    public ServerFrame? Call(OpCode type, IJuteRecord? body, long maxMs = 5_000)
    {
        var xid = Send(type, body);
        sim.RunUntil(() => ReplyTo(xid) is not null || ClosedReason is not null, maxMs);
        return ReplyTo(xid);
    }
}
