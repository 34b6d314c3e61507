// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ZkAspire.Server.Host;

/// <summary>Runs a <see cref="ZooKeeperServer"/> for the lifetime of the generic host.</summary>
/// <param name="options">The server's settings.</param>
/// <param name="loggerFactory">Where the server logs.</param>
internal sealed class ZooKeeperServerService(ZooKeeperServerOptions options, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly ZooKeeperServer _server = new(options, loggerFactory);

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => _server.StartAsync(cancellationToken);

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => _server.StopAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
