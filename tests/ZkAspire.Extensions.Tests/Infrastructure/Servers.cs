// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Extensions.Tests.Infrastructure;
using ZkAspire.Testing;
using ZkAspire.TestInfrastructure;

[assembly: AssemblyFixture(typeof(ZkAspireServer))]
[assembly: AssemblyFixture(typeof(ApacheServer))]

namespace ZkAspire.Extensions.Tests.Infrastructure;

/// <summary>
/// A ZooKeeper server the scenarios run against, written once and run against ZkAspire's server
/// and Apache ZooKeeper alike. One server of each kind serves the assembly; every test works under
/// a path of its own.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    private int _next;

    /// <summary>Gets the connection string.</summary>
    public abstract string ConnectionString { get; }

    /// <inheritdoc/>
    public abstract ValueTask InitializeAsync();

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();

    /// <summary>Gets the client port.</summary>
    public int Port => int.Parse(ConnectionString[(ConnectionString.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A fresh path for one test.</summary>
    /// <param name="name">A readable part of the name.</param>
    /// <returns>The path.</returns>
    public string UniquePath(string name = "cfg") => "/" + name + "-" + Interlocked.Increment(ref _next) + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Connects a client of the test's own.</summary>
    /// <param name="connectionString">Another connection string (a proxy), if any.</param>
    /// <param name="configure">Changes to the options.</param>
    /// <returns>The client.</returns>
    public Task<ZooKeeperClient> ConnectAsync(string? connectionString = null, Action<ZooKeeperClientOptions>? configure = null)
    {
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = connectionString ?? ConnectionString,
            SessionTimeout = TimeSpan.FromSeconds(10),
            ConnectionTimeout = TimeSpan.FromSeconds(10),
            RetryPolicy = new RetryNTimes(5, TimeSpan.FromMilliseconds(100)),
            DefaultData = null,
        };
        configure?.Invoke(options);
        return ZooKeeperClient.ConnectAsync(options, TestContext.Current.CancellationToken);
    }
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
