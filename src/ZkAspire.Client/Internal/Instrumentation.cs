// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace ZkAspire.Client.Internal;

/// <summary>The client's activity source, meter and instruments (names in <see cref="ZooKeeperClientTelemetry"/>).</summary>
internal static class Instrumentation
{
    private static readonly string? Version =
        typeof(Instrumentation).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly ActivitySource ActivitySource = new(ZooKeeperClientTelemetry.SourceName, Version);

    public static readonly Meter Meter = new(ZooKeeperClientTelemetry.SourceName, Version);

    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram(
        ZooKeeperClientTelemetry.Instruments.OperationDuration,
        unit: "s",
        description: "Duration of ZooKeeper requests.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    public static readonly UpDownCounter<long> PendingRequests = Meter.CreateUpDownCounter<long>(
        ZooKeeperClientTelemetry.Instruments.PendingRequests,
        unit: "{request}",
        description: "Requests sent or queued and not yet answered.");

    public static readonly Counter<long> ConnectionStateChanges = Meter.CreateCounter<long>(
        ZooKeeperClientTelemetry.Instruments.ConnectionStateChanges,
        unit: "{change}",
        description: "Changes of the connection state.");

    public static readonly Counter<long> ConnectionAttempts = Meter.CreateCounter<long>(
        ZooKeeperClientTelemetry.Instruments.ConnectionAttempts,
        unit: "{attempt}",
        description: "Connection attempts: the first connection and every reconnect.");

    public static readonly Counter<long> WatchEvents = Meter.CreateCounter<long>(
        ZooKeeperClientTelemetry.Instruments.WatchEvents,
        unit: "{event}",
        description: "Watch notifications received from the server.");

    /// <summary>Counts one connection attempt.</summary>
    /// <param name="server">The server tried.</param>
    /// <param name="errorType">Why it failed, or <see langword="null"/> when it succeeded.</param>
    public static void RecordConnectionAttempt(System.Net.DnsEndPoint server, string? errorType)
    {
        if (!ConnectionAttempts.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { ZooKeeperClientTelemetry.Attributes.ServerAddress, server.Host },
            { ZooKeeperClientTelemetry.Attributes.ServerPort, server.Port },
        };
        if (errorType is not null)
        {
            tags.Add(ZooKeeperClientTelemetry.Attributes.ErrorType, errorType);
        }

        ConnectionAttempts.Add(1, tags);
    }
}
