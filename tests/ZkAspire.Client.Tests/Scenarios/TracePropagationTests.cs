// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using ZkAspire.Client.Tests.Infrastructure;
using ZkAspire.Testing;
using static ZkAspire.Client.Tests.Infrastructure.TestHelpers;

namespace ZkAspire.Client.Tests.Scenarios;

/// <summary>
/// Client and server spans exported in memory by the OpenTelemetry SDK: with trace propagation
/// the server's request span is the child of the client's; without it, or where the server does
/// not agree, the client's spans are unchanged and the server's start traces of their own.
/// </summary>
public sealed class TracePropagationTests(ZkAspireServerFixture server) : IClassFixture<ZkAspireServerFixture>
{
    private const string ServerSource = "ZkAspire.Server";

    private static readonly ActivitySource TestSource = new("ZkAspire.Client.Tests.TracePropagation");

    [Fact]
    public async Task ServerSpansAreChildrenOfTheClientSpansForCreateGetDataSetDataMultiAndSync()
    {
        var path = server.UniquePath("traced");
        using var exported = new ExportedSpans();
        await using var client = await server.ConnectAsync(o => o.PropagateTraceContext = true);

        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("caller")!)
        {
            traceId = root.TraceId;
            await client.CreateAsync(path, [1], cancellationToken: Ct);
            await client.GetDataAsync(path, Ct);
            await client.SetDataAsync(path, [2], cancellationToken: Ct);
            await client.Transaction().Create(path + "/m", null).SetData(path, [3]).CommitAsync(Ct);
            await client.SyncAsync(path, Ct);
        }

