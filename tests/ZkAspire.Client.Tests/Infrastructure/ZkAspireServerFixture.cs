// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Testing;

namespace ZkAspire.Client.Tests.Infrastructure;

/// <summary>ZkAspire's own server, in process: the same client scenarios as against Apache ZooKeeper.</summary>
public class ZkAspireServerFixture : ZooKeeperServerFixture
{
    private ZooKeeperTestServer? _server;

    /// <inheritdoc/>
    public override string ConnectionString => Server.ConnectionString;

    /// <inheritdoc/>
    public override int Port => Server.Port;

    /// <summary>Gets the running server.</summary>
    public ZooKeeperTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <inheritdoc/>
    public override async ValueTask InitializeAsync() =>
        _server = await ZooKeeperTestServer.StartAsync(Configure, cancellationToken: TestContext.Current.CancellationToken);

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Changes the server's settings before it starts.</summary>
    /// <param name="options">The settings.</param>
    protected virtual void Configure(ZkAspire.Server.ZooKeeperServerOptions options)
    {
    }
}

/// <summary>ZkAspire's server with TTL nodes enabled and a reaper that runs every 100 ms.</summary>
public sealed class ZkAspireServerWithTtlFixture : ZkAspireServerFixture
{
    /// <inheritdoc/>
    public override bool TtlEnabled => true;

    /// <inheritdoc/>
    public override bool FastReaper => true;

    /// <inheritdoc/>
    protected override void Configure(ZkAspire.Server.ZooKeeperServerOptions options)
    {
        options.ExtendedTypesEnabled = true;
        options.ContainerCheckIntervalMs = 100;
    }
}
