// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Threading.Channels;
using ZkAspire.Protocol;

namespace ZkAspire.Client.Internal;

/// <summary>A local watcher: what the <see cref="WatchManager"/> delivers events to (<c>Watcher</c>).</summary>
internal interface IWatcher
{
    /// <summary>Handles an event, on the dispatcher loop.</summary>
    /// <param name="watchedEvent">The event.</param>
    void Process(WatchedEvent watchedEvent);
}

/// <summary>A callback; equal to another wrapping an equal delegate, so registering the same callback twice on a path keeps one.</summary>
/// <param name="Callback">The callback.</param>
internal sealed record CallbackWatcher(Action<WatchedEvent> Callback) : IWatcher
{
    public void Process(WatchedEvent watchedEvent) => Callback(watchedEvent);
}

/// <summary>A one-time watch as a task: completes with the first event that ends the watch.</summary>
internal sealed class AwaitableWatcher : IWatcher
{
    private readonly TaskCompletionSource<WatchedEvent> _triggered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<WatchedEvent> Triggered => _triggered.Task;

    public void Process(WatchedEvent watchedEvent)
    {
        // Disconnected and SyncConnected leave a one-time watch in place (it is re-registered on
        // reconnect); every other event ends it.
        if (watchedEvent.Type != EventType.None || Ends(watchedEvent.State))
        {
            _triggered.TrySetResult(watchedEvent);
        }
    }

    public static bool Ends(KeeperState state) => state is KeeperState.Expired or KeeperState.Closed or KeeperState.AuthFailed;
}

/// <summary>A persistent watch as a stream of events.</summary>
internal sealed class ChannelWatcher : IWatcher
{
    private readonly Channel<WatchedEvent> _events = Channel.CreateUnbounded<WatchedEvent>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public ChannelReader<WatchedEvent> Reader => _events.Reader;

    public void Process(WatchedEvent watchedEvent)
    {
        _events.Writer.TryWrite(watchedEvent);
        if (watchedEvent.Type == EventType.PersistentWatchRemoved || AwaitableWatcher.Ends(watchedEvent.State))
        {
            _events.Writer.TryComplete();
        }
    }
}
