// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Extensions.Configuration;

// The namespace of the configuration builder, as every Microsoft.Extensions.Configuration.* provider does.
namespace Microsoft.Extensions.Configuration;

/// <summary>Adds a ZooKeeper subtree to a configuration builder.</summary>
public static class ZooKeeperConfigurationExtensions
{
    /// <summary>
    /// Adds the znodes under <paramref name="rootPath"/> as configuration, read with a client of the
    /// provider's own whose connection string is <c>ConnectionStrings:{connectionName}</c> from the
    /// configuration added before (as Aspire passes it).
    /// </summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="connectionName">The connection string's name, e.g. <c>zk</c>.</param>
    /// <param name="rootPath">The subtree, e.g. <c>/config/ticket-office</c>.</param>
    /// <param name="optional">Whether a missing root or an unreachable server may start the configuration without this source.</param>
    /// <returns>The builder.</returns>
    public static IConfigurationBuilder AddZooKeeper(this IConfigurationBuilder builder, string connectionName, string rootPath, bool optional = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        ArgumentException.ThrowIfNullOrWhiteSpace(rootPath);
        return builder.AddZooKeeper(source =>
        {
            source.ConnectionStringName = connectionName;
            source.RootPath = rootPath;
            source.Optional = optional;
        });
    }

    /// <summary>Adds the znodes under <paramref name="rootPath"/> as configuration, read with a client the caller owns (the provider never closes it).</summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="client">The client.</param>
    /// <param name="rootPath">The subtree.</param>
    /// <param name="optional">Whether a missing root or an unreachable server may start the configuration without this source.</param>
    /// <returns>The builder.</returns>
    public static IConfigurationBuilder AddZooKeeper(this IConfigurationBuilder builder, ZooKeeperClient client, string rootPath, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(rootPath);
        return builder.AddZooKeeper(source =>
        {
            source.Client = client;
            source.RootPath = rootPath;
            source.Optional = optional;
        });
    }

    /// <summary>Adds a ZooKeeper subtree as configuration, with every setting of <see cref="ZooKeeperConfigurationSource"/>.</summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="configure">Sets the source's settings.</param>
    /// <returns>The builder.</returns>
    public static IConfigurationBuilder AddZooKeeper(this IConfigurationBuilder builder, Action<ZooKeeperConfigurationSource> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var source = new ZooKeeperConfigurationSource();
        configure(source);
        return builder.Add(source);
    }
}
