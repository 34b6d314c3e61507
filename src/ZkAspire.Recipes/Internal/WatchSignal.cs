// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Recipes.Internal;

/// <summary>
/// A one-time watch callback as a task: it completes on the first node event, or when the watch
/// can no longer fire (session expired, client closed). Disconnections do not complete it: the
/// client registers the watch again on reconnect and fires it for changes missed meanwhile.
/// </summary>
internal sealed class WatchSignal
{
    private readonly TaskCompletionSource<WatchedEvent> _fired = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates a signal.</summary>
    public WatchSignal()
    {
        Callback = OnEvent;
    }

    /// <summary>Gets the callback to register; one instance per signal, so it can be removed again.</summary>
    public Action<WatchedEvent> Callback { get; }

    /// <summary>Gets the task that completes with the event that fired the watch.</summary>
    public Task<WatchedEvent> Fired => _fired.Task;

    /// <summary>Completes the signal without an event (the waiter has another reason to look again).</summary>
    public void Set() => _fired.TrySetResult(new WatchedEvent(EventType.None, KeeperState.SyncConnected, null));

    private void OnEvent(WatchedEvent watchedEvent)
    {
        if (watchedEvent.Type != EventType.None || watchedEvent.State is KeeperState.Expired or KeeperState.Closed or KeeperState.AuthFailed)
        {
            _fired.TrySetResult(watchedEvent);
        }
    }
}
