// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Resources;
using ZkAspire.Server.Diagnostics;

namespace ZkAspire.Server.Host;

/// <summary>
/// Exports the server's traces, metrics and logs over OTLP when the environment names an endpoint,
/// as Aspire's <c>WithOtlpExporter</c> does (README.md, Telemetry).
/// </summary>
internal static class OtlpExport
{
    /// <summary>The variable that turns the export on: the OpenTelemetry SDK's base OTLP endpoint.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The service name when neither <c>OTEL_SERVICE_NAME</c> nor <c>OTEL_RESOURCE_ATTRIBUTES</c> gives one.</summary>
    public const string DefaultServiceName = "zkaspire-server";

    /// <summary>The resource attribute holding the server id (ZooKeeper's myid), when the server has one.</summary>
    public const string ServerIdAttribute = "zookeeper.server.id";

    /// <summary>Gets the OTLP endpoint the configuration names, or null when there is none.</summary>
    /// <param name="configuration">The host's configuration (environment variables included).</param>
    /// <returns>The endpoint, or null.</returns>
    public static string? GetEndpoint(IConfiguration configuration) =>
        configuration[EndpointVariable] is { } endpoint && !string.IsNullOrWhiteSpace(endpoint) ? endpoint.Trim() : null;

    /// <summary>Gets whether an endpoint is an absolute http or https URI, the only kind the OTLP exporter uses.</summary>
    /// <param name="endpoint">The value of <see cref="EndpointVariable"/>.</param>
    /// <returns>True when the export can use it.</returns>
    // The SDK ignores a value it cannot parse and falls back to its default endpoint
    // (localhost:4317), which would export somewhere nobody named: we export nothing instead and
    // say so in the log.
    public static bool IsUsable(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>The name of the .NET runtime's built-in meter (GC, heap, thread pool, CPU: <c>dotnet.*</c> instruments), exported beside the server's.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>Registers the OpenTelemetry SDK with the server's source and meter, the runtime's meter and the OTLP exporter for all three signals.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="serverId">The server id (myid), or 0 when the server has none.</param>
    // Kept out of line so that a server without the endpoint never JIT-compiles a method that
    // names OpenTelemetry types, and so never loads the SDK's assemblies: the cold start stays
    // as it is.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Register(HostApplicationBuilder builder, long serverId)
    {
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // Our defaults first, then the environment (OTEL_RESOURCE_ATTRIBUTES, then
                // OTEL_SERVICE_NAME): a later resource wins a key, so the environment can
                // override both the service name and the server id, as the SDK's own defaults.
                resource.Clear().AddService(DefaultServiceName).AddTelemetrySdk();
                if (serverId > 0)
                {
                    resource.AddAttributes([new(ServerIdAttribute, serverId)]);
                }

                resource.AddEnvironmentVariableDetector();
            })
            .WithTracing(tracing => tracing.AddSource(ZooKeeperServerTelemetry.ActivitySourceName))
            // The runtime's own meter too (System.Runtime: GC collections and pause time, heap
            // sizes, thread-pool queue, CPU time), so that each replica's collections show in
            // the dashboard beside its request latencies: under a write load that grows the tree
            // the young collections are what the tail latency is made of (docs/performance.md).
            .WithMetrics(metrics => metrics.AddMeter(ZooKeeperServerTelemetry.MeterName, RuntimeMeterName))
            .WithLogging(configureBuilder: null, configureOptions: options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
            })

            // One exporter for the three signals, configured from OTEL_EXPORTER_OTLP_* (endpoint,
            // protocol, headers, timeout) and the signal-specific variables, as the SDK reads them.
            .UseOtlpExporter();
    }

    /// <summary>Describes the export for the start-up log.</summary>
    /// <param name="configuration">The host's configuration.</param>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>A line such as <c>http://127.0.0.1:4318 (http/protobuf)</c>.</returns>
    public static string Describe(IConfiguration configuration, string endpoint) =>
        string.Create(CultureInfo.InvariantCulture, $"{endpoint} ({(configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] is { Length: > 0 } protocol ? protocol : "grpc")})");
}
