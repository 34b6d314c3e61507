// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ZkAspire.Extensions.Configuration;

/// <summary>
/// The names of the configuration provider's telemetry: one span per load or reload, and a counter
/// of reloads. Register them with OpenTelemetry by <see cref="SourceName"/> (the hosting package's
/// <c>AddZooKeeperInstrumentation()</c> does).
/// </summary>
public static class ZooKeeperConfigurationTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string SourceName = "ZkAspire.Extensions.Configuration";

    /// <summary>The span of the first load.</summary>
    public const string LoadActivityName = "zookeeper.configuration.load";

    /// <summary>The span of a read after changes or a reconnect.</summary>
    public const string ReloadActivityName = "zookeeper.configuration.reload";

    /// <summary>The counter of reloads that changed a value (each fired the reload token once).</summary>
    public const string ReloadsInstrumentName = "zookeeper.configuration.reloads";

    /// <summary>The root path of the source.</summary>
    public const string RootAttribute = "zookeeper.path";

    /// <summary>Whether the whole subtree was read (after a reconnect or session expiry) or only the changed nodes.</summary>
    public const string FullReadAttribute = "zookeeper.configuration.full_read";

    /// <summary>Whether the read changed a value.</summary>
    public const string ChangedAttribute = "zookeeper.configuration.changed";

    internal static readonly ActivitySource ActivitySource = new(SourceName);

    internal static readonly Meter Meter = new(SourceName);

    internal static readonly Counter<long> Reloads = Meter.CreateCounter<long>(ReloadsInstrumentName, "{reload}", "Reloads of ZooKeeper configuration that changed a value.");
}
