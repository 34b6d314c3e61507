// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Recipes.Cache;

/// <summary>
/// What every cache shares: start, the change event, the copy, disposal. See
/// <see cref="TreeCache"/>, <see cref="PathChildrenCache"/>, <see cref="NodeCache"/> and
/// <see cref="PersistentWatchCache"/>.
/// </summary>
/// <remarks>
/// A cache is eventually consistent: it shows what the server had when it last read it, and it may
/// skip states that did not last (one-time watches miss intermediate changes, ZooKeeper
/// Programmer's Guide, "Watches"). Use it to follow state, not to decide races: for decisions
/// read the server (or use a lock).
/// </remarks>
public abstract class ZNodeCache : IAsyncDisposable
{
    private protected ZNodeCache(string path, CacheEngine engine)
    {
        Path = path;
        Engine = engine;
        engine.Sender = this;
    }

    /// <summary>
    /// Occurs for every change — nodes added, updated, removed; the end of the initial load;
    /// connection events — one call at a time, in order, on the cache's own loop. A handler that
    /// blocks holds the cache up (Curator TN1).
    /// </summary>
    public event EventHandler<CacheEvent>? Changed
    {
        add => Engine.Changed += value;
        remove => Engine.Changed -= value;
    }

    /// <summary>Gets the cached path.</summary>
    public string Path { get; }

    /// <summary>Gets a task that completes when the initial load is done.</summary>
    public Task Initialized => Engine.Initialized;

    private protected CacheEngine Engine { get; }

    /// <summary>Starts the cache and waits for the initial load (the <see cref="CacheEventType.Initialized"/> event).</summary>
    /// <param name="cancellationToken">Stops waiting (the cache goes on).</param>
    /// <returns>A task that completes when the initial load is done.</returns>
    /// <exception cref="InvalidOperationException">The cache was started before.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default) => Engine.StartAsync(cancellationToken);

    /// <summary>Stops the cache and removes its watches.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Engine.DisposeAsync();
    }
}
