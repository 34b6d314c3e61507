// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using ZkAspire.Client;
using ZkAspire.Server.Diagnostics;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>
/// The zkaspire-server program exports its traces, metrics and logs over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, as Aspire's <c>WithOtlpExporter</c> sets it, and
/// exports nothing otherwise (src/ZkAspire.Server.Host/README.md, Telemetry).
/// </summary>
public sealed class ProgramTelemetryTests : IDisposable
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "zkaspire-otel-" + Guid.NewGuid().ToString("n"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithAnEndpointTheServerExportsItsRequestSpansMetricsAndLogs()
    {
        // A standalone server with a myid file, so the resource carries the server id.
        var dataDir = Path.Combine(_root, "data");
        Directory.CreateDirectory(dataDir);
        await File.WriteAllTextAsync(Path.Combine(dataDir, "myid"), "7\n", Ct);
        await using var receiver = OtlpReceiver.Start();
        await using var server = await ZkAspireServerProcess.StartAsync(
            arguments: ["dataDir=" + dataDir],
            environment: ExportEnvironment(("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Endpoint), ("OTEL_SERVICE_NAME", null), ("OTEL_RESOURCE_ATTRIBUTES", null)));
        Assert.Contains("Telemetry: exporting traces, metrics and logs over OTLP to " + receiver.Endpoint + " (http/protobuf)", server.Log, StringComparison.Ordinal);

        // The caller's trace, which the server's request spans join (docs/telemetry.md, Trace
        // propagation). Sampled: the SDK's default sampler (parent-based) records a span whose
        // remote parent is sampled and drops one whose parent is not, as W3C's flags ask.
        using var caller = new Activity("caller") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.SetIdFormat(ActivityIdFormat.W3C).Start();
        var traceId = new byte[16];
        caller.TraceId.CopyTo(traceId);
        var path = "/otel-" + Guid.NewGuid().ToString("n");
        await using (var client = await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectionString = server.ConnectionString, PropagateTraceContext = true },
            Ct))
        {
            await client.CreateAsync(path, [1, 2, 3], cancellationToken: Ct);
            Assert.Equal([1, 2, 3], (await client.GetDataAsync(path, Ct)).Data);
        }

        caller.Stop();

        var traces = await receiver.WaitForAsync("/v1/traces", r => r.Contains("zookeeper.getData"), ExportTimeout);
        Assert.Equal("application/x-protobuf", traces.ContentType);
        Assert.True(traces.HasAttribute("service.name", "zkaspire-server"), "the default service name");
        Assert.False(traces.Contains("unknown_service"), "the SDK's fallback service name");
        Assert.True(traces.HasAttribute("zookeeper.server.id", 7), "the server id (myid) resource attribute");
        Assert.True(traces.HasAttribute(ZooKeeperServerTelemetry.PathAttribute, path), "the getData span's zookeeper.path");
        await receiver.WaitForAsync("/v1/traces", r => r.Contains("zookeeper.getData") && r.Contains(traceId), ExportTimeout);

        await receiver.WaitForAsync("/v1/metrics", r => r.Contains(ZooKeeperServerTelemetry.RequestCountInstrument), ExportTimeout);

        // The runtime's meter rides along: each replica's collections and pause time.
        await receiver.WaitForAsync("/v1/metrics", r => r.Contains("dotnet.gc.pause.time") && r.Contains("dotnet.gc.heap.total_allocated"), ExportTimeout);
        await receiver.WaitForAsync("/v1/logs", r => r.Contains("serving clients on"), ExportTimeout);

        Assert.Equal(0, await server.TerminateAsync());
    }

    [Fact]
    public async Task TheServiceNameComesFromTheEnvironment()
    {
        await using var receiver = OtlpReceiver.Start();
        await using var server = await ZkAspireServerProcess.StartAsync(
            environment: ExportEnvironment(
                ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Endpoint),
                ("OTEL_SERVICE_NAME", "zk-under-test"),
                ("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=zk-under-test-1")));
        await using (var client = await ZooKeeperClient.ConnectAsync(server.ConnectionString, Ct))
        {
            await client.ExistsAsync("/", Ct);
        }

        var traces = await receiver.WaitForAsync("/v1/traces", r => r.Contains("zookeeper.exists"), ExportTimeout);
        Assert.True(traces.HasAttribute("service.name", "zk-under-test"), "OTEL_SERVICE_NAME");
        Assert.True(traces.HasAttribute("service.instance.id", "zk-under-test-1"), "OTEL_RESOURCE_ATTRIBUTES");
        Assert.False(traces.Contains("zookeeper.server.id"), "a standalone server without myid has no server id");
        Assert.Equal(0, await server.TerminateAsync());
    }

    [Fact]
    public async Task WithoutTheEndpointNothingIsExportedEvenWithOtherOtelVariables()
    {
        // Every signal's own endpoint points at the receiver: had the SDK been registered, its
        // exporters would use them, and the shutdown after SIGTERM flushes every batch, so a
        // clean exit with an empty receiver shows nothing was exported.
        await using var receiver = OtlpReceiver.Start();
        await using var server = await ZkAspireServerProcess.StartAsync(
            environment: ExportEnvironment(
                ("OTEL_EXPORTER_OTLP_ENDPOINT", null),
                ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.Endpoint + "/v1/traces"),
                ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", receiver.Endpoint + "/v1/metrics"),
                ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", receiver.Endpoint + "/v1/logs"),
                ("OTEL_SERVICE_NAME", "zk-under-test")));
        await using (var client = await ZooKeeperClient.ConnectAsync(server.ConnectionString, Ct))
        {
            await client.CreateAsync("/plain", [1], cancellationToken: Ct);
            Assert.Equal([1], (await client.GetDataAsync("/plain", Ct)).Data);
        }

        AssertOpenTelemetryIsNotLoaded(server);
        Assert.Equal(0, await server.TerminateAsync());
        Assert.Empty(receiver.Requests);
        Assert.DoesNotContain("Telemetry:", server.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("OTLP", server.Log, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AnEndpointThatIsNotAUriIsReportedAndNothingIsExported()
    {
        await using var server = await ZkAspireServerProcess.StartAsync(
            environment: ExportEnvironment(("OTEL_EXPORTER_OTLP_ENDPOINT", "127.0.0.1 port 4318")));

        Assert.Contains("Telemetry: OTEL_EXPORTER_OTLP_ENDPOINT='127.0.0.1 port 4318' is not an absolute http or https URI; nothing is exported", server.Log, StringComparison.Ordinal);
        Assert.Equal("imok", await FourLetterWordClient.SendAsync(server.Port, "ruok"));
        AssertOpenTelemetryIsNotLoaded(server);
        Assert.Equal(0, await server.TerminateAsync());
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    // No work at all without a usable endpoint: the SDK's assemblies are not even loaded (the
    // program's cold start is measured). /proc lists the files the process has mapped.
    private static void AssertOpenTelemetryIsNotLoaded(ZkAspireServerProcess server)
    {
        var maps = $"/proc/{server.ProcessId}/maps";
        if (File.Exists(maps))
        {
            Assert.DoesNotContain("OpenTelemetry", File.ReadAllText(maps), StringComparison.Ordinal);
        }
    }

    // OTLP/HTTP with protobuf, and short batch and export intervals so the exports come soon
    // (also the native server's test, NativeServerTests).
    internal static Dictionary<string, string?> ExportEnvironment(params (string Key, string? Value)[] more)
    {
        var environment = new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = null,
            ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = null,
            ["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"] = null,
        };
        foreach (var (key, value) in more)
        {
            environment[key] = value;
        }

        return environment;
    }
}
