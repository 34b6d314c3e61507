// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Extensions.Configuration;

/// <summary>
/// A configuration source over a ZooKeeper subtree: every znode under <see cref="RootPath"/> becomes a
/// key (the path segments below the root joined with <c>:</c>) whose value is the node's data as
/// UTF-8; nodes named with <see cref="JsonNodeSuffix"/> hold JSON documents, flattened as the JSON
/// provider does. The provider watches the subtree and reloads once per batch of changes.
/// </summary>
/// <remarks>
/// <para>
/// The provider uses <see cref="Client"/> when one is given and leaves it open when the
/// configuration is disposed (it is borrowed); otherwise it creates a client of its own from
/// <see cref="ConnectionString"/> or <see cref="ConnectionStringName"/> and closes it with the
/// configuration (it is owned). Configuration is built before the service provider, so an owned
/// client is a session of its own, separate from the one <c>AddZooKeeperClient</c> registers.
/// </para>
/// <para>
/// Like the file provider's <c>Source</c>/<c>Provider</c> split (dotnet/runtime
/// <c>FileConfigurationProvider</c>), the source only holds settings; all work is in
/// <see cref="ZooKeeperConfigurationProvider"/>.
/// </para>
/// </remarks>
public sealed class ZooKeeperConfigurationSource : IConfigurationSource
{
    /// <summary>The default of <see cref="StartupTimeout"/>.</summary>
    public static readonly TimeSpan DefaultStartupTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The default of <see cref="ReloadDelay"/>.</summary>
    public static readonly TimeSpan DefaultReloadDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>Gets or sets the root of the subtree, e.g. <c>/config/ticket-office</c>; its descendants become the keys.</summary>
    /// <value>The default value is <c>/</c>.</value>
    public string RootPath { get; set; } = PathUtils.Root;

    /// <summary>
    /// Gets or sets a client to use (borrowed: the provider never closes it). When set, the
    /// connection settings of this source are ignored.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the provider creates and owns a client.</value>
    public ZooKeeperClient? Client { get; set; }

    /// <summary>Gets or sets the connection string of the provider's own client, e.g. <c>zk1:2181,zk2:2181</c>.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="ConnectionStringName"/> is looked up.</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets the name of a connection string (<c>ConnectionStrings:{name}</c>, as Aspire passes
    /// it) to read from the configuration added before this source, when <see cref="ConnectionString"/>
    /// is not set.
    /// </summary>
    /// <value>The default value is <c>zk</c>.</value>
    public string ConnectionStringName { get; set; } = "zk";

    /// <summary>Gets or sets a callback that adjusts the options of the provider's own client (session timeout, auth, retries).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<ZooKeeperClientOptions>? ConfigureClient { get; set; }

    /// <summary>
    /// Gets or sets whether the configuration may start without this source's data: when true, a
    /// missing root starts empty (its keys appear when it is created), and an unreachable server
    /// does not fail the startup (the keys appear when it connects). When false, both throw from
    /// <c>Build()</c> within <see cref="StartupTimeout"/>.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Optional { get; set; }

    /// <summary>Gets or sets how long the first load may take: connecting, adding the watch and reading the subtree.</summary>
    /// <value>The default value is 15 seconds (Curator's connection timeout).</value>
    public TimeSpan StartupTimeout { get; set; } = DefaultStartupTimeout;

    /// <summary>
    /// Gets or sets how long the provider waits after the first change of a batch before it reads
    /// the changed nodes, so that the events of one multi, or of a script of sets, end in one reload
    /// (a reload token that fires twice per change is a known complaint, dotnet/aspnetcore #2542).
    /// </summary>
    /// <value>The default value is 20 milliseconds; zero reads at once.</value>
    public TimeSpan ReloadDelay { get; set; } = DefaultReloadDelay;

    /// <summary>
    /// Gets or sets the name suffix (e.g. <c>.json</c>) of nodes whose data is a JSON document: its
    /// keys are flattened under the node's key, with the suffix removed, exactly as the JSON
    /// configuration provider flattens a file (objects nest with <c>:</c>, arrays by index). A root
    /// named so (<c>/config/app.json</c>) puts the document's keys at the top level.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: every node's data is a plain value.</value>
    public string? JsonNodeSuffix { get; set; }

    /// <summary>
    /// Gets or sets how the subtree is watched: a persistent recursive watch where the server has it
    /// (ZooKeeper 3.6 and later), one-time watches otherwise.
    /// </summary>
    /// <value>The default value is <see cref="ZooKeeperConfigurationWatchMode.Auto"/>.</value>
    public ZooKeeperConfigurationWatchMode WatchMode { get; set; } = ZooKeeperConfigurationWatchMode.Auto;

    /// <summary>Gets or sets where the provider logs reload failures and outages (configuration is built before logging is).</summary>
    /// <value>The default value is <see langword="null"/>: no logging.</value>
    public ILogger? Logger { get; set; }

    /// <summary>Gets or sets the clock of <see cref="ReloadDelay"/> and of retry back-off.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Builds the provider; resolves the connection string from the configuration added before this source.</summary>
    /// <param name="builder">The configuration builder.</param>
    /// <returns>The provider.</returns>
    public IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var validationError = PathUtils.Validate(RootPath);
        if (validationError is not null)
        {
            throw new ArgumentException($"RootPath '{RootPath}' is not a valid ZooKeeper path: {validationError}", nameof(builder));
        }

        if (!Enum.IsDefined(WatchMode))
        {
            throw new ArgumentException($"WatchMode {(int)WatchMode} is not a {nameof(ZooKeeperConfigurationWatchMode)}.", nameof(builder));
        }

        if (Client is not null)
        {
            return new ZooKeeperConfigurationProvider(this, Client, ownsClient: false);
        }

        var connectionString = ConnectionString ?? ResolveConnectionString(builder);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"No ZooKeeper connection string for the configuration source of '{RootPath}': set ConnectionString, or add 'ConnectionStrings:{ConnectionStringName}' to the configuration before this source.");
        }

        var options = new ZooKeeperClientOptions
        {
            ConnectionString = connectionString,
            ConnectionTimeout = StartupTimeout,
            Logger = Logger,
            TimeProvider = TimeProvider,
        };
        ConfigureClient?.Invoke(options);
        return new ZooKeeperConfigurationProvider(this, new ZooKeeperClient(options), ownsClient: true);
    }

    private string? ResolveConnectionString(IConfigurationBuilder builder)
    {
        // A ConfigurationManager (HostApplicationBuilder.Configuration) is the configuration itself;
        // a plain builder is read through the providers of the sources added before this one.
        if (builder is IConfiguration configuration)
        {
            return configuration.GetConnectionString(ConnectionStringName);
        }

        var earlier = new List<IConfigurationProvider>();
        foreach (var source in builder.Sources)
        {
            if (ReferenceEquals(source, this))
            {
                break;
            }

            earlier.Add(source.Build(builder));
        }

        var root = new ConfigurationRoot(earlier);
        try
        {
            return root.GetConnectionString(ConnectionStringName);
        }
        finally
        {
            root.Dispose();
        }
    }
}
