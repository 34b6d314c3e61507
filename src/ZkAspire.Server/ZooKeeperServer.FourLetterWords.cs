// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Server.Commands;
using ZkAspire.Server.Transport;

namespace ZkAspire.Server;

/// <content>Four-letter words, answered on the event loop from the core's and the transport's counters.</content>
public sealed partial class ZooKeeperServer
{
    private string ExecuteFourLetterWord(string command, long argument, ClientConnection asking)
    {
        if (!Options.IsFourLetterWordEnabled(command))
        {
            return FourLetterWordFormatter.NotWhitelisted(command);
        }

        var outstanding = Interlocked.Read(ref _outstanding);

        // ZooKeeper's commands check isZKServerRunning() first: a member that is electing or
        // synchronizing answers these with ZK_NOT_SERVING (CommandExecutor / FourLetterCommands).
        if (command is "srvr" or "stat" or "mntr" or "cons" or "dump" or "wchs" or "wchc" or "wchp" or "conf"
            && _core!.GetStats().Mode == Core.ServerMode.Looking)
        {
            return FourLetterWordFormatter.NotServing();
        }

        switch (command)
        {
            case "ruok":
                return FourLetterWordFormatter.Ruok();
            case "isro":
                // IsroCommand prints "null" while the server is not running.
                return _core!.GetStats().Mode == Core.ServerMode.Looking ? "null" : FourLetterWordFormatter.Isro(_core!.GetStats().Mode);
            case "srvr":
                return FourLetterWordFormatter.Srvr(Statistics(), _core!.GetStats(), _connections.Count, outstanding);
            case "stat":
                return FourLetterWordFormatter.Stat(Statistics(), _core!.GetStats(), ConnectionInfos(), outstanding);
            case "mntr":
                var uptimeMs = (long)TimeProvider.GetElapsedTime(_startedAt).TotalMilliseconds;
                return FourLetterWordFormatter.Mntr(Statistics(), _core!.GetStats(), _connections.Count, outstanding, uptimeMs);
            case "conf":
                return FourLetterWordFormatter.Conf(Options, Port);
            case "cons":
                return FourLetterWordFormatter.Cons(ConnectionInfos());
            case "crst":
                foreach (var connection in _connections.Values)
                {
                    connection.Statistics.Reset();
                }

                return FourLetterWordFormatter.Crst();
            case "srst":
                _statistics.Reset();
                return FourLetterWordFormatter.Srst();
            case "envi":
                return FourLetterWordFormatter.Envi();
            case "wchs":
                return FourLetterWordFormatter.Wchs(_core!.GetWatches());
            case "wchc":
                return FourLetterWordFormatter.Wchc(_core!.GetWatches());
            case "wchp":
                return FourLetterWordFormatter.Wchp(_core!.GetWatches());
            case "dump":
                return FourLetterWordFormatter.Dump(_core!.GetSessions(), ConnectionInfos());
            case "dirs":
                return FourLetterWordFormatter.Dirs(Options);
            case "gtmk":
                return _traceMask.ToString(CultureInfo.InvariantCulture);
            case "stmk":
                // ZooKeeper keeps the mask for its trace log; we have none, but remember it so gtmk agrees.
                _traceMask = argument;
                return _traceMask.ToString(CultureInfo.InvariantCulture);
            default:
                // hash: ZooKeeper prints the data tree digests when digest.enabled; we keep none.
                _ = asking;
                return string.Empty;
        }
    }

    private ServerStatistics Statistics()
    {
        _statistics.ConnectionsRejected = Interlocked.Read(ref _connectionsRejected);
        _statistics.ConnectionsDroppedForBadInput = Interlocked.Read(ref _droppedForBadInput);
        return _statistics;
    }

    private List<ConnectionInfo> ConnectionInfos()
    {
        var interval = Options.SessionlessConnectionTimeoutMs;
        var infos = new List<ConnectionInfo>(_connections.Count);
        foreach (var connection in _connections.Values.OrderBy(c => c.Id))
        {
            var s = connection.Statistics;

            // NIOServerCnxnFactory's connection expiry queue: touched on every packet, expires a
            // session timeout later (the sessionless timeout before the handshake), rounded up to
            // the next multiple of the sessionless timeout.
            var timeout = connection.SessionTimeoutMs != 0 ? connection.SessionTimeoutMs : interval;
            var expiresAt = (connection.LastHeardMs + timeout) / interval * interval + interval;
            infos.Add(new ConnectionInfo(
                connection.RemoteText,
                connection.InterestOps,
                connection.Pending.Count,
                s.PacketsReceived,
                s.PacketsSent,
                connection.SessionId,
                s.LastOperation,
                connection.EstablishedUnixMs,
                connection.SessionTimeoutMs,
                s.LastCxid,
                s.LastZxid,
                s.LastResponseTime,
                s.LastLatency,
                s.MinLatency == long.MaxValue ? 0 : s.MinLatency,
                s.Count == 0 ? 0 : s.TotalLatency / s.Count,
                s.MaxLatency,
                expiresAt));
        }

        return infos;
    }
}
