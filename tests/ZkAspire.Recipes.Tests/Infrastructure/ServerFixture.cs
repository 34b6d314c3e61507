// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Recipes.Tests.Infrastructure;
using ZkAspire.Testing;
using ZkAspire.TestInfrastructure;

[assembly: AssemblyFixture(typeof(ZkAspireServer))]
[assembly: AssemblyFixture(typeof(ApacheServer))]

namespace ZkAspire.Recipes.Tests.Infrastructure;

/// <summary>
/// A ZooKeeper server the recipe scenarios run against. The scenarios are written once against
/// this base and run against ZkAspire's server and Apache ZooKeeper alike (the contract style of
/// DistributedLock's tests). One server of each kind serves the whole assembly; every test works
/// under paths of its own.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime, ICuratorServer
{
    private int _next;

    /// <summary>Gets the connection string (<c>127.0.0.1:port</c>).</summary>
    public abstract string ConnectionString { get; }

    /// <summary>Gets the client port.</summary>
    public abstract int Port { get; }

    /// <inheritdoc/>
    public abstract ValueTask InitializeAsync();

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();

    /// <summary>A fresh path for one test.</summary>
    /// <param name="name">A readable part of the name.</param>
    /// <returns>A path under the root.</returns>
    public string UniquePath(string name = "r") => "/" + name + "-" + Interlocked.Increment(ref _next) + "-" + Guid.NewGuid().ToString("N")[..8];

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

    /// <summary>Connects a client (a session of its own).</summary>
    /// <param name="configure">Changes to the test options.</param>
    /// <returns>The connected client.</returns>
    public Task<ZooKeeperClient> ConnectAsync(Action<ZooKeeperClientOptions>? configure = null)
    {
        var options = Options();
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

    /// <inheritdoc/>
    public override int Port => Server.Port;

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

    /// <inheritdoc/>
    public override int Port => Server.Port;

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

/// <summary>
/// ZkAspire's server with a 100 ms tick (sessions of 200 ms to 2 s), for expiry and restart tests;
/// one per test class, since those tests disturb every session on it.
/// </summary>
public sealed class ZkAspireFaultServer : ServerFixture
{
    private ZooKeeperTestServer? _server;

    /// <inheritdoc/>
    public override string ConnectionString => Server.ConnectionString;

    /// <inheritdoc/>
    public override int Port => Server.Port;

    /// <summary>Gets the server.</summary>
    public ZooKeeperTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc/>
    public override async ValueTask InitializeAsync() => _server = await ZooKeeperTestServer.StartAsync(o => o.TickTimeMs = 100);

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Apache ZooKeeper with a 100 ms tick (sessions of 200 ms to 2 s), for expiry tests.</summary>
public sealed class ApacheFaultServer : ServerFixture
{
    private ApacheZooKeeper? _server;

    /// <inheritdoc/>
    public override string ConnectionString => Server.ConnectionString;

    /// <inheritdoc/>
    public override int Port => Server.Port;

    /// <summary>Gets the server.</summary>
    public ApacheZooKeeper Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc/>
    public override async ValueTask InitializeAsync() => _server = await ApacheZooKeeper.StartAsync(extraConfig: ["tickTime=100"]);

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
