// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Extensions.Hosting;

/// <summary>
/// The settings of a ZooKeeper client registered with <c>AddZooKeeperClient</c>, bound from the
/// <c>ZkAspire:ZooKeeper:Client</c> section, then its <c>{name}</c> sub-section, then
/// <c>ConnectionStrings:{name}</c>, then the caller's delegate (the Aspire client-integration order).
/// </summary>
public sealed class ZooKeeperClientSettings
{
    /// <summary>The configuration section the settings are read from.</summary>
    public const string DefaultConfigSectionName = "ZkAspire:ZooKeeper:Client";

    /// <summary>The default of <see cref="StartupTimeout"/>.</summary>
    public static readonly TimeSpan DefaultStartupTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets the servers and optional chroot, e.g. <c>zk1:2181,zk2:2181/app</c>; <c>ConnectionStrings:{name}</c> overrides it.</summary>
    /// <value>The default value is <see langword="null"/>; a client cannot be created without one.</value>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the session timeout the client asks for (the server clamps it to 2–20 ticks).</summary>
    /// <value>The default value is <see langword="null"/>: the client's default, 60 seconds as in Curator.</value>
    public TimeSpan? SessionTimeout { get; set; }

    /// <summary>Gets or sets how long an operation waits for a connection before it fails with <c>ConnectionLossException</c>.</summary>
    /// <value>The default value is <see langword="null"/>: the client's default, 15 seconds as in Curator.</value>
    public TimeSpan? ConnectionTimeout { get; set; }

    /// <summary>Gets or sets Curator's namespace: a path prefix the client adds to every path (e.g. <c>ticket-office</c>).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Namespace { get; set; }

    /// <summary>
    /// Gets or sets how long the host's start waits for the first connection. When it elapses the
    /// host starts anyway (a warning is logged, the client keeps trying, and the health check reports
    /// Unhealthy until it connects). <see cref="TimeSpan.Zero"/> connects in the background without waiting.
    /// </summary>
    /// <value>The default value is 15 seconds.</value>
    public TimeSpan StartupTimeout { get; set; } = DefaultStartupTimeout;

    /// <summary>Gets or sets whether the connection-state health check is left out.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Gets or sets whether the OpenTelemetry tracing of the client (and the configuration provider) is left unregistered.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DisableTracing { get; set; }

    /// <summary>Gets or sets whether the OpenTelemetry metrics of the client (and the configuration provider) are left unregistered.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DisableMetrics { get; set; }
}
