// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server;

/// <summary>
/// The settings of a <see cref="ZooKeeperServer"/>, named after the zoo.cfg keys they come from
/// (see <see cref="Configuration.ZooKeeperConfiguration"/>, which reads them from a file).
/// </summary>
/// <remarks>
/// The defaults make a server that runs with no configuration at all: 127.0.0.1:2181, tickTime
/// 2000 ms (the value of ZooKeeper's sample zoo.cfg; ZooKeeper's code default is 3000), data in
/// memory. ZooKeeper binds every interface by default; we bind loopback unless told otherwise, so
/// that a server started by hand is not reachable from the network by accident. ZooKeeper refuses
/// to start without a <c>dataDir</c>; we keep the data in memory instead and say so in the log,
/// so that a developer's server and test servers need no directory (see <see cref="DataDir"/>).
/// </remarks>
public sealed class ZooKeeperServerOptions
{
    /// <summary>The four-letter words enabled by default: ZooKeeper's default whitelist (since 3.5.3, ZOOKEEPER-2693).</summary>
    public static IReadOnlySet<string> DefaultFourLetterWordWhitelist { get; } = new HashSet<string>(StringComparer.Ordinal) { "srvr" };

    /// <summary>Gets or sets the length of a tick in milliseconds (<c>tickTime</c>): the unit of session timeouts and expiry.</summary>
    /// <value>The default value is 2000.</value>
    public int TickTimeMs { get; set; } = 2000;

    /// <summary>Gets or sets the address the client port binds (<c>clientPortAddress</c>): an IP address or a host name.</summary>
    /// <value>The default value is <c>127.0.0.1</c>.</value>
    public string ClientPortAddress { get; set; } = "127.0.0.1";

    /// <summary>Gets or sets the client port (<c>clientPort</c>); 0 lets the OS choose (see <see cref="ZooKeeperServer.Port"/>).</summary>
    /// <value>The default value is 2181.</value>
    public int ClientPort { get; set; } = 2181;

    /// <summary>
    /// Gets or sets where snapshots, the session secret and <c>myid</c> live (<c>dataDir</c>). With
    /// one, every txn is in the txn log before it is acknowledged and a restarted server recovers
    /// its data and sessions from the directory. <see langword="null"/> keeps everything in memory:
    /// a stop and start of the same <see cref="ZooKeeperServer"/> object keeps it, the process's end
    /// loses it (the server logs a warning saying so).
    /// </summary>
    /// <value>The default value is <see langword="null"/> (in memory).</value>
    public string? DataDir { get; set; }

    /// <summary>Gets or sets where the txn log lives (<c>dataLogDir</c>), ideally a device of its own; <see langword="null"/> for <see cref="DataDir"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? DataLogDir { get; set; }

    /// <summary>
    /// Gets or sets whether each group commit is synced to the device before its txns are
    /// acknowledged (<c>forceSync</c>). Without it an acknowledged write survives a crash of the
    /// process but not of the machine; only tests and benchmarks that say so turn it off.
    /// </summary>
    /// <value>The default value is <see langword="true"/> (<c>yes</c>), as ZooKeeper.</value>
    public bool ForceSync { get; set; } = true;

    /// <summary>Gets or sets the block, in KB, that txn log segments are preallocated and grown by (<c>preAllocSize</c>), so that a sync seldom has to update the file size.</summary>
    /// <value>The default value is 65536 (64 MiB), as ZooKeeper.</value>
    public long PreAllocSizeKb { get; set; } = 64 * 1024;

    /// <summary>Gets or sets the log size, in KB, after which a snapshot is taken whatever the txn count (<c>snapSizeLimitInKb</c>), randomized like <see cref="SnapCount"/>; 0 or less for none.</summary>
    /// <value>The default value is 4194304 (4 GiB), as ZooKeeper.</value>
    public long SnapSizeLimitInKb { get; set; } = 4L * 1024 * 1024;

