// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client.Internal;

/// <summary>An event for a set of watchers, materialized on the IO loop and delivered on the dispatcher.</summary>
/// <param name="Event">The event.</param>
/// <param name="Watchers">The watchers.</param>
internal sealed record WatchEventDelivery(WatchedEvent Event, IReadOnlyCollection<IWatcher> Watchers) : IDispatchable
{
    public void Dispatch()
    {
        foreach (var watcher in Watchers)
        {
            watcher.Process(Event);
        }
    }
}

/// <summary>A connection-state change for the client's listeners.</summary>
/// <param name="Change">The change.</param>
/// <param name="Handler">Who tells the listeners.</param>
internal sealed record StateChangeDelivery(ConnectionStateChange Change, Action<ConnectionStateChange> Handler) : IDispatchable
{
    public void Dispatch() => Handler(Change);
}
