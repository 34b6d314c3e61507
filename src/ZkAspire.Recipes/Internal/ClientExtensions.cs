// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;

namespace ZkAspire.Recipes.Internal;

/// <summary>What the recipes need of the client beyond its public API, built from that API.</summary>
internal static class ClientExtensions
{
    /// <summary>Whether an exception means the connection or session failed under the operation.</summary>
    /// <param name="e">The exception.</param>
    /// <returns><see langword="true"/> for connection loss, timeouts and session expiry.</returns>
    public static bool IsConnectionProblem(Exception e) =>
        e is ConnectionLossException or OperationTimeoutException or SessionExpiredException or SessionMovedException;

    /// <summary>Deletes a node the guaranteed way (Curator's <c>delete().guaranteed()</c>), ignoring NoNode and connection failures.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The node.</param>
    /// <returns>A task that completes when the node is deleted or the client took the delete over.</returns>
    public static Task DeleteGuaranteedAsync(this ZooKeeperClient client, string path) => DeleteGuaranteedCoreAsync(client, path, CancellationToken.None);

    /// <summary>
    /// Deletes a node the guaranteed way, waiting for it only while the client is connected: when
    /// there is no connection, or it is lost meanwhile, the delete is left to the client's
    /// background guaranteed deletes (a canceled wait hands it over), done at the next connection.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The node.</param>
    /// <returns>A task that completes when the node is deleted or the client took the delete over.</returns>
    public static async Task DeleteGuaranteedWhileConnectedAsync(this ZooKeeperClient client, string path)
    {
        using var lost = new CancellationTokenSource();
        void OnConnectionStateChanged(object? sender, ConnectionStateChange change)
        {
            if (change.State is ConnectionState.Suspended or ConnectionState.Lost)
            {
                try
                {
                    lost.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The delete has ended already.
                }
            }
        }

        // Subscribed before the state is read, so a loss in between is not missed.
        client.ConnectionStateChanged += OnConnectionStateChanged;
        try
        {
            if (!client.IsConnected)
            {
                await lost.CancelAsync().ConfigureAwait(false);
            }

            await DeleteGuaranteedCoreAsync(client, path, lost.Token).ConfigureAwait(false);
        }
        finally
        {
            client.ConnectionStateChanged -= OnConnectionStateChanged;
        }
    }

    private static async Task DeleteGuaranteedCoreAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            await client.DeleteAsync(path, new DeleteOptions { Guaranteed = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            // Already gone: released before, or the session ended.
        }
        catch (Exception e) when (IsConnectionProblem(e) || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // The client keeps deleting in the background, across reconnects and new sessions.
        }
        catch (ObjectDisposedException)
        {
            // The session is closed with the client, and its ephemeral nodes with it.
        }
    }
}
