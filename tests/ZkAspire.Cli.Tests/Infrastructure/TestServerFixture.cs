// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Testing;

namespace ZkAspire.Cli.Tests.Infrastructure;

/// <summary>One in-process ZkAspire server for a test class; each test works under its own path.</summary>
public sealed class TestServerFixture : IAsyncLifetime
{
    private ZooKeeperTestServer? _server;

    /// <summary>Gets the server.</summary>
    public ZooKeeperTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <summary>Gets the connection string.</summary>
    public string ConnectionString => Server.ConnectionString;

    /// <summary>A path no other test uses.</summary>
    public static string UniquePath(string prefix = "/cli") => prefix + "-" + Guid.NewGuid().ToString("n")[..10];

    /// <inheritdoc/>
    public async ValueTask InitializeAsync() =>
        _server = await ZooKeeperTestServer.StartAsync(o => o.ExtendedTypesEnabled = true);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
