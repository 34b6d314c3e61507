// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Extensions.Configuration;

namespace OpenTelemetry.Metrics;

/// <summary>Registers ZkAspire's meters with an OpenTelemetry meter provider.</summary>
public static class ZooKeeperMeterProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes to the metrics of the ZooKeeper client (<see cref="ZooKeeperClientTelemetry.SourceName"/>:
    /// request durations, pending requests, connection-state changes, watch events) and of the
    /// configuration provider (<see cref="ZooKeeperConfigurationTelemetry.SourceName"/>: reloads) and of the
    /// membership (<c>ZkAspire.Extensions.ServiceDiscovery</c>: registrations, member changes).
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The builder.</returns>
    public static MeterProviderBuilder AddZooKeeperInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(ZooKeeperClientTelemetry.SourceName, ZooKeeperConfigurationTelemetry.SourceName, OpenTelemetry.Trace.ZooKeeperTracerProviderBuilderExtensions.MembershipSourceName);
    }
}
