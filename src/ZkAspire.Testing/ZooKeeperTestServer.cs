// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using Microsoft.Extensions.Logging;
using ZkAspire.Server;

namespace ZkAspire.Testing;

/// <summary>
/// An in-process ZooKeeper server on a free loopback port, for tests (Curator's <c>TestingServer</c>):
/// <c>await using var server = await ZooKeeperTestServer.StartAsync();</c> then connect to
/// <see cref="ConnectionString"/>.
/// </summary>
/// <remarks>
/// Differences from a default <see cref="ZooKeeperServerOptions"/>, chosen for tests: port 0 (the
/// OS picks a free one, kept across <see cref="RestartAsync"/>), every four-letter word enabled,
/// and no per-address connection limit (every test client comes from 127.0.0.1). Pass
/// <c>configure</c> to change anything, e.g. <c>o =&gt; o.TickTimeMs = 100</c> for quick session expiry.
/// </remarks>
public sealed class ZooKeeperTestServer : IAsyncDisposable
{
    private ZooKeeperTestServer(ZooKeeperServer server)
    {
        Server = server;
    }

    /// <summary>Gets the server.</summary>
    public ZooKeeperServer Server { get; }

    /// <summary>Gets the server's settings.</summary>
    public ZooKeeperServerOptions Options => Server.Options;

    /// <summary>Gets the client port.</summary>
    public int Port { get; private set; }

    /// <summary>Gets the connection string, <c>127.0.0.1:port</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>Gets whether the server is serving.</summary>
    public bool IsRunning => Server.IsRunning;

    /// <summary>Starts a server on a free loopback port.</summary>
    /// <param name="configure">Changes the options before the start.</param>
    /// <param name="loggerFactory">Where the server logs; nowhere by default.</param>
    /// <param name="timeProvider">The clock; the system clock by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    public static async Task<ZooKeeperTestServer> StartAsync(
        Action<ZooKeeperServerOptions>? configure = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        var options = new ZooKeeperServerOptions
        {
            ClientPortAddress = "127.0.0.1",
            ClientPort = 0,
            MaxClientCnxns = 0,
            FourLetterWordWhitelist = new HashSet<string>(StringComparer.Ordinal) { "*" },
        };
        configure?.Invoke(options);
        var server = new ZooKeeperServer(options, loggerFactory, timeProvider);
        var testServer = new ZooKeeperTestServer(server);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        testServer.Port = server.Port;
        return testServer;
    }

    /// <summary>Stops the server: connections drop, clients see a disconnection. Data and sessions are kept.</summary>
    /// <param name="cancellationToken">Stops waiting for connections to close.</param>
    /// <returns>A task that completes when it is stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) => Server.StopAsync(cancellationToken);

    /// <summary>Starts the server again on the same port, with its data and sessions.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when it serves.</returns>
    public Task StartAsync(CancellationToken cancellationToken = default) => Server.StartAsync(cancellationToken);

    /// <summary>Stops and starts the server (Curator's <c>TestingServer.restart</c>).</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when it serves again.</returns>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await Server.StopAsync(cancellationToken).ConfigureAwait(false);
        await Server.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
