// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using ZkAspire.Client;
using ZkAspire.Extensions.ServiceDiscovery;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ZooKeeper membership and its service-discovery endpoint provider.</summary>
public static class ZooKeeperMembershipServiceCollectionExtensions
{
    /// <summary>
    /// Registers the running host as a member of its service while it runs (an ephemeral node,
    /// registered again after session loss, deleted when the host stops), and
    /// <see cref="IZooKeeperMembership"/> for reading the members of any service.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Changes to the settings: service name, instance id, endpoints, metadata, base path, client key.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddZooKeeperMembership(this IServiceCollection services, Action<ZooKeeperMembershipOptions>? configure = null)
    {
        AddMembershipCore(services, configure);
        services.AddHostedService<ZooKeeperMembershipService>();
        return services;
    }

    /// <summary>
    /// Adds a Microsoft.Extensions.ServiceDiscovery endpoint provider that resolves service names
    /// through the membership, so <c>http://ticket-office</c> reaches the live members of
    /// <c>ticket-office</c>; registers the service-discovery core and <see cref="IZooKeeperMembership"/>
    /// when not registered yet. It does not register this host; call
    /// <see cref="AddZooKeeperMembership"/> for that.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Changes to the membership settings (base path, client key).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddZooKeeperServiceEndpointProvider(this IServiceCollection services, Action<ZooKeeperMembershipOptions>? configure = null)
    {
        AddMembershipCore(services, configure);
        services.AddServiceDiscoveryCore();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceEndpointProviderFactory, ZooKeeperServiceEndpointProviderFactory>());
        return services;
    }

    private static void AddMembershipCore(IServiceCollection services, Action<ZooKeeperMembershipOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ZooKeeperMembershipOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<ZooKeeperMembershipOptions>>().Value;
            var client = settings.ClientServiceKey is { } key
                ? provider.GetRequiredKeyedService<ZooKeeperClient>(key)
                : provider.GetRequiredService<ZooKeeperClient>();
            return new ZooKeeperMembership(client, settings.BasePath, provider.GetService<ILogger<ZooKeeperMembership>>());
        });
        services.TryAddSingleton<IZooKeeperMembership>(provider => provider.GetRequiredService<ZooKeeperMembership>());
    }
}
