// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ZkAspire.Protocol;
using ZkAspire.Server.Diagnostics;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;
using ZkAspire.Testing;

namespace ZkAspire.Server.Tests;

/// <summary>The server's ActivitySource and Meter, observed with plain System.Diagnostics listeners.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task EachRequestIsASpanWithZooKeeperAttributes()
    {
        var path = "/traced-" + Guid.NewGuid().ToString("n");
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ZooKeeperServerTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var (client, session) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _ = client;

        var (missing, _) = await client.RequestAsync(OpCode.GetData, new GetDataRequest(path, false));
        Assert.Equal((int)KeeperErrorCode.NoNode, missing.Err);

        var span = Assert.Single(spans, s => Equals(s.GetTagItem(ZooKeeperServerTelemetry.PathAttribute), path));
        Assert.Equal("zookeeper.getData", span.DisplayName);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal("getData", span.GetTagItem(ZooKeeperServerTelemetry.OperationAttribute));
        Assert.Equal("0x" + session.SessionId.ToString("x"), span.GetTagItem(ZooKeeperServerTelemetry.SessionIdAttribute));
        Assert.Equal(1, span.GetTagItem(ZooKeeperServerTelemetry.XidAttribute));
        Assert.Equal(missing.Zxid, span.GetTagItem(ZooKeeperServerTelemetry.ZxidAttribute));
        Assert.Equal(-101, span.GetTagItem(ZooKeeperServerTelemetry.ErrorCodeAttribute));
        Assert.Equal("NoNode", span.GetTagItem(ZooKeeperServerTelemetry.ErrorTypeAttribute));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal("127.0.0.1", span.GetTagItem(ZooKeeperServerTelemetry.ClientAddressAttribute));
        Assert.True(span.Duration >= TimeSpan.Zero);

        // Pings keep the connection alive; they are measured, not traced. The request after them
        // is answered after them, so its span marks that their turn has passed.
        var after = path + "-after-ping";
        Assert.Equal(0, (await client.RequestAsync(OpCode.Ping, null)).Header.Err);
        await client.RequestAsync(OpCode.GetData, new GetDataRequest(after, false));
        Assert.Single(spans, s => Equals(s.GetTagItem(ZooKeeperServerTelemetry.PathAttribute), after));
        Assert.DoesNotContain(spans, s => Equals(s.GetTagItem(ZooKeeperServerTelemetry.OperationAttribute), "ping"));
    }

    [Fact]
    public async Task RequestsConnectionsAndSessionsAreMeasured()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var port = server.Port;
        var counts = new ConcurrentDictionary<string, long>();
        var gauges = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ZooKeeperServerTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, 1, tags));
        listener.Start();

        var (client, _) = await RawClient.ConnectSessionAsync(server.Port);
        await using var _c = client;
        await client.RequestAsync(OpCode.Ping, null);
        await client.RequestAsync(OpCode.Ping, null);

        await Poll.UntilAsync(() =>
        {
            listener.RecordObservableInstruments();
            return Task.FromResult(gauges.GetValueOrDefault(ZooKeeperServerTelemetry.SessionsInstrument) == 1);
        });
        Assert.Equal(2, counts.GetValueOrDefault(ZooKeeperServerTelemetry.RequestCountInstrument + "/ping"));
        Assert.Equal(2, counts.GetValueOrDefault(ZooKeeperServerTelemetry.RequestDurationInstrument + "/ping"));
        Assert.Equal(1, counts.GetValueOrDefault(ZooKeeperServerTelemetry.ActiveConnectionsInstrument + "/"));
        Assert.Equal(5, gauges.GetValueOrDefault(ZooKeeperServerTelemetry.ZnodesInstrument));
        Assert.Equal(0, gauges.GetValueOrDefault(ZooKeeperServerTelemetry.OutstandingRequestsInstrument));

        void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? operation = null;
            var ours = false;
            foreach (var tag in tags)
            {
                ours |= tag.Key == ZooKeeperServerTelemetry.ServerPortAttribute && Equals(tag.Value, port);
                operation = tag.Key == ZooKeeperServerTelemetry.OperationAttribute ? (string?)tag.Value : operation;
            }

            if (!ours)
            {
                return;
            }

            if (instrument.IsObservable)
            {
                gauges[instrument.Name] = value;
            }
            else
            {
                counts.AddOrUpdate(instrument.Name + "/" + operation, value, (_, v) => v + value);
            }
        }
    }
}
