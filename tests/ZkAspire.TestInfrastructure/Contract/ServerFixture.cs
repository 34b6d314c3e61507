// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Testing;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.TestInfrastructure.Contract;

/// <summary>
/// A ZooKeeper server the contract scenarios run against, written once and run against ZkAspire's
/// in-process server and Apache ZooKeeper 3.8 alike (the contract style of DistributedLock's
/// tests). One server of each kind serves a test assembly (<c>[assembly: AssemblyFixture]</c>);
/// every test works under paths of its own.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime, ICuratorServer
{
    private int _next;

    /// <summary>Gets the connection string (<c>127.0.0.1:port</c>).</summary>
    public abstract string ConnectionString { get; }

    /// <summary>Gets the client port.</summary>
    public int Port => int.Parse(ConnectionString[(ConnectionString.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public abstract ValueTask InitializeAsync();

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();

    /// <summary>A fresh path for one test.</summary>
    /// <param name="name">A readable part of the name.</param>
    /// <returns>A path under the root.</returns>
    public string UniquePath(string name = "t") => "/" + name + "-" + Interlocked.Increment(ref _next) + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Options of a test client: short timeouts, a few quick retries.</summary>
    /// <param name="connectionString">Another connection string (through a proxy), if any.</param>
    /// <returns>The options.</returns>
    public ZooKeeperClientOptions Options(string? connectionString = null) => new()
    {
        ConnectionString = connectionString ?? ConnectionString,
        SessionTimeout = TimeSpan.FromSeconds(10),
        ConnectionTimeout = TimeSpan.FromSeconds(10),
        RetryPolicy = new RetryNTimes(5, TimeSpan.FromMilliseconds(100)),
    };

    /// <summary>Connects a client with a session of its own.</summary>
    /// <param name="configure">Changes to the test options.</param>
    /// <returns>The connected client.</returns>
    public Task<ZooKeeperClient> ConnectAsync(Action<ZooKeeperClientOptions>? configure = null) => ConnectCoreAsync(null, configure);

    /// <summary>Connects a client with a session of its own through another connection string (a proxy).</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="configure">Changes to the test options.</param>
    /// <returns>The connected client.</returns>
    public Task<ZooKeeperClient> ConnectAsync(string connectionString, Action<ZooKeeperClientOptions>? configure = null) => ConnectCoreAsync(connectionString, configure);

    private Task<ZooKeeperClient> ConnectCoreAsync(string? connectionString, Action<ZooKeeperClientOptions>? configure)
    {
        var options = Options(connectionString);
        configure?.Invoke(options);
        return ZooKeeperClient.ConnectAsync(options, TestContext.Current.CancellationToken);
    }
}

/// <summary>ZkAspire's server, in process.</summary>
public sealed class ZkAspireServer : ServerFixture
{
    private ZooKeeperTestServer? _server;

    /// <inheritdoc/>
    public override string ConnectionString => Server.ConnectionString;

    /// <summary>Gets the server.</summary>
    public ZooKeeperTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc/>
    public override async ValueTask InitializeAsync() => _server = await ZooKeeperTestServer.StartAsync();

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Apache ZooKeeper 3.8 from Debian's package: the behavioural oracle.</summary>
public sealed class ApacheServer : ServerFixture
{
    private ApacheZooKeeper? _server;

    /// <inheritdoc/>
    public override string ConnectionString => Server.ConnectionString;

    /// <summary>Gets the server.</summary>
    public ApacheZooKeeper Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc/>
    public override async ValueTask InitializeAsync() => _server = await ApacheZooKeeper.StartAsync();

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
