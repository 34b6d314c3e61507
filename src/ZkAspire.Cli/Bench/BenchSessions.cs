// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;

namespace ZkAspire.Cli.Bench;

/// <summary>Opens the sessions a bench workload drives: all connected, or none left open.</summary>
internal static class BenchSessions
{
    /// <summary>Connects <paramref name="count"/> sessions; if any fails, closes them all and throws.</summary>
    /// <param name="count">How many sessions.</param>
    /// <param name="connectString">The connect string of session <c>i</c>.</param>
    /// <param name="displayConnectString">The connect string named in an error.</param>
    /// <param name="sessionTimeout">The session timeout asked for.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connected clients.</returns>
    /// <exception cref="BenchRunException">A session could not connect.</exception>
    public static async Task<List<ZooKeeperClient>> ConnectAsync(
        int count,
        Func<int, string> connectString,
        string displayConnectString,
        TimeSpan sessionTimeout,
        CancellationToken cancellationToken)
    {
        var clients = new List<ZooKeeperClient>(count);
        for (var i = 0; i < count; i++)
        {
            clients.Add(new ZooKeeperClient(new ZooKeeperClientOptions
            {
                ConnectionString = connectString(i),
                SessionTimeout = sessionTimeout,
                ConnectionTimeout = TimeSpan.FromSeconds(15),

                // A retry would hide a failure and stretch a latency: the bench counts each try.
                RetryPolicy = RetryNTimes.Never,
                DefaultData = null,
            }));
        }

        try
        {
            await Task.WhenAll(clients.Select(c => c.ConnectAsync(cancellationToken))).ConfigureAwait(false);
            return clients;
        }
        catch (Exception e) when (e is KeeperException or TimeoutException or System.Net.Sockets.SocketException or IOException)
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
            throw new BenchRunException($"cannot connect {count} sessions to {displayConnectString}: {e.Message}", e);
        }
        catch
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
            throw;
        }
    }
}
