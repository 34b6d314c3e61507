// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Testing;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.TestInfrastructure.Contract;

/// <summary>
/// A ZooKeeper server the contract runs against: ZkAspire's in-process server and Apache ZooKeeper
/// 3.8 alike. One of each serves the assembly; every test uses a base path of its own.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime, ICuratorServer
{
    private int _next;

    /// <summary>Gets the connection string.</summary>
    public abstract string ConnectionString { get; }

    /// <inheritdoc/>
    public abstract ValueTask InitializeAsync();

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();

    /// <summary>A fresh base path for one test.</summary>
    /// <param name="name">A readable part.</param>
    /// <returns>The path.</returns>
    public string UniquePath(string name = "t") => "/" + name + "-" + Interlocked.Increment(ref _next) + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Options of a test client.</summary>
    /// <returns>The options.</returns>
    public ZooKeeperClientOptions Options() => new()
    {
        ConnectionString = ConnectionString,
        SessionTimeout = TimeSpan.FromSeconds(10),
        ConnectionTimeout = TimeSpan.FromSeconds(10),
        RetryPolicy = new RetryNTimes(5, TimeSpan.FromMilliseconds(100)),
    };

    /// <summary>Connects a client with a session of its own.</summary>
    /// <returns>The client.</returns>
    public Task<ZooKeeperClient> ConnectAsync() => ZooKeeperClient.ConnectAsync(Options(), TestContext.Current.CancellationToken);
}

/// <summary>ZkAspire's server, in process.</summary>
public sealed class ZkAspireServer : ServerFixture
{
    private ZooKeeperTestServer? _server;

    /// <inheritdoc/>
    public override string ConnectionString => (_server ?? throw new InvalidOperationException("Not started.")).ConnectionString;

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
    public override string ConnectionString => (_server ?? throw new InvalidOperationException("Not started.")).ConnectionString;

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
