// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZkAspire.Client;

namespace ZkAspire.Extensions.Hosting.Internal;

/// <summary>
/// Starts one registered client with the host: creates it (it is a lazy singleton), starts
/// connecting, and waits for the first connection up to <see cref="ZooKeeperClientSettings.StartupTimeout"/>.
/// The client is closed by the service provider when the host is disposed, after every hosted
/// service has stopped, so services that still use it while stopping (membership, locks) can.
/// </summary>
internal sealed partial class ZooKeeperClientStarter(Func<ZooKeeperClient> client, string name, TimeSpan startupTimeout, ILogger logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var instance = client();
        if (startupTimeout <= TimeSpan.Zero)
        {
            // Start connecting in the background: WaitUntilConnectedAsync starts the connection and,
            // with no time to wait, returns at once.
            await instance.WaitUntilConnectedAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            return;
        }

        // ConnectAsync (not WaitUntilConnectedAsync) returns once the first connection has been
        // reported to the state listeners, so the health check sees it as soon as the host runs.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(startupTimeout);
        try
        {
            await instance.ConnectAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConnectionLossException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogNotConnected(logger, name, startupTimeout.TotalSeconds, instance.ConnectionString.ToString());
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Warning, "The ZooKeeper client '{Name}' did not connect to {Servers} within {Seconds} s; the host starts anyway and the client keeps trying.")]
    private static partial void LogNotConnected(ILogger logger, string name, double seconds, string servers);
}
