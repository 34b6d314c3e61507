// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Recipes.Internal;

/// <summary>
/// Watches what makes ownership of ephemeral nodes uncertain and cancels a token when it may be
/// gone: the connection Suspended (or ReadOnly) beyond the policy's grace, the session Lost or
/// replaced, or one of the nodes deleted or taken over by another session. Once cancelled it stays
/// cancelled: a holder that might have lost its lock must not start trusting it again.
/// </summary>
internal sealed class OwnershipMonitor
{
    private readonly ZooKeeperClient _client;
    private readonly IReadOnlyList<string> _nodes;
    private readonly long _sessionId;
    private readonly ConnectionErrorPolicy _policy;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _lost = new();
    private readonly Action<WatchedEvent> _nodeWatcher;
    private readonly Lock _gate = new();
    private ITimer? _graceTimer;
    private string? _reason;
    private bool _stopped;

    private OwnershipMonitor(ZooKeeperClient client, IReadOnlyList<string> nodes, long sessionId, ConnectionErrorPolicy policy, TimeProvider time)
    {
        _client = client;
        _nodes = nodes;
        _sessionId = sessionId;
        _policy = policy;
        _time = time;
        _nodeWatcher = OnNodeEvent;
        Token = _lost.Token;
    }

    /// <summary>Gets the token that is cancelled when ownership may be lost.</summary>
    public CancellationToken Token { get; }

    /// <summary>Gets why ownership counts as lost, once it does.</summary>
    public string? LostReason
    {
        get
        {
            lock (_gate)
            {
                return _reason;
            }
        }
    }

    /// <summary>
    /// Starts watching nodes owned by a session: subscribes to the connection states first, then
    /// checks the state and sends an exists watch for every node, so nothing that happens after
    /// the nodes were created goes unnoticed.
    /// </summary>
    /// <remarks>
    /// The exists requests are queued on the session before this returns but not waited for: the
    /// session keeps them in order with whatever the holder sends next, and their answers (gone,
    /// owned by another session, or a watch that later fires) cancel the token when they arrive.
    /// Waiting for them would put a round trip between winning the lock and using it, on the path
    /// every hand-off takes (Curator's mutex watches nothing of its own; docs/performance.md).
    /// </remarks>
    /// <param name="client">The client.</param>
    /// <param name="nodes">The ephemeral nodes whose loss ends ownership.</param>
    /// <param name="sessionId">The session that created them.</param>
    /// <param name="policy">When Suspended counts as lost.</param>
    /// <param name="time">The clock of the grace period.</param>
    /// <returns>The monitor.</returns>
    public static OwnershipMonitor Start(
        ZooKeeperClient client,
        IReadOnlyList<string> nodes,
        long sessionId,
        ConnectionErrorPolicy policy,
        TimeProvider time)
    {
        var monitor = new OwnershipMonitor(client, nodes, sessionId, policy, time);
        client.ConnectionStateChanged += monitor.OnStateChanged;
        if (client.SessionId != sessionId)
        {
            monitor.MarkLost("the session that created the node has ended");
        }
        else if (!client.IsConnected || client.ConnectionState is ConnectionState.ReadOnly or ConnectionState.Suspended)
        {
            monitor.Suspended();
        }

        foreach (var node in nodes)
        {
            _ = monitor.WatchInBackgroundAsync(node);
        }

        return monitor;
    }

