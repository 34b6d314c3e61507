// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Testing;
using ZkAspire.TestInfrastructure;
using ZkAspire.TestInfrastructure.Contract;

// One server of each kind serves the whole assembly (TestInfrastructure's Contract/ServerFixture).
[assembly: AssemblyFixture(typeof(ZkAspireServer))]
[assembly: AssemblyFixture(typeof(ApacheServer))]

namespace ZkAspire.Recipes.Tests.Infrastructure;

/// <summary>
/// ZkAspire's server with a 100 ms tick (sessions of 200 ms to 2 s), for expiry and restart tests;
/// one per test class, since those tests disturb every session on it.
/// </summary>
public sealed class ZkAspireFaultServer : ServerFixture
{
    private ZooKeeperTestServer? _server;

    /// <inheritdoc/>
    public override string ConnectionString => Server.ConnectionString;

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
