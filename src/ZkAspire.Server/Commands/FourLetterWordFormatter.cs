// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ZkAspire.Server.Core;
using ZkAspire.Server.Transport;

namespace ZkAspire.Server.Commands;

/// <summary>
/// The text of each four-letter word, in Apache ZooKeeper's formats (the <c>*Command</c> classes
/// of <c>org.apache.zookeeper.server.command</c>). Pure functions of the snapshots they are given.
/// </summary>
internal static class FourLetterWordFormatter
{
    /// <summary>ZooKeeper's default trace mask (gtmk): <c>ZooTrace</c>'s client request, ping and session masks.</summary>
    public const long DefaultTraceMask = 306;

    /// <summary>The answer to a known command that is not whitelisted.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The text.</returns>
    public static string NotWhitelisted(string command) => command + " is not executed because it is not in the whitelist.\n";

    /// <summary>ruok: the process is alive (not that it serves).</summary>
    /// <returns>The text.</returns>
    public static string Ruok() => "imok";

    /// <summary>isro: <c>ro</c> in read-only mode, else <c>rw</c>.</summary>
    /// <param name="mode">The server's mode.</param>
    /// <returns>The text.</returns>
    public static string Isro(ServerMode mode) => mode == ServerMode.ReadOnly ? "ro" : "rw";

    /// <summary>srvr.</summary>
    /// <param name="statistics">The server counters.</param>
    /// <param name="stats">The core's counters.</param>
    /// <param name="connections">The number of open client connections.</param>
    /// <param name="outstanding">Requests received and not answered.</param>
    /// <returns>The text.</returns>
    public static string Srvr(ServerStatistics statistics, ReplicaStats stats, int connections, long outstanding)
    {
        var text = new StringBuilder();
        text.Append("Zookeeper version: ").Append(ServerVersion.FullVersion).Append('\n');
        AppendServerStats(text, statistics, stats, connections, outstanding);
        return text.ToString();
    }

    /// <summary>stat: srvr with the brief connection list after the version line.</summary>
    /// <param name="statistics">The server counters.</param>
    /// <param name="stats">The core's counters.</param>
    /// <param name="connections">The open client connections.</param>
    /// <param name="outstanding">Requests received and not answered.</param>
    /// <returns>The text.</returns>
    public static string Stat(ServerStatistics statistics, ReplicaStats stats, IReadOnlyList<ConnectionInfo> connections, long outstanding)
    {
        var text = new StringBuilder();
        text.Append("Zookeeper version: ").Append(ServerVersion.FullVersion).Append('\n');
        if (stats.Mode == ServerMode.ReadOnly)
        {
            text.Append("READ-ONLY mode; serving only read-only clients\n");
        }

        text.Append("Clients:\n");
        foreach (var connection in connections)
        {
            AppendConnection(text, connection, brief: true);
            text.Append('\n');
        }

        text.Append('\n');
        AppendServerStats(text, statistics, stats, connections.Count, outstanding);
        return text.ToString();
    }

    /// <summary>cons: every connection in full, then a blank line.</summary>
    /// <param name="connections">The open client connections.</param>
    /// <returns>The text.</returns>
    public static string Cons(IReadOnlyList<ConnectionInfo> connections)
    {
        var text = new StringBuilder();
        foreach (var connection in connections)
        {
            AppendConnection(text, connection, brief: false);
            text.Append('\n');
        }

        text.Append('\n');
        return text.ToString();
    }