    /// <summary>Gets or sets the size, in KB, at which a txn log segment is closed and a new one begun between snapshots (<c>zookeeper.txnLogSizeLimitInKb</c>).</summary>
    /// <value>The default value is 1048576 (1 GiB). ZooKeeper's is no limit; ours bounds a segment so that purge can reclaim space.</value>
    public long TxnLogSizeLimitInKb { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets the most concurrent connections from one IP address (<c>maxClientCnxns</c>); 0 for no limit.</summary>
    /// <value>The default value is 60, as ZooKeeper.</value>
    public int MaxClientCnxns { get; set; } = 60;

    /// <summary>Gets or sets the most concurrent connections in all (<c>maxCnxns</c>); 0 for no limit.</summary>
    /// <value>The default value is 0, as ZooKeeper.</value>
    public int MaxCnxns { get; set; }

    /// <summary>Gets or sets the smallest session timeout granted (<c>minSessionTimeout</c>); −1 for 2 × tickTime.</summary>
    /// <value>The default value is −1.</value>
    public int MinSessionTimeoutMs { get; set; } = -1;

    /// <summary>Gets or sets the largest session timeout granted (<c>maxSessionTimeout</c>); −1 for 20 × tickTime.</summary>
    /// <value>The default value is −1.</value>
    public int MaxSessionTimeoutMs { get; set; } = -1;

    /// <summary>Gets or sets the listen backlog of the client port (<c>clientPortListenBacklog</c>); −1 for the OS default.</summary>
    /// <value>The default value is −1.</value>
    public int ClientPortListenBacklog { get; set; } = -1;

    /// <summary>
    /// Gets or sets the four-letter words that run (<c>4lw.commands.whitelist</c>); <c>*</c> enables all.
    /// Others are answered with <c>&lt;cmd&gt; is not executed because it is not in the whitelist.</c>
    /// </summary>
    /// <value>The default value is <c>srvr</c> only, as ZooKeeper.</value>
    public ISet<string> FourLetterWordWhitelist { get; set; } = new HashSet<string>(DefaultFourLetterWordWhitelist, StringComparer.Ordinal);

    /// <summary>Gets or sets whether TTL nodes are enabled (<c>zookeeper.extendedTypesEnabled</c>).</summary>
    /// <value>The default value is <see langword="false"/>, as ZooKeeper.</value>
    public bool ExtendedTypesEnabled { get; set; }

    /// <summary>Gets or sets the largest frame accepted and the largest znode data (<c>jute.maxbuffer</c>).</summary>
    /// <value>The default value is 0xFFFFF (1,048,575) bytes, as ZooKeeper.</value>
    public int JuteMaxBuffer { get; set; } = JuteLimits.DefaultMaxBuffer;

    /// <summary>
    /// Gets or sets how many requests may be outstanding in the whole server before it stops reading
    /// from clients (<c>globalOutstandingLimit</c>).
    /// </summary>
    /// <value>The default value is 1000, as ZooKeeper.</value>
    public int GlobalOutstandingLimit { get; set; } = 1000;

    /// <summary>
    /// Gets or sets the super user's digest (<c>zookeeper.DigestAuthenticationProvider.superDigest</c>),
    /// <c>super:&lt;base64 sha1&gt;</c>; a connection that authenticates to it passes every ACL check.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no super user).</value>
    public string? SuperDigest { get; set; }

    /// <summary>Gets or sets how often containers and TTL nodes are checked (<c>znode.container.checkIntervalMs</c>).</summary>
    /// <value>The default value is 60000 ms, as ZooKeeper.</value>
    public int ContainerCheckIntervalMs { get; set; } = 60_000;

    /// <summary>Gets or sets the ticks a follower may take to connect and sync to the leader (<c>initLimit</c>); used in replicated mode.</summary>
    /// <value>The default value is 10, the value of ZooKeeper's sample zoo.cfg.</value>
    public int InitLimit { get; set; } = 10;

    /// <summary>Gets or sets the ticks a follower may lag behind the leader (<c>syncLimit</c>); used in replicated mode.</summary>
    /// <value>The default value is 5, the value of ZooKeeper's sample zoo.cfg.</value>
    public int SyncLimit { get; set; } = 5;

    /// <summary>Gets or sets this server's id (the <c>myid</c> file in <see cref="DataDir"/>); 0 for a standalone server.</summary>
    /// <value>The default value is 0.</value>
    public long ServerId { get; set; }

    /// <summary>
    /// Gets the ensemble members from <c>server.N</c> lines, by id; the value is the text after the
    /// <c>=</c>: <c>host:quorumPort:electionPort[:participant|observer][;[clientAddress:]clientPort]</c>
    /// (see <see cref="Quorum.EnsembleMember"/>). Two or more lines (or one with
    /// <see cref="StandaloneEnabled"/> off) make the server a member of a replicated ensemble.
    /// </summary>
    public IDictionary<long, string> Servers { get; } = new SortedDictionary<long, string>();

    /// <summary>
    /// Gets or sets whether a configuration with a single <c>server.N</c> line runs standalone
    /// (<c>standaloneEnabled</c>, ZooKeeper 3.5+). Turned off, that one server forms an ensemble
    /// of one (it elects itself and runs the quorum protocol).
    /// </summary>
    /// <value>The default value is <see langword="true"/>, as ZooKeeper.</value>
    public bool StandaloneEnabled { get; set; } = true;

    /// <summary>
    /// Gets or sets this server's type (<c>peerType</c>); when set it must agree with this server's
    /// <c>server.N</c> line, as ZooKeeper requires.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the type of the server line.</value>
    public Consensus.LearnerType? PeerType { get; set; }

    /// <summary>
    /// Gets or sets how long a peer connection may take to connect and exchange its handshake
    /// (<c>cnxTimeout</c>, ZooKeeper's <c>zookeeper.cnxTimeout</c>).
    /// </summary>
    /// <value>The default value is 5000 ms, as ZooKeeper.</value>
    public int PeerConnectTimeoutMs { get; set; } = 5000;

    /// <summary>
    /// Gets or sets the largest peer frame accepted (<c>zkaspire.peerMaxFrameBytes</c>); a bigger
    /// one closes the link. It must hold the largest snapshot a leader sends (SNAP).
    /// </summary>
    /// <value>The default value is 1 GiB.</value>
    public int PeerMaxFrameBytes { get; set; } = 1024 * 1024 * 1024;

    /// <summary>
    /// Gets or sets how many bytes may wait to be sent on one peer link (<c>zkaspire.peerSendQueueBytes</c>);
    /// a link whose queue would grow beyond it is dropped (the peer is too slow, the protocol resyncs it).
    /// A single message larger than the limit (a snapshot) is still sent when the queue is empty.
    /// </summary>
    /// <value>The default value is 128 MiB.</value>
    public long PeerSendQueueBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>
    /// Gets or sets how many committed txns a leader keeps in memory beyond those it must, so that
    /// a learner at most this far behind is brought up to date with a DIFF instead of a SNAP
    /// (<c>commitLogCount</c>, ZooKeeper's <c>zookeeper.commitLogCount</c> for its committedLog).
    /// </summary>
    /// <value>The default value is 10000 (ZooKeeper: 500, which it extends from the txn log on disk).</value>
    public int CommitLogCount { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets the ensemble's shared secret (read from the file <c>zkaspire.quorumSecretFile</c>
    /// names, at least 16 bytes). With it, peer links prove that both ends hold it (an HMAC over
    /// the handshake's nonces), and session passwords derive from it; without it, any process
    /// that reaches a peer port and names a member's id is taken for that member, and session
    /// passwords derive from the server lines. Every member must have the same one.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public byte[]? QuorumSecret { get; set; }

    /// <summary>Gets whether the server is a member of a replicated ensemble: two or more <c>server.N</c> lines, or one with <see cref="StandaloneEnabled"/> off.</summary>
    public bool IsReplicated => Servers.Count > 1 || (Servers.Count == 1 && !StandaloneEnabled);

    /// <summary>Parses the <c>server.N</c> lines.</summary>
    /// <returns>The members, by id.</returns>
    /// <exception cref="Configuration.ZooKeeperConfigurationException">A line is malformed.</exception>
    public IReadOnlyList<Quorum.EnsembleMember> GetEnsemble()
    {
        var members = new List<Quorum.EnsembleMember>(Servers.Count);
        foreach (var (id, text) in Servers)
        {
            try
            {
                members.Add(Quorum.EnsembleMember.Parse(id, text));
            }
            catch (FormatException e)
            {
                throw new Configuration.ZooKeeperConfigurationException("server." + id.ToString(System.Globalization.CultureInfo.InvariantCulture), text, e.Message);
            }
        }

        return members;
    }

    /// <summary>
    /// Gets or sets the txns between snapshots (<c>snapCount</c>). Each snapshot is due after a
    /// random count in [snapCount/2 + 1, snapCount], drawn anew each time, as ZooKeeper does so
    /// that the servers of an ensemble do not snapshot together.
    /// </summary>
    /// <value>The default value is 100000, as ZooKeeper.</value>
    public int SnapCount { get; set; } = 100_000;

    /// <summary>Gets or sets the snapshots (and the log segments they need) that a purge keeps (<c>autopurge.snapRetainCount</c>, at least 3).</summary>
    /// <value>The default value is 3, as ZooKeeper.</value>
    public int AutopurgeSnapRetainCount { get; set; } = 3;

    /// <summary>Gets or sets the hours between purges of old snapshots and log segments (<c>autopurge.purgeInterval</c>), the first at start; 0 disables them.</summary>
    /// <value>The default value is 0, as ZooKeeper.</value>
    public int AutopurgePurgeIntervalHours { get; set; }

    /// <summary>Gets or sets whether the AdminServer is wanted (<c>admin.enableServer</c>). ZkAspire has no AdminServer yet; a server logs that when this is set.</summary>
    /// <value>The default value is <see langword="false"/> (ZooKeeper's is true; we have none to enable).</value>
    public bool AdminEnableServer { get; set; }

    /// <summary>Gets or sets the AdminServer's port (<c>admin.serverPort</c>); kept for when there is one.</summary>
    /// <value>The default value is 8080, as ZooKeeper.</value>
    public int AdminServerPort { get; set; } = 8080;

    /// <summary>
    /// Gets or sets how long a connection may stay without a session before it is closed
    /// (<c>nio.sessionlessCnxnTimeout</c>, ZooKeeper's <c>zookeeper.nio.sessionlessCnxnTimeout</c>).
    /// </summary>
    /// <value>The default value is 10000 ms, as ZooKeeper.</value>
    public int SessionlessConnectionTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets how many bytes of output may wait for a client before the server stops reading
    /// its requests (<c>zkaspire.outputBufferSoftLimit</c>). Reading resumes when the client has
    /// taken half of it. Not in ZooKeeper, which queues without bound.
    /// </summary>
    /// <value>The default value is 4 MiB.</value>
    public int OutputBufferSoftLimitBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Gets or sets how many bytes of output may wait for a client before the server closes the
    /// connection (<c>zkaspire.outputBufferHardLimit</c>): a client that does not read its
    /// notifications cannot make the server hold an unbounded amount of memory.
    /// </summary>
    /// <value>The default value is 64 MiB.</value>
    public int OutputBufferHardLimitBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Gets or sets how long a connection the server closes may take to flush what was sent to it before it is cut.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan CloseFlushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets whether the server grants ZkAspire clients that ask for it the trace-context
    /// extension (<c>zkaspire.traceContext</c>), so that its request spans join the callers' traces
    /// (docs/telemetry.md). Stock clients never ask, and never see a byte of it either way.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool AcceptTraceContext { get; set; } = true;

    /// <summary>Gets whether a four-letter word is enabled by <see cref="FourLetterWordWhitelist"/>.</summary>
    /// <param name="command">The command.</param>
    /// <returns><see langword="true"/> if it may run.</returns>
    public bool IsFourLetterWordEnabled(string command) =>
        FourLetterWordWhitelist.Contains("*") || FourLetterWordWhitelist.Contains(command);

    /// <summary>Gets the smallest session timeout in effect: <see cref="MinSessionTimeoutMs"/>, or 2 × tickTime when it is −1.</summary>
    public int EffectiveMinSessionTimeoutMs => MinSessionTimeoutMs == -1 ? TickTimeMs * 2 : MinSessionTimeoutMs;

    /// <summary>Gets the largest session timeout in effect: <see cref="MaxSessionTimeoutMs"/>, or 20 × tickTime when it is −1.</summary>
    public int EffectiveMaxSessionTimeoutMs => MaxSessionTimeoutMs == -1 ? TickTimeMs * 20 : MaxSessionTimeoutMs;

    /// <summary>Checks that the settings make sense together.</summary>
    /// <exception cref="Configuration.ZooKeeperConfigurationException">A setting is out of range.</exception>
    public void Validate()
    {
        Require(TickTimeMs > 0, "tickTime", TickTimeMs, "must be positive");
        Require(ClientPort is >= 0 and <= 65535, "clientPort", ClientPort, "must be between 0 and 65535");
        Require(!string.IsNullOrWhiteSpace(ClientPortAddress), "clientPortAddress", ClientPortAddress, "must not be empty");
        Require(MaxClientCnxns >= 0, "maxClientCnxns", MaxClientCnxns, "must be 0 (no limit) or more");
        Require(MaxCnxns >= 0, "maxCnxns", MaxCnxns, "must be 0 (no limit) or more");
        Require(MinSessionTimeoutMs == -1 || MinSessionTimeoutMs > 0, "minSessionTimeout", MinSessionTimeoutMs, "must be positive (or -1 for 2 x tickTime)");
        Require(MaxSessionTimeoutMs == -1 || MaxSessionTimeoutMs > 0, "maxSessionTimeout", MaxSessionTimeoutMs, "must be positive (or -1 for 20 x tickTime)");

        // ZooKeeper (QuorumPeerConfig.parseProperties): "minSessionTimeout must not be larger than maxSessionTimeout".
        Require(EffectiveMinSessionTimeoutMs <= EffectiveMaxSessionTimeoutMs, "minSessionTimeout", EffectiveMinSessionTimeoutMs, "must not be larger than maxSessionTimeout");
        Require(JuteMaxBuffer > 0, "jute.maxbuffer", JuteMaxBuffer, "must be positive");
        Require(GlobalOutstandingLimit > 0, "globalOutstandingLimit", GlobalOutstandingLimit, "must be positive");
        Require(ContainerCheckIntervalMs > 0, "znode.container.checkIntervalMs", ContainerCheckIntervalMs, "must be positive");
        Require(InitLimit > 0, "initLimit", InitLimit, "must be positive");
        Require(SyncLimit > 0, "syncLimit", SyncLimit, "must be positive");
        Require(ServerId is >= 0 and <= 255, "myid", ServerId, "must be between 0 and 255 (it is the top byte of session ids)");
        Require(SnapCount >= 2, "snapCount", SnapCount, "must be 2 or more");
        Require(DataDir is null || !string.IsNullOrWhiteSpace(DataDir), "dataDir", DataDir ?? string.Empty, "must not be empty (leave it out to keep the data in memory)");
        Require(DataLogDir is null || DataDir is not null, "dataLogDir", DataLogDir ?? string.Empty, "needs a dataDir too (snapshots and the session secret live there)");
        Require(PreAllocSizeKb is >= 4 and <= int.MaxValue, "preAllocSize", PreAllocSizeKb, "must be at least 4 (KB)");
        Require(SnapSizeLimitInKb <= int.MaxValue * 1024L, "snapSizeLimitInKb", SnapSizeLimitInKb, "is too large");
        Require(TxnLogSizeLimitInKb >= PreAllocSizeKb && TxnLogSizeLimitInKb <= int.MaxValue * 1024L, "txnLogSizeLimitInKb", TxnLogSizeLimitInKb, "must not be smaller than preAllocSize (" + PreAllocSizeKb.ToString(System.Globalization.CultureInfo.InvariantCulture) + " KB)");
        Require(AutopurgeSnapRetainCount >= 3, "autopurge.snapRetainCount", AutopurgeSnapRetainCount, "must be 3 or more");
        Require(AutopurgePurgeIntervalHours >= 0, "autopurge.purgeInterval", AutopurgePurgeIntervalHours, "must be 0 (disabled) or more");
        Require(AdminServerPort is >= 0 and <= 65535, "admin.serverPort", AdminServerPort, "must be between 0 and 65535");
        Require(SessionlessConnectionTimeoutMs > 0, "nio.sessionlessCnxnTimeout", SessionlessConnectionTimeoutMs, "must be positive");
        Require(OutputBufferSoftLimitBytes > 0, "zkaspire.outputBufferSoftLimit", OutputBufferSoftLimitBytes, "must be positive");
        Require(OutputBufferHardLimitBytes >= OutputBufferSoftLimitBytes, "zkaspire.outputBufferHardLimit", OutputBufferHardLimitBytes, "must not be smaller than zkaspire.outputBufferSoftLimit");
        Require(SuperDigest is null || SuperDigest.Contains(':', StringComparison.Ordinal), "DigestAuthenticationProvider.superDigest", SuperDigest ?? string.Empty, "must be user:base64(sha1(user:password))");
        Require(CloseFlushTimeout > TimeSpan.Zero, "closeFlushTimeout", CloseFlushTimeout, "must be positive");
        Require(QuorumSecret is null || QuorumSecret.Length >= 16, "zkaspire.quorumSecretFile", QuorumSecret?.Length ?? 0, "must hold at least 16 bytes");
        Require(CommitLogCount >= 0, "commitLogCount", CommitLogCount, "must be 0 or more");
        Require(PeerConnectTimeoutMs > 0, "cnxTimeout", PeerConnectTimeoutMs, "must be positive");
        Require(PeerMaxFrameBytes >= 64 * 1024, "zkaspire.peerMaxFrameBytes", PeerMaxFrameBytes, "must be at least 65536");
        Require(PeerSendQueueBytes >= 64 * 1024, "zkaspire.peerSendQueueBytes", PeerSendQueueBytes, "must be at least 65536");
        if (IsReplicated)
        {
            ValidateEnsemble();
        }
    }

    private void ValidateEnsemble()
    {
        var members = GetEnsemble();
        var id = ServerId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // ZooKeeper (QuorumPeerConfig): "dataDir is not set", and myid must name a server line.
        Require(DataDir is not null, "dataDir", string.Empty, "must be set for a replicated ensemble (the myid file, the epochs and the txn log live there)");
        Require(ServerId > 0, "myid", ServerId, "must be set (the myid file in dataDir) for a replicated ensemble, 1 to 255");
        var me = members.FirstOrDefault(m => m.Id == ServerId);
        Require(me is not null, "myid", ServerId, "is not one of the server.N lines (" + string.Join(", ", members.Select(m => "server." + m.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")");
        Require(members.Any(m => m.Type == Consensus.LearnerType.Participant), "server.N", string.Join(", ", Servers.Values), "must name at least one participant (observers never vote)");
        Require(PeerType is null || PeerType == me!.Type, "peerType", PeerType?.ToString().ToLowerInvariant() ?? string.Empty, "must agree with server." + id + " (" + me!.Type.ToString().ToLowerInvariant() + ")");
        Require(me.ClientPort is null || ClientPort == 0 || me.ClientPort == ClientPort, "clientPort", ClientPort, "differs from the client port of server." + id + " (" + me.ClientPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")");
        foreach (var member in members)
        {
            Require(member.Id is > 0 and <= 255, "server." + member.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), member.Id, "the id must be between 1 and 255 (it is the top byte of session ids)");
        }
    }

    private static void Require(bool condition, string key, object value, string rule)
    {
        if (!condition)
        {
            throw new Configuration.ZooKeeperConfigurationException(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, rule);
        }
    }
}
