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
/// <para>
/// Differences from a default <see cref="ZooKeeperServerOptions"/>, chosen for tests: port 0 (the
/// OS picks a free one, kept across <see cref="RestartAsync"/>), every four-letter word enabled,
/// and no per-address connection limit (every test client comes from 127.0.0.1). Pass
/// <c>configure</c> to change anything, e.g. <c>o =&gt; o.TickTimeMs = 100</c> for quick session expiry.
/// </para>
/// <para>
/// <see cref="StartAsync(Action{ZooKeeperServerOptions}?, ILoggerFactory?, TimeProvider?, CancellationToken)"/>
/// keeps the data in memory, which is fastest: a restart keeps it in the object. To test what a
/// restart from disk does (Curator's <c>TestingServer</c> with a temp directory), use
/// <see cref="StartWithDataDirectoryAsync"/>: every write goes through the txn log, and
/// <see cref="RestartAsync"/> recovers the data and sessions from the directory as a new process would.
/// </para>
/// </remarks>
public sealed class ZooKeeperTestServer : IAsyncDisposable
{
    private readonly string? _ownedDirectory;

    private ZooKeeperTestServer(ZooKeeperServer server, string? ownedDirectory)
    {
        Server = server;
        _ownedDirectory = ownedDirectory;
    }

    /// <summary>Gets the server.</summary>
    public ZooKeeperServer Server { get; }

    /// <summary>Gets the data directory, or <see langword="null"/> when the data is kept in memory.</summary>
    public string? DataDirectory => Server.Options.DataDir;

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
    public static Task<ZooKeeperTestServer> StartAsync(
        Action<ZooKeeperServerOptions>? configure = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default) =>
        StartAsync(TestOptions(), null, configure, loggerFactory, timeProvider, cancellationToken);

    /// <summary>
    /// Starts a server on a free loopback port that keeps its data in a directory: writes go
    /// through the txn log, and <see cref="RestartAsync"/> recovers from the directory.
    /// </summary>
    /// <remarks>
    /// forceSync is off unless <paramref name="configure"/> turns it on: a restart in the same
    /// process (or a killed process) cannot lose what the OS has been given, only a power loss or
    /// an OS crash can, so syncing would only slow the tests down.
    /// </remarks>
    /// <param name="dataDir">The data directory; <see langword="null"/> for a new temporary one, deleted on dispose.</param>
    /// <param name="configure">Changes the options before the start.</param>
    /// <param name="loggerFactory">Where the server logs; nowhere by default.</param>
    /// <param name="timeProvider">The clock; the system clock by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    public static Task<ZooKeeperTestServer> StartWithDataDirectoryAsync(
        string? dataDir = null,
        Action<ZooKeeperServerOptions>? configure = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        var owned = dataDir is null ? Path.Combine(Path.GetTempPath(), "zkaspire-test-" + Guid.NewGuid().ToString("n")) : null;
        var options = TestOptions();
        options.DataDir = dataDir ?? owned;
        options.ForceSync = false;
        return StartAsync(options, owned, configure, loggerFactory, timeProvider, cancellationToken);
    }

    private static ZooKeeperServerOptions TestOptions() => new()
    {
        ClientPortAddress = "127.0.0.1",
        ClientPort = 0,
        MaxClientCnxns = 0,
        FourLetterWordWhitelist = new HashSet<string>(StringComparer.Ordinal) { "*" },
    };

    private static async Task<ZooKeeperTestServer> StartAsync(
        ZooKeeperServerOptions options,
        string? ownedDirectory,
        Action<ZooKeeperServerOptions>? configure,
        ILoggerFactory? loggerFactory,
        TimeProvider? timeProvider,
        CancellationToken cancellationToken)
    {
        configure?.Invoke(options);
        var server = new ZooKeeperServer(options, loggerFactory, timeProvider);
        var testServer = new ZooKeeperTestServer(server, ownedDirectory);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await testServer.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        testServer.Port = server.Port;
        return testServer;
    }

    /// <summary>Stops the server: connections drop, clients see a disconnection. Data and sessions are kept (in memory, or in the data directory).</summary>
    /// <param name="cancellationToken">Stops waiting for connections to close.</param>
    /// <returns>A task that completes when it is stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) => Server.StopAsync(cancellationToken);

    /// <summary>Starts the server again on the same port, with its data and sessions (recovered from the data directory, if it has one).</summary>
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

    /// <summary>Stops the server and deletes the data directory if it made one.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync().ConfigureAwait(false);
        if (_ownedDirectory is not null && Directory.Exists(_ownedDirectory))
        {
            Directory.Delete(_ownedDirectory, recursive: true);
        }
    }
}
