// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ZkAspire.Client.Tests.Infrastructure;
using static ZkAspire.Client.Tests.Infrastructure.TestHelpers;

namespace ZkAspire.Client.Tests.Scenarios;

/// <summary>Spans and metrics of requests.</summary>
/// <typeparam name="TFixture">The server under test.</typeparam>
public abstract class TelemetryTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ZooKeeperServerFixture
{
    protected TFixture Server { get; } = server;

    [Fact]
    public async Task EveryRequestIsASpanWithTheConventionalAttributes()
    {
        var path = Server.UniquePath();
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ZooKeeperClientTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem(ZooKeeperClientTelemetry.Attributes.Path) is string p && p.StartsWith(path, StringComparison.Ordinal))
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await using var client = await Server.ConnectAsync();
        using var parent = new Activity("caller").Start();
        var created = await client.CreateWithStatAsync(path, [], cancellationToken: Ct);
        await Assert.ThrowsAsync<NoNodeException>(() => client.GetDataAsync(path + "/missing", Ct));
        parent.Stop();

        var create = Assert.Single(spans, s => s.OperationName == "create2");
        Assert.Equal(ActivityKind.Client, create.Kind);
        Assert.Equal(parent.TraceId, create.TraceId);
        Assert.Equal(parent.SpanId, create.ParentSpanId);
        Assert.Equal("zookeeper", create.GetTagItem("db.system.name"));
        Assert.Equal("create2", create.GetTagItem("db.operation.name"));
        Assert.Equal(path, create.GetTagItem("zookeeper.path"));
        Assert.Equal("127.0.0.1", create.GetTagItem("server.address"));
        Assert.Equal(Server.Port, create.GetTagItem("server.port"));
        Assert.Equal("0x" + client.SessionId.ToString("x", System.Globalization.CultureInfo.InvariantCulture), create.GetTagItem("zookeeper.session.id"));
        Assert.True((int)create.GetTagItem("zookeeper.xid")! > 0);
        Assert.Equal(created.Stat.Czxid, create.GetTagItem("zookeeper.zxid"));
        Assert.Equal(ActivityStatusCode.Unset, create.Status);

        var failed = Assert.Single(spans, s => s.OperationName == "getData");
        Assert.Equal("NoNode", failed.GetTagItem("error.type"));
        Assert.Equal("-101", failed.GetTagItem("db.response.status_code"));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
    }

    [Fact]
    public async Task RequestDurationsAreMeasuredPerOperation()
    {
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ZooKeeperClientTelemetry.SourceName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();

        await using var client = await Server.ConnectAsync();
        await client.ExistsAsync("/", Ct);
        await Assert.ThrowsAsync<NoNodeException>(() => client.DeleteAsync(Server.UniquePath(), cancellationToken: Ct));

        var durations = measurements.Where(m => m.Instrument == ZooKeeperClientTelemetry.Instruments.OperationDuration).ToList();
        Assert.Contains(durations, m => Equals(m.Tags["db.operation.name"], "exists") && !m.Tags.ContainsKey("error.type") && m.Value > 0);
        Assert.Contains(durations, m => Equals(m.Tags["db.operation.name"], "delete") && Equals(m.Tags["error.type"], "NoNode"));
        Assert.All(durations, m => Assert.Equal("zookeeper", m.Tags["db.system.name"]));
        Assert.Contains(measurements, m => m.Instrument == ZooKeeperClientTelemetry.Instruments.ConnectionStateChanges && Equals(m.Tags["zookeeper.connection.state"], "Connected"));
    }
}

public sealed class ApacheTelemetryTests(ApacheZooKeeperFixture server) : TelemetryTests<ApacheZooKeeperFixture>(server);
