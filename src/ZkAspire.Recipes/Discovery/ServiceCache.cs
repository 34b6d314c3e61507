// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Logging;
using ZkAspire.Recipes.Cache;

namespace ZkAspire.Recipes.Discovery;

/// <summary>
/// A watched copy of a service's instances (Curator's <c>ServiceCache</c>), built on a
/// <see cref="PathChildrenCache"/> of the service's node.
/// </summary>
/// <typeparam name="TPayload">The payload type.</typeparam>
public sealed class ServiceCache<TPayload> : IAsyncDisposable
{
    private readonly PathChildrenCache _cache;
    private readonly IInstanceSerializer<TPayload> _serializer;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private volatile IReadOnlyList<ServiceInstance<TPayload>> _instances = [];

    internal ServiceCache(ServiceDiscovery<TPayload> discovery, string name, ILogger logger)
    {
        Name = name;
        _serializer = discovery.Serializer;
        _logger = logger;
        _cache = new PathChildrenCache(discovery.Client, discovery.PathFor(name), cacheData: true, logger);
        _cache.Changed += OnChanged;
    }

    /// <summary>Occurs when the instances changed (after <see cref="Instances"/> has), on the cache's loop.</summary>
    public event EventHandler? CacheChanged;

    /// <summary>Gets the service's name.</summary>
    public string Name { get; }

    /// <summary>Gets the instances as last read.</summary>
    public IReadOnlyList<ServiceInstance<TPayload>> Instances => _instances;

    /// <summary>Starts the cache and waits for the initial load; <see cref="Instances"/> holds it when this completes.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when loaded.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _cache.StartAsync(cancellationToken).ConfigureAwait(false);

        // The engine completes the start before it raises Initialized (on its own loop), so the
        // caller could otherwise see the empty list of before the load.
        Rebuild();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _cache.DisposeAsync();

    private void OnChanged(object? sender, CacheEvent e)
    {
        if (e.Type is not (CacheEventType.NodeAdded or CacheEventType.NodeUpdated or CacheEventType.NodeRemoved or CacheEventType.Initialized))
        {
            return;
        }

        Rebuild();
        if (e.Type != CacheEventType.Initialized)
        {
            CacheChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    private void Rebuild()
    {
        // Under a lock, so a rebuild that read the nodes earlier cannot overwrite a later one.
        lock (_gate)
        {
            RebuildLocked();
        }
    }

    private void RebuildLocked()
    {
        var instances = new List<ServiceInstance<TPayload>>();
        foreach (var child in _cache.Current.Values.OrderBy(c => c.Path, StringComparer.Ordinal))
        {
            if (child.Data is null)
            {
                continue;
            }

            try
            {
                instances.Add(_serializer.Deserialize(child.Data));
            }
            catch (FormatException error)
            {
                _logger.LogWarning(error, "The instance {Path} cannot be read.", child.Path);
            }
        }

        _instances = instances;
    }
}