    /// <summary>conf (ZooKeeper's <c>ZooKeeperServer.dumpConf</c>).</summary>
    /// <param name="options">The options.</param>
    /// <param name="clientPort">The bound client port.</param>
    /// <returns>The text.</returns>
    public static string Conf(ZooKeeperServerOptions options, int clientPort)
    {
        var dataDir = SnapshotDirectory(options.DataDir);
        var dataLogDir = SnapshotDirectory(options.DataLogDir ?? options.DataDir);
        var text = new StringBuilder();
        Line(text, "clientPort", clientPort);
        Line(text, "secureClientPort", -1);
        Line(text, "dataDir", dataDir);
        Line(text, "dataDirSize", DirectorySize(dataDir));
        Line(text, "dataLogDir", dataLogDir);
        Line(text, "dataLogSize", DirectorySize(dataLogDir));
        Line(text, "tickTime", options.TickTimeMs);
        Line(text, "maxClientCnxns", options.MaxClientCnxns);
        Line(text, "minSessionTimeout", options.EffectiveMinSessionTimeoutMs);
        Line(text, "maxSessionTimeout", options.EffectiveMaxSessionTimeoutMs);
        Line(text, "clientPortListenBacklog", options.ClientPortListenBacklog);
        Line(text, "serverId", options.ServerId);
        if (options.IsReplicated)
        {
            // QuorumZooKeeperServer.dumpConf: the quorum settings, then the membership as
            // /zookeeper/config holds it. peerType is the LearnerType's ordinal (0 participant).
            var members = options.GetEnsemble();
            var me = members.FirstOrDefault(m => m.Id == options.ServerId);
            Line(text, "initLimit", options.InitLimit);
            Line(text, "syncLimit", options.SyncLimit);
            Line(text, "electionAlg", 3);
            Line(text, "electionPort", me?.ElectionPort ?? 0);
            Line(text, "quorumPort", me?.QuorumPort ?? 0);
            Line(text, "peerType", me?.Type == Consensus.LearnerType.Observer ? 1 : 0);
            text.Append("membership: \n");
            foreach (var member in members)
            {
                text.Append(member.ToConfigLine()).Append('\n');
            }

            text.Append("version=0\n");
        }

        return text.ToString();

        static void Line(StringBuilder text, string key, object value) =>
            text.Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>dirs: the sizes of the snapshot and log directories.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The text.</returns>
    public static string Dirs(ZooKeeperServerOptions options) => string.Create(
        CultureInfo.InvariantCulture,
        $"datadir_size: {DirectorySize(SnapshotDirectory(options.DataDir))}\nlogdir_size: {DirectorySize(SnapshotDirectory(options.DataLogDir ?? options.DataDir))}\n");

    /// <summary>envi: the environment, with .NET's facts where ZooKeeper prints the JVM's.</summary>
    /// <returns>The text.</returns>
    public static string Envi()
    {
        // Java's Runtime free/max/total memory: the heap's unused committed bytes, the most it may
        // grow to, and what is committed.
        var memory = GC.GetGCMemoryInfo();
        var used = GC.GetTotalMemory(forceFullCollection: false);
        var total = Math.Max(memory.TotalCommittedBytes, used);
        var text = new StringBuilder("Environment:\n");
        Line(text, "zookeeper.version", ServerVersion.FullVersion);
        Line(text, "host.name", SafeHostName());
        Line(text, "dotnet.version", Environment.Version.ToString());
        Line(text, "dotnet.framework", RuntimeInformation.FrameworkDescription);
        Line(text, "dotnet.runtime.identifier", RuntimeInformation.RuntimeIdentifier);
        Line(text, "dotnet.process.path", Environment.ProcessPath ?? "<NA>");
        Line(text, "java.io.tmpdir", Path.GetTempPath().TrimEnd('/'));
        Line(text, "os.name", OperatingSystemName());
        Line(text, "os.arch", RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "amd64",
            Architecture.Arm64 => "aarch64",
            Architecture.X86 => "x86",
            var other => other.ToString().ToLowerInvariant(),
        });
        Line(text, "os.version", OperatingSystemVersion());
        Line(text, "user.name", Environment.UserName);
        Line(text, "user.home", Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        Line(text, "user.dir", Environment.CurrentDirectory);
        Line(text, "os.memory.free", Mb(total - used));
        Line(text, "os.memory.max", Mb(memory.TotalAvailableMemoryBytes));
        Line(text, "os.memory.total", Mb(total));
        return text.ToString();

        static void Line(StringBuilder text, string key, string value) => text.Append(key).Append('=').Append(value).Append('\n');

        static string Mb(long bytes) => (bytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + "MB";
    }

    /// <summary>wchs: counts over the data-watch table, as ZooKeeper's <c>WatchManager.toString</c>.</summary>
    /// <param name="watches">Every watch registration.</param>
    /// <returns>The text.</returns>
    public static string Wchs(IReadOnlyList<WatchSnapshot> watches)
    {
        var data = DataTable(watches);
        var connections = data.Select(w => w.ConnectionId).Distinct().Count();
        var paths = data.Select(w => w.Path).Distinct(StringComparer.Ordinal).Count();
        var total = data.Select(w => (w.ConnectionId, w.Path)).Distinct().Count();
        return string.Create(CultureInfo.InvariantCulture, $"{connections} connections watching {paths} paths\nTotal watches:{total}\n");
    }

    /// <summary>wchc: the data-watch table by session.</summary>
    /// <param name="watches">Every watch registration.</param>
    /// <returns>The text.</returns>
    public static string Wchc(IReadOnlyList<WatchSnapshot> watches)
    {
        var text = new StringBuilder();
        foreach (var connection in DataTable(watches).GroupBy(w => w.ConnectionId))
        {
            text.Append("0x").Append(JavaText.Hex(connection.First().SessionId)).Append('\n');
            foreach (var path in connection.Select(w => w.Path).Distinct(StringComparer.Ordinal))
            {
                text.Append('\t').Append(path).Append('\n');
            }
        }

        text.Append('\n');
        return text.ToString();
    }

    /// <summary>wchp: the data-watch table by path.</summary>
    /// <param name="watches">Every watch registration.</param>
    /// <returns>The text.</returns>
    public static string Wchp(IReadOnlyList<WatchSnapshot> watches)
    {
        var text = new StringBuilder();
        foreach (var path in DataTable(watches).GroupBy(w => w.Path, StringComparer.Ordinal))
        {
            text.Append(path.Key).Append('\n');
            foreach (var sessionId in path.Select(w => w.SessionId).Distinct())
            {
                text.Append("\t0x").Append(JavaText.Hex(sessionId)).Append('\n');
            }
        }

        text.Append('\n');
        return text.ToString();
    }

    /// <summary>dump: sessions by expiry, ephemerals by session, connections by expiry.</summary>
    /// <param name="sessions">The live sessions.</param>
    /// <param name="connections">The open client connections.</param>
    /// <returns>The text.</returns>
    public static string Dump(IReadOnlyList<SessionSnapshot> sessions, IReadOnlyList<ConnectionInfo> connections)
    {
        var text = new StringBuilder();
        text.Append("SessionTracker dump:\n");
        text.Append("Session ");
        AppendExpirySets(text, sessions.Select(s => (s.ExpiresAtMs, "0x" + JavaText.Hex(s.SessionId))).ToList());
        text.Append("ephemeral nodes dump:\n");
        var withEphemerals = sessions.Where(s => s.Ephemerals.Count > 0).ToList();
        text.Append("Sessions with Ephemerals (").Append(withEphemerals.Count.ToString(CultureInfo.InvariantCulture)).Append("):\n");
        foreach (var session in withEphemerals)
        {
            text.Append("0x").Append(JavaText.Hex(session.SessionId)).Append(":\n");
            foreach (var path in session.Ephemerals)
            {
                text.Append('\t').Append(path).Append('\n');
            }
        }

        text.Append("Connections dump:\n");
        text.Append("Connections ");
        AppendExpirySets(text, connections.Select(c => (c.ExpiresAtUnixMs, $"ip: {c.RemoteAddress} sessionId: 0x{JavaText.Hex(c.SessionId)}")).ToList());
        return text.ToString();
    }

    /// <summary>What ZooKeeper answers most four-letter words with while its server is not running (electing, or without a quorum): <c>ZK_NOT_SERVING</c>.</summary>
    /// <returns>The text.</returns>
    public static string NotServing() => "This ZooKeeper instance is not currently serving requests\n";

    /// <summary>crst.</summary>
    /// <returns>The text.</returns>
    public static string Crst() => "Connection stats reset.\n";

    /// <summary>srst.</summary>
    /// <returns>The text.</returns>
    public static string Srst() => "Server stats reset.\n";

    /// <summary>mntr: <c>zk_&lt;key&gt;\t&lt;value&gt;</c> lines, version and state first.</summary>
    /// <param name="statistics">The server counters.</param>
    /// <param name="stats">The core's counters.</param>
    /// <param name="connections">The number of open client connections.</param>
    /// <param name="outstanding">Requests received and not answered.</param>
    /// <param name="uptimeMs">Milliseconds since the server started.</param>
    /// <returns>The text.</returns>
    public static string Mntr(ServerStatistics statistics, ReplicaStats stats, int connections, long outstanding, long uptimeMs)
    {
        var text = new StringBuilder();
        Line(text, "version", ServerVersion.FullVersion);
        Line(text, "server_state", ModeName(stats.Mode));
        Line(text, "uptime", uptimeMs);
        Line(text, "avg_latency", JavaText.Average(statistics.TotalLatency, statistics.LatencyCount));
        Line(text, "max_latency", statistics.MaxLatency);
        Line(text, "min_latency", MinOrZero(statistics.MinLatency));
        Line(text, "packets_received", statistics.PacketsReceived);
        Line(text, "packets_sent", statistics.PacketsSent);
        Line(text, "num_alive_connections", connections);
        Line(text, "outstanding_requests", outstanding);
        Line(text, "znode_count", stats.NodeCount);
        Line(text, "watch_count", stats.WatchCount);
        Line(text, "ephemerals_count", stats.EphemeralCount);
        Line(text, "approximate_data_size", stats.ApproximateDataSize);
        Line(text, "global_sessions", stats.SessionCount);
        Line(text, "local_sessions", 0);
        Line(text, "bytes_received_count", statistics.BytesReceived);
        Line(text, "connection_rejected", statistics.ConnectionsRejected);
        Line(text, "sessionless_connections_expired", statistics.SessionlessConnectionsExpired);
        Line(text, "connection_drop_count", statistics.ConnectionsDroppedForBadInput + statistics.ConnectionsDroppedForSlowReading);
        if (OpenFileDescriptors() is { } open)
        {
            Line(text, "open_file_descriptor_count", open);
        }

        if (MaxFileDescriptors() is { } max)
        {
            Line(text, "max_file_descriptor_count", max);
        }

        if (stats.Quorum is { } quorum)
        {
            // QuorumPeer.getDetailedPeerState: "leading - broadcast", "following - synchronization".
            Line(text, "peer_state", quorum.State.ToString().ToLowerInvariant() + " - " + quorum.Phase.ToString().ToLowerInvariant());
            Line(text, "quorum_leader", quorum.LeaderId);
            Line(text, "quorum_epoch", quorum.Epoch);
            Line(text, "last_logged_zxid", "0x" + JavaText.Hex(quorum.LastLoggedZxid));
            Line(text, "committed_zxid", "0x" + JavaText.Hex(quorum.CommittedZxid));
            if (stats.Mode == ServerMode.Leader)
            {
                // LeaderBean / Leader's mntr keys.
                Line(text, "learners", quorum.Learners);
                Line(text, "synced_followers", quorum.SyncedFollowers);
                Line(text, "pending_syncs", quorum.PendingSyncs);
                Line(text, "quorum_syncs_waiting", quorum.QuorumSyncs);
            }
        }

        return text.ToString();

        static void Line(StringBuilder text, string key, object value) =>
            text.Append("zk_").Append(key).Append('\t').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>The mode as srvr, stat and mntr name it.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns>The name.</returns>
    public static string ModeName(ServerMode mode) => mode switch
    {
        ServerMode.Standalone => "standalone",
        ServerMode.Leader => "leader",
        ServerMode.Follower => "follower",
        ServerMode.Observer => "observer",
        ServerMode.ReadOnly => "read-only",
        ServerMode.Looking => "looking",
        _ => "unknown",
    };

    private static void AppendServerStats(StringBuilder text, ServerStatistics statistics, ReplicaStats stats, int connections, long outstanding)
    {
        // ServerStats.toString, then "Node count: ".
        text.Append("Latency min/avg/max: ")
            .Append(MinOrZero(statistics.MinLatency).ToString(CultureInfo.InvariantCulture)).Append('/')
            .Append(JavaText.Average(statistics.TotalLatency, statistics.LatencyCount)).Append('/')
            .Append(statistics.MaxLatency.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("Received: ").Append(statistics.PacketsReceived.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("Sent: ").Append(statistics.PacketsSent.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("Connections: ").Append(connections.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("Outstanding: ").Append(outstanding.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("Zxid: 0x").Append(JavaText.Hex(stats.LastProcessedZxid)).Append('\n');
        text.Append("Mode: ").Append(ModeName(stats.Mode)).Append('\n');
        text.Append("Node count: ").Append(stats.NodeCount.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void AppendConnection(StringBuilder text, ConnectionInfo c, bool brief)
    {
        // ServerCnxn.dumpConnectionInfo.
        text.Append(' ').Append(c.RemoteAddress)
            .Append('[').Append(c.InterestOps == 0 ? "0" : c.InterestOps.ToString("x", CultureInfo.InvariantCulture))
            .Append("](queued=").Append(c.Queued.ToString(CultureInfo.InvariantCulture))
            .Append(",recved=").Append(c.Received.ToString(CultureInfo.InvariantCulture))
            .Append(",sent=").Append(c.Sent.ToString(CultureInfo.InvariantCulture));
        if (!brief && c.SessionId != 0)
        {
            text.Append(",sid=0x").Append(JavaText.Hex(c.SessionId))
                .Append(",lop=").Append(c.LastOperation);
            if (c.EstablishedUnixMs is { } established)
            {
                text.Append(",est=").Append(established.ToString(CultureInfo.InvariantCulture));
            }

            if (c.SessionTimeoutMs != 0)
            {
                text.Append(",to=").Append(c.SessionTimeoutMs.ToString(CultureInfo.InvariantCulture));
            }

            if (c.LastCxid >= 0)
            {
                text.Append(",lcxid=0x").Append(JavaText.Hex(c.LastCxid));
            }

            text.Append(",lzxid=0x").Append(JavaText.Hex(c.LastZxid))
                .Append(",lresp=").Append(c.LastResponseTime.ToString(CultureInfo.InvariantCulture))
                .Append(",llat=").Append(c.LastLatency.ToString(CultureInfo.InvariantCulture))
                .Append(",minlat=").Append(c.MinLatency.ToString(CultureInfo.InvariantCulture))
                .Append(",avglat=").Append(c.AvgLatency.ToString(CultureInfo.InvariantCulture))
                .Append(",maxlat=").Append(c.MaxLatency.ToString(CultureInfo.InvariantCulture));
        }

        text.Append(')');
    }

    private static void AppendExpirySets(StringBuilder text, List<(long ExpiresAt, string Element)> elements)
    {
        // ExpiryQueue.dump: "Sets (buckets)/(elements):", then each bucket in time order.
        var buckets = elements.GroupBy(e => e.ExpiresAt).OrderBy(g => g.Key).ToList();
        text.Append("Sets (").Append(buckets.Count.ToString(CultureInfo.InvariantCulture)).Append(")/(")
            .Append(elements.Count.ToString(CultureInfo.InvariantCulture)).Append("):\n");
        foreach (var bucket in buckets)
        {
            text.Append(bucket.Count().ToString(CultureInfo.InvariantCulture)).Append(" expire at ").Append(JavaText.Date(bucket.Key)).Append(":\n");
            foreach (var (_, element) in bucket)
            {
                text.Append('\t').Append(element).Append('\n');
            }
        }
    }

    private static IEnumerable<WatchSnapshot> DataTable(IReadOnlyList<WatchSnapshot> watches) =>

        // ZooKeeper's wchs/wchc/wchp report the data-watch table only: one-shot data and exists
        // watches, persistent watches (which sit in both tables) and recursive ones.
        watches.Where(w => w.Kind != WatchKind.Child);

    private static long MinOrZero(long min) => min == long.MaxValue ? 0 : min;

    private static string SnapshotDirectory(string? dataDir) =>

        // ZooKeeper keeps its files in <dataDir>/version-2 and prints that directory; ours are in
        // <dataDir>/zkaspire-1 (docs/storage-format.md §1).
        dataDir is null ? string.Empty : Path.Combine(Path.GetFullPath(dataDir), Storage.StorageLayout.VersionDirectory);

    private static long DirectorySize(string directory)
    {
        if (directory.Length == 0 || !Directory.Exists(directory))
        {
            return 0;
        }

        try
        {
            return new DirectoryInfo(directory).EnumerateFiles().Sum(f => f.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static string SafeHostName()
    {
        try
        {
            return System.Net.Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "<NA>";
        }
    }

    private static string OperatingSystemName() =>
        OperatingSystem.IsLinux() ? "Linux" : OperatingSystem.IsMacOS() ? "Mac OS X" : OperatingSystem.IsWindows() ? "Windows" : RuntimeInformation.OSDescription;

    private static string OperatingSystemVersion()
    {
        // Java's os.version is the kernel release (uname -r) on Linux.
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/sys/kernel/osrelease"))
            {
                return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return Environment.OSVersion.Version.ToString();
    }

    private static long? OpenFileDescriptors()
    {
        try
        {
            return OperatingSystem.IsLinux() ? Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? MaxFileDescriptors()
    {
        try
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return parts.Length > 0 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
