// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Medallion.Threading;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ZkAspire.Client;
using ZkAspire.Extensions.DistributedLock;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ZooKeeper implementations of DistributedLock's provider interfaces.</summary>
public static class ZooKeeperDistributedLockServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ZooKeeperDistributedSynchronizationProvider"/> as a singleton and as
    /// <see cref="IDistributedLockProvider"/>, <see cref="IDistributedReaderWriterLockProvider"/> and
    /// <see cref="IDistributedSemaphoreProvider"/>, over the <see cref="ZooKeeperClient"/> registered
    /// in the container (unkeyed, or keyed by <see cref="ZooKeeperDistributedLockOptions.ClientServiceKey"/>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Changes to the settings (base path, error policy, client key).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddZooKeeperDistributedLocks(this IServiceCollection services, Action<ZooKeeperDistributedLockOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ZooKeeperDistributedLockOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<ZooKeeperDistributedLockOptions>>().Value;
            var client = settings.ClientServiceKey is { } key
                ? provider.GetRequiredKeyedService<ZooKeeperClient>(key)
                : provider.GetRequiredService<ZooKeeperClient>();
            return new ZooKeeperDistributedSynchronizationProvider(client, settings);
        });
        services.TryAddSingleton<IDistributedLockProvider>(provider => provider.GetRequiredService<ZooKeeperDistributedSynchronizationProvider>());
        services.TryAddSingleton<IDistributedReaderWriterLockProvider>(provider => provider.GetRequiredService<ZooKeeperDistributedSynchronizationProvider>());
        services.TryAddSingleton<IDistributedSemaphoreProvider>(provider => provider.GetRequiredService<ZooKeeperDistributedSynchronizationProvider>());
        return services;
    }

    /// <summary>
    /// Registers the providers as <see cref="AddZooKeeperDistributedLocks(IServiceCollection, Action{ZooKeeperDistributedLockOptions}?)"/>
    /// does, over the client registered as a keyed service under <paramref name="clientServiceKey"/>
    /// (the connection name given to <c>AddKeyedZooKeeperClient</c>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="clientServiceKey">The client's service key.</param>
    /// <param name="configure">Changes to the settings.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddZooKeeperDistributedLocks(this IServiceCollection services, string clientServiceKey, Action<ZooKeeperDistributedLockOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientServiceKey);
        return services.AddZooKeeperDistributedLocks(options =>
        {
            options.ClientServiceKey = clientServiceKey;
            configure?.Invoke(options);
        });
    }
}