        var spans = exported.OfTrace(traceId);
        foreach (var operation in new[] { "create", "getData", "setData", "multi", "sync" })
        {
            var clientSpan = Assert.Single(spans, s => s.Source.Name == ZooKeeperClientTelemetry.SourceName && s.OperationName == operation);
            Assert.Equal(ActivityKind.Client, clientSpan.Kind);
            Assert.Equal(operation, clientSpan.GetTagItem(ZooKeeperClientTelemetry.Attributes.DbOperationName));
            Assert.Equal("zookeeper", clientSpan.GetTagItem(ZooKeeperClientTelemetry.Attributes.DbSystemName));
            Assert.Equal(server.Port, clientSpan.GetTagItem(ZooKeeperClientTelemetry.Attributes.ServerPort));
            Assert.Equal(SessionText(client), clientSpan.GetTagItem(ZooKeeperClientTelemetry.Attributes.SessionId));

            var serverSpan = Assert.Single(spans, s => s.Source.Name == ServerSource && s.ParentSpanId == clientSpan.SpanId);
            Assert.Equal(ActivityKind.Server, serverSpan.Kind);
            Assert.Equal("zookeeper." + operation, serverSpan.DisplayName);
            Assert.True(serverSpan.HasRemoteParent);
            Assert.Equal(clientSpan.GetTagItem(ZooKeeperClientTelemetry.Attributes.Xid), serverSpan.GetTagItem("zookeeper.xid"));
            Assert.Equal(SessionText(client), serverSpan.GetTagItem("zookeeper.session.id"));
            if (operation != "multi")
            {
                Assert.Equal(path, clientSpan.GetTagItem(ZooKeeperClientTelemetry.Attributes.Path));
                Assert.Equal(path, serverSpan.GetTagItem("zookeeper.path"));
            }

            // Writes carry their zxid in the reply header; both ends record the same one.
            if (operation is "create" or "setData" or "multi")
            {
                Assert.Equal(clientSpan.GetTagItem(ZooKeeperClientTelemetry.Attributes.Zxid), serverSpan.GetTagItem("zookeeper.zxid"));
            }
        }
    }

    [Fact]
    public async Task AFailedRequestRecordsTheExceptionAtBothEnds()
    {
        var path = server.UniquePath("missing");
        using var exported = new ExportedSpans();
        await using var client = await server.ConnectAsync(o => o.PropagateTraceContext = true);

        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("caller")!)
        {
            traceId = root.TraceId;
            await Assert.ThrowsAsync<NoNodeException>(() => client.GetDataAsync(path, Ct));
        }

        var spans = exported.OfTrace(traceId);
        var clientSpan = Assert.Single(spans, s => s.Source.Name == ZooKeeperClientTelemetry.SourceName);
        Assert.Equal(ActivityStatusCode.Error, clientSpan.Status);
        Assert.Equal("NoNode", clientSpan.GetTagItem(ZooKeeperClientTelemetry.Attributes.ErrorType));
        Assert.Equal("-101", clientSpan.GetTagItem(ZooKeeperClientTelemetry.Attributes.DbResponseStatusCode));
        var exception = Assert.Single(clientSpan.Events, e => e.Name == "exception");
        Assert.Contains(exception.Tags, t => t.Key == "exception.type" && Equals(t.Value, typeof(NoNodeException).FullName));

        var serverSpan = Assert.Single(spans, s => s.Source.Name == ServerSource);
        Assert.Equal(clientSpan.SpanId, serverSpan.ParentSpanId);
        Assert.Equal("NoNode", serverSpan.GetTagItem("error.type"));
    }

    [Fact]
    public async Task WithPropagationOffTheClientSpansStayAndTheServerSpansStartTheirOwnTraces()
    {
        var path = server.UniquePath("untraced");
        using var exported = new ExportedSpans();
        await using var client = await server.ConnectAsync();

        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("caller")!)
        {
            traceId = root.TraceId;
            await client.CreateAsync(path, [1], cancellationToken: Ct);
            await client.GetDataAsync(path, Ct);
        }

        var spans = exported.OfTrace(traceId);
        Assert.Equal(["create", "getData"], spans.Where(s => s.Source.Name == ZooKeeperClientTelemetry.SourceName).Select(s => s.OperationName).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(spans, s => s.Source.Name == ServerSource);

        // The server still traced both requests, each as the root of its own trace.
        var serverSpans = exported.All.Where(s => s.Source.Name == ServerSource && Equals(s.GetTagItem("zookeeper.path"), path)).ToList();
        Assert.Equal(2, serverSpans.Count);
        Assert.All(serverSpans, s => Assert.Equal(default, s.ParentSpanId));
    }

    [Fact]
    public async Task AServerThatDeclinesGetsPlainRequestsAndEverythingWorks()
    {
        var path = "/declined-" + Guid.NewGuid().ToString("n");
        using var exported = new ExportedSpans();
        await using var declining = await ZooKeeperTestServer.StartAsync(o => o.AcceptTraceContext = false, cancellationToken: Ct);
        var options = server.Options(declining.ConnectionString);
        options.PropagateTraceContext = true;
        await using var client = await ZooKeeperClient.ConnectAsync(options, Ct);

        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("caller")!)
        {
            traceId = root.TraceId;
            await client.CreateAsync(path, [1], cancellationToken: Ct);
            Assert.Equal([1], (await client.GetDataAsync(path, Ct)).Data);
        }

        var spans = exported.OfTrace(traceId);
        Assert.Equal(2, spans.Count(s => s.Source.Name == ZooKeeperClientTelemetry.SourceName));
        Assert.DoesNotContain(spans, s => s.Source.Name == ServerSource);
        Assert.Equal(2, exported.All.Count(s => s.Source.Name == ServerSource && Equals(s.GetTagItem("zookeeper.path"), path)));
    }

    [Fact]
    public async Task TheCallersContextIsPropagatedWhenTheClientSpanIsNotSampled()
    {
        // Only the server's source and the caller's are listened to: the client creates no span,
        // and the server's span joins the caller's.
        var path = server.UniquePath("unsampled");
        var spans = new SpanList();
        using var tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(TestSource.Name, ServerSource)
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(spans)
            .Build();
        await using var client = await server.ConnectAsync(o => o.PropagateTraceContext = true);

        Activity root;
        using (root = TestSource.StartActivity("caller")!)
        {
            await client.ExistsAsync(path, Ct);
        }

        var ofTrace = spans.ToArray().Where(s => s.TraceId == root.TraceId).ToList();
        var serverSpan = Assert.Single(ofTrace, s => s.Source.Name == ServerSource);
        Assert.Equal(root.SpanId, serverSpan.ParentSpanId);
    }

    [Fact]
    public async Task ARequestThatOnlyFitsWithoutTheTraceContextIsSentPlain()
    {
        var path = server.UniquePath("big");
        using var exported = new ExportedSpans();
        await using var client = await server.ConnectAsync(o => o.PropagateTraceContext = true);
        await client.CreateAsync(path, null, cancellationToken: Ct);

        // setData's frame: header 8, path (4 + length), data (4 + length), version 4 — exactly jute.maxbuffer.
        var data = new byte[ZkAspire.Protocol.JuteLimits.DefaultMaxBuffer - 8 - 4 - path.Length - 4 - 4];
        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("caller")!)
        {
            traceId = root.TraceId;
            await client.SetDataAsync(path, data, cancellationToken: Ct);
        }

        // (Reading it back would not fit a reply frame: the Stat comes on top.)
        Assert.Equal(data.Length, (await client.ExistsAsync(path, Ct))!.Value.DataLength);
        var spans = exported.OfTrace(traceId);
        Assert.Single(spans, s => s.Source.Name == ZooKeeperClientTelemetry.SourceName && s.OperationName == "setData");
        Assert.DoesNotContain(spans, s => s.Source.Name == ServerSource);
    }

    [Theory]
    [InlineData("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")]
    [InlineData("k=v\u00e9", null)]
    [InlineData("k=\u0007", null)]
    [InlineData(null, null)]
    public void TheTraceStateIsSentOnlyWhenItIsPrintableAscii(string? traceState, string? expected)
    {
        using var activity = new Activity("x");
        activity.SetIdFormat(ActivityIdFormat.W3C);
        activity.Start();
        activity.TraceStateString = traceState;

        var context = ZooKeeperClient.TakeTraceContext(activity);
        Assert.NotNull(context);
        Assert.Equal(activity.Id, context.Value.TraceParent);
        Assert.Equal(expected, context.Value.TraceState);
        Assert.Null(ZooKeeperClient.TakeTraceContext(null));
    }

    [Fact]
    public async Task ConnectionAttemptsAreCounted()
    {
        var attempts = new List<(long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ZooKeeperClientTelemetry.SourceName && instrument.Name == ZooKeeperClientTelemetry.Instruments.ConnectionAttempts)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (attempts)
            {
                attempts.Add((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        listener.Start();

        await using var client = await server.ConnectAsync();
        lock (attempts)
        {
            Assert.Contains(attempts, a => a.Value == 1 && Equals(a.Tags["server.port"], server.Port) && !a.Tags.ContainsKey("error.type"));
        }

        // Nobody listens on this port: the attempt fails and says why.
        var closedPort = ZkAspire.TestInfrastructure.FreePort.Get();
        var options = server.Options("127.0.0.1:" + closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        options.ConnectionTimeout = TimeSpan.FromMilliseconds(500);
        options.RetryPolicy = new RetryNTimes(0, TimeSpan.Zero);
        await Assert.ThrowsAsync<ConnectionLossException>(() => ZooKeeperClient.ConnectAsync(options, Ct));
        lock (attempts)
        {
            Assert.Contains(attempts, a => Equals(a.Tags["server.port"], closedPort) && Equals(a.Tags["error.type"], typeof(System.Net.Sockets.SocketException).FullName));
        }
    }

    [Fact]
    public async Task RequestDurationsCarryTheServer()
    {
        var durations = new List<Dictionary<string, object?>>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ZooKeeperClientTelemetry.SourceName && instrument.Name == ZooKeeperClientTelemetry.Instruments.OperationDuration)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            lock (durations)
            {
                durations.Add(tags.ToArray().ToDictionary(t => t.Key, t => t.Value));
            }
        });
        listener.Start();

        await using var client = await server.ConnectAsync();
        await client.ExistsAsync(server.UniquePath("measured"), Ct);
        lock (durations)
        {
            Assert.Contains(durations, d => Equals(d["db.operation.name"], "exists") && Equals(d["server.port"], server.Port) && Equals(d["server.address"], "127.0.0.1"));
        }
    }

    private static string SessionText(ZooKeeperClient client) => "0x" + client.SessionId.ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An OpenTelemetry tracer provider that exports the client's, the server's and the test's spans in memory.</summary>
    private sealed class ExportedSpans : IDisposable
    {
        private readonly SpanList _spans = new();
        private readonly TracerProvider _provider;

        public ExportedSpans()
        {
            _provider = Sdk.CreateTracerProviderBuilder()
                .AddSource(TestSource.Name, ZooKeeperClientTelemetry.SourceName, ServerSource)
                .SetSampler(new AlwaysOnSampler())
                .AddInMemoryExporter(_spans)
                .Build();
        }

        /// <summary>Gets a copy of every span exported so far (other tests' spans too: the sources are process-wide).</summary>
        public IReadOnlyList<Activity> All => _spans.ToArray();

        /// <summary>The spans of one trace. The simple export processor exports each span as it stops, so the server's span is here before the client has its reply.</summary>
        public IReadOnlyList<Activity> OfTrace(ActivityTraceId traceId) => [.. All.Where(s => s.TraceId == traceId)];

        public void Dispose() => _provider.Dispose();
    }

    /// <summary>The exporter's collection: the exporter adds from the threads that stop spans while the test reads.</summary>
    private sealed class SpanList : ICollection<Activity>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<Activity> _spans = new();

        public int Count => _spans.Count;

        public bool IsReadOnly => false;

        public void Add(Activity item) => _spans.Enqueue(item);

        public Activity[] ToArray() => _spans.ToArray();

        public void Clear() => _spans.Clear();

        public bool Contains(Activity item) => _spans.Contains(item);

        public void CopyTo(Activity[] array, int arrayIndex) => _spans.CopyTo(array, arrayIndex);

        public bool Remove(Activity item) => throw new NotSupportedException();

        public IEnumerator<Activity> GetEnumerator() => ((IEnumerable<Activity>)_spans).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
