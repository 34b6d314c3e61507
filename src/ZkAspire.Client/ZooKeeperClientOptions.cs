// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Logging;
using ZkAspire.Client.Internal;
using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>Settings of a <see cref="ZooKeeperClient"/>.</summary>
public sealed class ZooKeeperClientOptions
{
    /// <summary>
    /// Gets or sets the servers and optional chroot: <c>host1:2181,host2:2181/app</c>. The client
    /// shuffles the hosts and moves to the next one when a connection fails, keeping its session.
    /// </summary>
    /// <value>The default value is <c>127.0.0.1:2181</c>.</value>
    public string ConnectionString { get; set; } = "127.0.0.1:" + ZooKeeperConnectionString.DefaultPort;

    /// <summary>
    /// Gets or sets the session timeout the client asks for; the server clamps it into its
    /// [minSessionTimeout, maxSessionTimeout] (by default 2 to 20 ticks).
    /// </summary>
    /// <value>The default value is 60 seconds, as in Curator.</value>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets how long an operation waits for a connection before it fails with
    /// <see cref="ConnectionLossException"/> (which the retry policy may retry), and how long
    /// <see cref="ZooKeeperClient.ConnectAsync(CancellationToken)"/> waits for the first one.
    /// </summary>
    /// <value>The default value is 15 seconds, as in Curator.</value>
    public TimeSpan ConnectionTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets the retry policy of every operation (see <see cref="IRetryPolicy"/> for what is retried).</summary>
    /// <value>The default value is an <see cref="ExponentialBackoffRetry"/> of 3 retries from 1 second.</value>
    public IRetryPolicy RetryPolicy { get; set; } = new ExponentialBackoffRetry(TimeSpan.FromSeconds(1), 3);

    /// <summary>
    /// Gets or sets Curator's namespace: a path prefix (without leading slash, e.g. <c>app</c> or
    /// <c>app/v1</c>) the client adds to every path it sends and removes from every path it
    /// returns. Unlike the chroot, the client creates the namespace node itself (as a container,
    /// like Curator) before its first operation.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Namespace { get; set; }

    /// <summary>Gets or sets whether the client accepts read-only servers (which answer writes with NotReadOnly).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool CanBeReadOnly { get; set; }

    /// <summary>
    /// Gets or sets whether the client offers ZkAspire servers its trace context, so that their
    /// request spans join the caller's trace. The client asks in the handshake, in bytes Apache
    /// ZooKeeper ignores, and sends the context only on connections where the server agreed; with
    /// any other server nothing changes (docs/telemetry.md).
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool PropagateTraceContext { get; set; }

    /// <summary>
    /// Gets or sets the data of a node created without data (the create overloads that take no
    /// data); Curator stores the client's local IP address, and so do we. Set to
    /// <see langword="null"/> to store null, as zkCli does.
    /// </summary>
    /// <value>The default value is the UTF-8 of the local IP address.</value>
    public byte[]? DefaultData { get; set; } = LocalAddress.DefaultData;

    /// <summary>Gets or sets the ACL of created nodes when a create names none.</summary>
    /// <value>The default value is <see cref="Acls.OpenAclUnsafe"/>, as in Curator's default ACL provider.</value>
    public IReadOnlyList<ACL> DefaultAcl { get; set; } = Acls.OpenAclUnsafe;

    /// <summary>Gets the credentials sent on every connection, before any request.</summary>
    public IList<AuthInfo> AuthInfo { get; } = [];

    /// <summary>Gets or sets the clock of every timeout, ping and retry delay.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets the client's <c>jute.maxbuffer</c>: the largest frame it accepts from the server
    /// (a larger one drops the connection, as in the Java client) and the largest request it sends
    /// (a larger one fails with <see cref="MarshallingErrorException"/> before anything is sent).
    /// </summary>
    /// <value>The default value is 0xFFFFF bytes, ZooKeeper's default.</value>
    public int MaxBufferBytes { get; set; } = JuteLimits.DefaultMaxBuffer;

    /// <summary>
    /// Gets or sets the id of an existing session to resume, with <see cref="SessionPassword"/>
    /// (0 for a new session). A client that resumes another's session takes it over; the other's
    /// connection is closed by the server.
    /// </summary>
    /// <value>The default value is 0.</value>
    public long SessionId { get; set; }

    /// <summary>Gets or sets the password of the session in <see cref="SessionId"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public byte[]? SessionPassword { get; set; }

    /// <summary>Gets or sets where the client logs connection events.</summary>
    /// <value>The default value is <see langword="null"/>: no logging.</value>
    public ILogger? Logger { get; set; }
}
