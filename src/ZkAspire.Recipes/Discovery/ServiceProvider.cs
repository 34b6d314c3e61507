// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Recipes.Discovery;

/// <summary>
/// Picks instances of a service (Curator's <c>ServiceProvider</c>): a watched
/// <see cref="ServiceCache{TPayload}"/> and an <see cref="IProviderStrategy{TPayload}"/>.
/// Disabled instances (<see cref="ServiceInstance{TPayload}.Enabled"/> false) are skipped.
/// </summary>
/// <typeparam name="TPayload">The payload type.</typeparam>
public sealed class ServiceProvider<TPayload> : IAsyncDisposable
{
    private readonly ServiceCache<TPayload> _cache;
    private readonly IProviderStrategy<TPayload> _strategy;

    internal ServiceProvider(ServiceCache<TPayload> cache, IProviderStrategy<TPayload> strategy)
    {
        _cache = cache;
        _strategy = strategy;
    }

    /// <summary>Gets the service's name.</summary>
    public string Name => _cache.Name;

    /// <summary>Gets the cache behind the provider.</summary>
    public ServiceCache<TPayload> Cache => _cache;

    /// <summary>Starts the cache and waits for the initial load.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when loaded.</returns>
    public Task StartAsync(CancellationToken cancellationToken = default) => _cache.StartAsync(cancellationToken);

    /// <summary>Picks an instance.</summary>
    /// <returns>The instance, or <see langword="null"/> when there is none.</returns>
    public ServiceInstance<TPayload>? GetInstance() => _strategy.GetInstance(GetAllInstances());

    /// <summary>Gets every enabled instance, as last read.</summary>
    /// <returns>The instances.</returns>
    public IReadOnlyList<ServiceInstance<TPayload>> GetAllInstances() => [.. _cache.Instances.Where(i => i.Enabled)];

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _cache.DisposeAsync();
}

/// <summary>How a <see cref="ServiceProvider{TPayload}"/> picks an instance (Curator's <c>ProviderStrategy</c>).</summary>
/// <typeparam name="TPayload">The payload type.</typeparam>
public interface IProviderStrategy<TPayload>
{
    /// <summary>Picks one of the instances.</summary>
    /// <param name="instances">The candidates.</param>
    /// <returns>The pick, or <see langword="null"/> when there is none.</returns>
    ServiceInstance<TPayload>? GetInstance(IReadOnlyList<ServiceInstance<TPayload>> instances);
}

/// <summary>Takes the instances in turn (Curator's <c>RoundRobinStrategy</c>).</summary>
/// <typeparam name="TPayload">The payload type.</typeparam>
public sealed class RoundRobinStrategy<TPayload> : IProviderStrategy<TPayload>
{
    private int _next = -1;

    /// <inheritdoc/>
    public ServiceInstance<TPayload>? GetInstance(IReadOnlyList<ServiceInstance<TPayload>> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        if (instances.Count == 0)
        {
            return null;
        }

        var index = (int)((uint)Interlocked.Increment(ref _next) % (uint)instances.Count);
        return instances[index];
    }
}

/// <summary>Takes an instance at random (Curator's <c>RandomStrategy</c>).</summary>
/// <typeparam name="TPayload">The payload type.</typeparam>
public sealed class RandomStrategy<TPayload> : IProviderStrategy<TPayload>
{
    /// <inheritdoc/>
    public ServiceInstance<TPayload>? GetInstance(IReadOnlyList<ServiceInstance<TPayload>> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
#pragma warning disable CA5394 // Load spreading, not security.
        return instances.Count == 0 ? null : instances[Random.Shared.Next(instances.Count)];
#pragma warning restore CA5394
    }
}
