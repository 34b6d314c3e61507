// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Extensions.Configuration;
using ZkAspire.Recipes;

namespace OpenTelemetry.Trace;

/// <summary>Registers ZkAspire's activity sources with an OpenTelemetry tracer provider.</summary>
public static class ZooKeeperTracerProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes to the spans of the ZooKeeper client (<see cref="ZooKeeperClientTelemetry.SourceName"/>,
    /// one span per request), of the recipes (<see cref="ZooKeeperRecipesTelemetry.SourceName"/>:
    /// lock acquire and release, leadership changes) and of the configuration provider
    /// (<see cref="ZooKeeperConfigurationTelemetry.SourceName"/>, one per load and reload).
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The builder.</returns>
    public static TracerProviderBuilder AddZooKeeperInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(ZooKeeperClientTelemetry.SourceName, ZooKeeperRecipesTelemetry.SourceName, ZooKeeperConfigurationTelemetry.SourceName);
    }
}
