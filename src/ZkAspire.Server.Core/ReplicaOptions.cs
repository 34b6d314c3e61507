// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>The settings the pure core needs. The host fills them from zoo.cfg.</summary>
public sealed class ReplicaOptions
{
    /// <summary>Gets or sets the length of a tick in milliseconds (<c>tickTime</c>).</summary>
    /// <value>The default value is 3000, as ZooKeeper's code (its sample zoo.cfg uses 2000).</value>
    public int TickTimeMs { get; set; } = 3000;

    /// <summary>Gets or sets the smallest session timeout granted (<c>minSessionTimeout</c>); −1 for 2 × tickTime.</summary>
    /// <value>The default value is −1.</value>
    public int MinSessionTimeoutMs { get; set; } = -1;

    /// <summary>Gets or sets the largest session timeout granted (<c>maxSessionTimeout</c>); −1 for 20 × tickTime.</summary>
    /// <value>The default value is −1.</value>
    public int MaxSessionTimeoutMs { get; set; } = -1;

    /// <summary>Gets or sets this server's id (<c>myid</c>); 0 for a standalone server.</summary>
    /// <value>The default value is 0.</value>
    public long ServerId { get; set; }

    /// <summary>Gets or sets whether TTL nodes are enabled (<c>zookeeper.extendedTypesEnabled</c>).</summary>
    /// <value>The default value is <see langword="false"/>, as ZooKeeper.</value>
    public bool ExtendedTypesEnabled { get; set; }

    /// <summary>
    /// Gets or sets the super user digest (<c>zookeeper.DigestAuthenticationProvider.superDigest</c>),
    /// <c>super:&lt;base64 sha1&gt;</c>; a connection that authenticates to it passes every ACL check.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no super user).</value>
    public string? SuperDigest { get; set; }

    /// <summary>Gets or sets the largest frame and znode data (<c>jute.maxbuffer</c>).</summary>
    /// <value>The default value is 0xFFFFF bytes.</value>
    public int MaxBufferBytes { get; set; } = Protocol.JuteLimits.DefaultMaxBuffer;

    /// <summary>Gets or sets how often containers and TTL nodes are checked (<c>znode.container.checkIntervalMs</c>).</summary>
    /// <value>The default value is 60000 ms.</value>
    public int ContainerCheckIntervalMs { get; set; } = 60_000;

    /// <summary>
    /// Gets or sets the first session id to hand out. The host derives it from the clock and the
    /// server id as ZooKeeper does, so that ids differ across restarts.
    /// </summary>
    /// <value>The default value is 1.</value>
    public long SessionIdSeed { get; set; } = 1;

    /// <summary>
    /// Gets or sets the content of <c>/zookeeper/config</c> for a member of an ensemble: its
    /// <c>server.N=…</c> lines and <c>version=…</c>, as ZooKeeper writes them. Each server sets it
    /// locally at start (reconfig is disabled, so it never changes).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the node stays empty, as on a standalone server.</value>
    public string? EnsembleConfig { get; set; }

    /// <summary>
    /// Gets or sets the secret session passwords are derived from (a keyed hash of the session id),
    /// so a session id alone grants nothing. The host generates and keeps it.
    /// </summary>
    /// <value>
    /// The default value is empty, which tests may use; a server must set 32 random bytes. Every
    /// server of an ensemble must use the same secret: a client resumes its session on any of them.
    /// </value>
    public byte[] SessionSecret { get; set; } = [];
}