    /// <summary>
    /// Stops watching (on release) just before the nodes are deleted. The token is not cancelled:
    /// release is not loss.
    /// </summary>
    /// <remarks>
    /// The exists watches are left on the server: the delete that follows fires them, which ends
    /// them on both sides, and a stopped monitor ignores the event. Removing them first would cost
    /// a round trip (checkWatches) before every release. A delete that cannot be made at once is
    /// retried by the client (guaranteed delete), and an expired session drops its watches anyway.
    /// </remarks>
    public void Stop()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _graceTimer?.Dispose();
            _graceTimer = null;
        }

        _client.ConnectionStateChanged -= OnStateChanged;
    }

    /// <summary>Removes a one-time watcher locally (and on the server when connected), ignoring failures.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The watched path.</param>
    /// <param name="watcher">The callback.</param>
    /// <param name="type">The watch type.</param>
    /// <returns>A task that completes when done.</returns>
    public static async Task RemoveWatcherQuietlyAsync(ZooKeeperClient client, string path, Action<WatchedEvent> watcher, WatcherType type)
    {
        try
        {
            await client.RemoveWatcherAsync(path, watcher, type, local: true).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KeeperException or ObjectDisposedException or OperationCanceledException)
        {
            // It fired meanwhile, or the client is gone: either way there is nothing left to remove.
        }
    }

    /// <summary>Marks ownership lost.</summary>
    /// <param name="reason">Why.</param>
    public void MarkLost(string reason)
    {
        lock (_gate)
        {
            if (_reason is not null || _stopped)
            {
                return;
            }

            _reason = reason;
            _graceTimer?.Dispose();
            _graceTimer = null;
        }

        // IsCancellationRequested turns true before this returns; the callbacks registered on the
        // token run on the thread pool, never on the client's event loop (Curator TN1: a blocked
        // event thread stalls every watch of the client).
        _ = _lost.CancelAsync();
    }

    private void OnStateChanged(object? sender, ConnectionStateChange change)
    {
        switch (change.State)
        {
            case ConnectionState.Suspended or ConnectionState.ReadOnly:
                Suspended();
                break;
            case ConnectionState.Lost:
                MarkLost("the session was lost");
                break;
            case ConnectionState.Reconnected or ConnectionState.Connected:
                if (change.IsNewSession || change.SessionId != _sessionId)
                {
                    MarkLost("the client reconnected with a new session");
                    return;
                }

                lock (_gate)
                {
                    _graceTimer?.Dispose();
                    _graceTimer = null;
                    if (_stopped || _reason is not null)
                    {
                        return;
                    }
                }

                // The client registers the watches again and fires those whose node changed while
                // disconnected; watching again also covers a watch that could not be set before.
                foreach (var node in _nodes)
                {
                    _ = WatchInBackgroundAsync(node);
                }

                break;
        }
    }

    private void Suspended()
    {
        if (_policy.SuspendedIsError)
        {
            MarkLost("the connection was suspended");
            return;
        }

        if (!_policy.SuspendedCanBeError)
        {
            return;
        }

        lock (_gate)
        {
            if (_stopped || _reason is not null || _graceTimer is not null)
            {
                return;
            }

            _graceTimer = _time.CreateTimer(
                static state => ((OwnershipMonitor)state!).MarkLost("the connection stayed suspended beyond the grace period"),
                this,
                _policy.SuspendedGrace,
                Timeout.InfiniteTimeSpan);
        }
    }

    private void OnNodeEvent(WatchedEvent watchedEvent)
    {
        switch (watchedEvent.Type)
        {
            case EventType.NodeDeleted:
                MarkLost("the node " + watchedEvent.Path + " was deleted");
                break;
            case EventType.NodeCreated or EventType.NodeDataChanged:
                _ = WatchInBackgroundAsync(watchedEvent.Path!);
                break;
            case EventType.None when watchedEvent.State is KeeperState.Expired:
                MarkLost("the session expired");
                break;
            case EventType.None when watchedEvent.State is KeeperState.Closed or KeeperState.AuthFailed:
                MarkLost("the client was closed");
                break;
        }
    }

    private async Task WatchInBackgroundAsync(string node)
    {
        try
        {
            await WatchAsync(node, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A background check must not crash the process; the connection states cover its failures.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task WatchAsync(string node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_stopped || _reason is not null)
            {
                return;
            }
        }

        try
        {
            var stat = await _client.ExistsAsync(node, _nodeWatcher, cancellationToken).ConfigureAwait(false);
            if (stat is null)
            {
                MarkLost("the node " + node + " no longer exists");
            }
            else if (stat.Value.EphemeralOwner != _sessionId)
            {
                MarkLost("the node " + node + " belongs to another session");
            }
        }
        catch (Exception e) when (e is ConnectionLossException or OperationTimeoutException)
        {
            // The state listener sees the connection go; the watch is set again on Reconnected.
        }
        catch (SessionExpiredException)
        {
            MarkLost("the session expired");
        }
        catch (ObjectDisposedException)
        {
            MarkLost("the client was closed");
        }
    }
}
