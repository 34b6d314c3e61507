// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;

namespace ZkAspire.Client.Tests.Infrastructure;

/// <summary>
/// A ZooKeeper server the client scenarios run against, shared by the tests of one class. The
/// scenarios are written against this base so that the contract suite can run them against
/// Apache ZooKeeper and against ZkAspire's server alike.
/// </summary>
public abstract class ZooKeeperServerFixture : IAsyncLifetime
{
    private int _next;

    /// <summary>Gets the connection string (<c>127.0.0.1:port</c>).</summary>
    public abstract string ConnectionString { get; }

    /// <summary>Gets the port of the client endpoint.</summary>
    public abstract int Port { get; }

    /// <summary>Gets whether TTL nodes are enabled (zookeeper.extendedTypesEnabled).</summary>
    public virtual bool TtlEnabled => false;

    /// <summary>Gets whether the server reaps empty containers and expired TTL nodes within a second.</summary>
    public virtual bool FastReaper => false;

    /// <summary>Gets what the server logged, for failure messages.</summary>
    public virtual string Log => string.Empty;

    /// <inheritdoc/>
    public abstract ValueTask InitializeAsync();

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();

    /// <summary>A fresh path for one test, so tests sharing the server do not collide.</summary>
    /// <param name="name">A readable part of the name.</param>
    /// <returns>A path under <c>/t</c>.</returns>
    public string UniquePath(string name = "n") => "/t-" + name + "-" + Interlocked.Increment(ref _next) + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Options for a client of this server, with short timeouts for tests.</summary>
    /// <param name="connectionString">Another connection string (e.g. through a proxy), if any.</param>
    /// <returns>The options.</returns>
    public ZooKeeperClientOptions Options(string? connectionString = null) => new()
    {
        ConnectionString = connectionString ?? ConnectionString,
        SessionTimeout = TimeSpan.FromSeconds(10),
        ConnectionTimeout = TimeSpan.FromSeconds(10),
        RetryPolicy = new RetryNTimes(3, TimeSpan.FromMilliseconds(100)),
    };

    /// <summary>Connects a client.</summary>
    /// <param name="configure">Changes to the default test options.</param>
    /// <returns>The connected client.</returns>
    public Task<ZooKeeperClient> ConnectAsync(Action<ZooKeeperClientOptions>? configure = null)
    {
        var options = Options();
        configure?.Invoke(options);
        return ZooKeeperClient.ConnectAsync(options, TestContext.Current.CancellationToken);
    }
}
