// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ZkAspire.Client;
using ZkAspire.Extensions.Hosting;
using ZkAspire.Extensions.Hosting.Internal;

// The namespace of IHostApplicationBuilder, as Aspire's client integrations do.
namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers ZkAspire's <see cref="ZooKeeperClient"/> in an application, the way Aspire client
/// integrations register theirs (<c>AddRedisClient</c>): settings from configuration, one client
/// per name, a health check, and OpenTelemetry tracing and metrics.
/// </summary>
public static class ZooKeeperClientExtensions
{
    /// <summary>The name of the health check of the unkeyed client; a keyed client's is <c>ZooKeeper_{name}</c>.</summary>
    public const string HealthCheckName = "ZooKeeper";

    /// <summary>
    /// Registers a <see cref="ZooKeeperClient"/> singleton (unkeyed) for the connection named
    /// <paramref name="connectionName"/>, with a health check, tracing and metrics; the host
    /// starts it and closes it on shutdown.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="connectionName">The connection string's name: <c>ConnectionStrings:{connectionName}</c>, and the settings sub-section <c>ZkAspire:ZooKeeper:Client:{connectionName}</c>.</param>
    /// <param name="configureSettings">Changes the settings after they are read from configuration.</param>
    /// <param name="configureOptions">Changes the client's options (retry policy, auth, ACL) before it is created.</param>
    public static void AddZooKeeperClient(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<ZooKeeperClientSettings>? configureSettings = null,
        Action<ZooKeeperClientOptions>? configureOptions = null) =>
        AddClient(builder, connectionName, serviceKey: null, configureSettings, configureOptions);

    /// <summary>
    /// Registers a keyed <see cref="ZooKeeperClient"/> singleton, resolved with
    /// <c>[FromKeyedServices(name)]</c>, for the connection <paramref name="name"/>.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The service key and the connection string's name.</param>
    /// <param name="configureSettings">Changes the settings after they are read from configuration.</param>
    /// <param name="configureOptions">Changes the client's options before it is created.</param>
    public static void AddKeyedZooKeeperClient(
        this IHostApplicationBuilder builder,
        string name,
        Action<ZooKeeperClientSettings>? configureSettings = null,
        Action<ZooKeeperClientOptions>? configureOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        AddClient(builder, name, serviceKey: name, configureSettings, configureOptions);
    }

    private static void AddClient(
        IHostApplicationBuilder builder,
        string connectionName,
        string? serviceKey,
        Action<ZooKeeperClientSettings>? configureSettings,
        Action<ZooKeeperClientOptions>? configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);

        var settings = ReadSettings(builder.Configuration, connectionName);
        configureSettings?.Invoke(settings);

        if (serviceKey is null)
        {
            builder.Services.AddSingleton(sp => CreateClient(sp, settings, connectionName, configureOptions));
            builder.Services.AddSingleton<IHostedService>(sp => Starter(sp, () => sp.GetRequiredService<ZooKeeperClient>(), connectionName, settings));
        }
        else
        {
            builder.Services.AddKeyedSingleton(serviceKey, (sp, _) => CreateClient(sp, settings, connectionName, configureOptions));
            builder.Services.AddSingleton<IHostedService>(sp => Starter(sp, () => sp.GetRequiredKeyedService<ZooKeeperClient>(serviceKey), connectionName, settings));
        }

        if (!settings.DisableHealthChecks)
        {
            var name = serviceKey is null ? HealthCheckName : HealthCheckName + "_" + serviceKey;
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                name,
                sp => new ZooKeeperHealthCheck(serviceKey is null ? sp.GetRequiredService<ZooKeeperClient>() : sp.GetRequiredKeyedService<ZooKeeperClient>(serviceKey)),
                failureStatus: default,
                tags: ["zookeeper"]));
        }

        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddZooKeeperInstrumentation());
        }

        if (!settings.DisableMetrics)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddZooKeeperInstrumentation());
        }
    }

    /// <summary>Binds the settings in Aspire's order: the shared section, the named sub-section, then the connection string.</summary>
    private static ZooKeeperClientSettings ReadSettings(IConfiguration configuration, string connectionName)
    {
        var settings = new ZooKeeperClientSettings();
        var section = configuration.GetSection(ZooKeeperClientSettings.DefaultConfigSectionName);
        section.Bind(settings);
        section.GetSection(connectionName).Bind(settings);
        if (configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
        {
            settings.ConnectionString = connectionString;
        }

        return settings;
    }

    private static ZooKeeperClient CreateClient(IServiceProvider services, ZooKeeperClientSettings settings, string connectionName, Action<ZooKeeperClientOptions>? configureOptions)
    {
        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new InvalidOperationException(
                $"The ZooKeeper client '{connectionName}' has no connection string: add 'ConnectionStrings:{connectionName}', or set ConnectionString in the '{ZooKeeperClientSettings.DefaultConfigSectionName}' configuration section.");
        }

        var options = new ZooKeeperClientOptions
        {
            ConnectionString = settings.ConnectionString,
            Namespace = settings.Namespace,
            Logger = services.GetService<ILoggerFactory>()?.CreateLogger(ZooKeeperClientTelemetry.SourceName) ?? NullLogger.Instance,
            TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
        };
        if (settings.SessionTimeout is { } sessionTimeout)
        {
            options.SessionTimeout = sessionTimeout;
        }

        if (settings.ConnectionTimeout is { } connectionTimeout)
        {
            options.ConnectionTimeout = connectionTimeout;
        }

        configureOptions?.Invoke(options);
        return new ZooKeeperClient(options);
    }

    private static ZooKeeperClientStarter Starter(IServiceProvider services, Func<ZooKeeperClient> client, string connectionName, ZooKeeperClientSettings settings) =>
        new(client, connectionName, settings.StartupTimeout, services.GetService<ILoggerFactory>()?.CreateLogger(typeof(ZooKeeperClientStarter)) ?? NullLogger.Instance);
}
