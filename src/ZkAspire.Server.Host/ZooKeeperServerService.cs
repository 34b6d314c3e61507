// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ZkAspire.Server.Host;

/// <summary>Runs a <see cref="ZooKeeperServer"/> for the lifetime of the generic host.</summary>
/// <param name="options">The server's settings.</param>
/// <param name="loggerFactory">Where the server logs.</param>
/// <param name="lifetime">Stopped when the server stops itself (a member of an ensemble whose disk failed).</param>
internal sealed class ZooKeeperServerService(ZooKeeperServerOptions options, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime) : IHostedService, IAsyncDisposable
{
    private readonly ZooKeeperServer _server = new(options, loggerFactory);

    /// <summary>Gets the error that made the server stop itself, if it did (the program then exits with 1).</summary>
    public Exception? Fault { get; private set; }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);

        // ZooKeeper exits when a member cannot write its log; so does the program.
        _ = WatchForFaultAsync();
    }

    private async Task WatchForFaultAsync()
    {
        Fault = await _server.Fault.ConfigureAwait(false);
        lifetime.StopApplication();
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => _server.StopAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
