// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.TestInfrastructure;

namespace ZkAspire.Client.Tests.Infrastructure;

/// <summary>Apache ZooKeeper 3.8 from Debian's package, the behavioural oracle.</summary>
public class ApacheZooKeeperFixture : ZooKeeperServerFixture
{
    private ApacheZooKeeper? _server;

    /// <inheritdoc/>
    public override string ConnectionString => Server.ConnectionString;

    /// <inheritdoc/>
    public override int Port => Server.Port;

    /// <inheritdoc/>
    public override string Log => _server?.Log ?? string.Empty;

    /// <summary>Gets the running server.</summary>
    public ApacheZooKeeper Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>Gets JVM system properties for the server.</summary>
    protected virtual IEnumerable<string> SystemProperties => [];

    /// <inheritdoc/>
    public override async ValueTask InitializeAsync() =>
        _server = await ApacheZooKeeper.StartAsync(systemProperties: SystemProperties);

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// Apache ZooKeeper with TTL nodes enabled (zookeeper.extendedTypesEnabled=true) and a container
/// and TTL reaper that runs every 100 ms instead of every minute, so tests can see containers go.
/// </summary>
public sealed class ApacheZooKeeperWithTtlFixture : ApacheZooKeeperFixture
{
    /// <inheritdoc/>
    public override bool TtlEnabled => true;

    /// <inheritdoc/>
    public override bool FastReaper => true;

    /// <inheritdoc/>
    protected override IEnumerable<string> SystemProperties => ["zookeeper.extendedTypesEnabled=true", "znode.container.checkIntervalMs=100"];
}
