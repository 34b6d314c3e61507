// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Extensions.Configuration;
using ZkAspire.Recipes;

namespace OpenTelemetry.Trace;

/// <summary>Registers ZkAspire's activity sources with an OpenTelemetry tracer provider.</summary>
public static class ZooKeeperTracerProviderBuilderExtensions
{
    // ZooKeeperMembershipTelemetry.SourceName, by value: referencing the membership package would
    // bring the ASP.NET Core shared framework to every host (worker services too).
    internal const string MembershipSourceName = "ZkAspire.Extensions.ServiceDiscovery";

    /// <summary>
    /// Subscribes to the spans of the ZooKeeper client (<see cref="ZooKeeperClientTelemetry.SourceName"/>,
    /// one span per request), of the recipes (<see cref="ZooKeeperRecipesTelemetry.SourceName"/>:
    /// lock acquire and release, leadership changes) and of the configuration provider
    /// (<see cref="ZooKeeperConfigurationTelemetry.SourceName"/>, one per load and reload) and of the
    /// membership (<c>ZkAspire.Extensions.ServiceDiscovery</c>: register, unregister, member changes).
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The builder.</returns>
    public static TracerProviderBuilder AddZooKeeperInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(ZooKeeperClientTelemetry.SourceName, ZooKeeperRecipesTelemetry.SourceName, ZooKeeperConfigurationTelemetry.SourceName, MembershipSourceName);
    }
}
