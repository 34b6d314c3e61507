// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ZkAspire.Hosting.Tests.Otlp;

/// <summary>The end-to-end test's OTLP receiver, fed by the OpenTelemetry SDK's own OTLP/HTTP exporter.</summary>
public sealed class OtlpReceiverTests
{
    [Fact]
    public async Task TheReceiverDecodesWhatTheOpenTelemetryExporterSends()
    {
        var token = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(token);
        Assert.Equal(IPAddress.Loopback.ToString(), receiver.Endpoint.Host);

        using var source = new ActivitySource("ZkAspire.Hosting.Tests.Otlp." + Guid.NewGuid().ToString("N"));
        string traceId;
        string parentId;
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService("receiver-test").AddAttributes([new("zookeeper.server.id", 7L)]))
            .AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(receiver.Endpoint, "/v1/traces");
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
            })
            .Build())
        {
            using (var parent = source.StartActivity("parent", ActivityKind.Server)!)
            {
                traceId = parent.TraceId.ToHexString();
                parentId = parent.SpanId.ToHexString();
                parent.SetTag("http.route", "/buy");
                using var child = source.StartActivity("getData", ActivityKind.Client)!;
                child.SetTag("zookeeper.xid", 42);
                child.SetTag("zookeeper.watch", true);
                child.SetTag("ratio", 0.5);
            }

            Assert.True(provider.ForceFlush(10_000));
        }

        var spans = await receiver.WaitForAsync(s => s.Count >= 2 ? s : null, TimeSpan.FromSeconds(30), "two spans", token);
        Assert.Equal(2, spans.Count);
        var root = Assert.Single(spans, s => s.Name == "parent");
        var leaf = Assert.Single(spans, s => s.Name == "getData");
        Assert.Equal((traceId, parentId, (string?)null, SpanKind.Server), (root.TraceId, root.SpanId, root.ParentSpanId, root.Kind));
        Assert.Equal((traceId, parentId, SpanKind.Client), (leaf.TraceId, leaf.ParentSpanId, leaf.Kind));
        Assert.Equal(source.Name, leaf.Scope);
        Assert.Equal("receiver-test", leaf.Service);
        Assert.Equal(7L, leaf.Resource["zookeeper.server.id"]);
        Assert.Equal("/buy", root["http.route"]);
        Assert.Equal(42L, leaf.Attributes["zookeeper.xid"]);
        Assert.Equal(true, leaf.Attributes["zookeeper.watch"]);
        Assert.Equal(0.5, leaf.Attributes["ratio"]);
        Assert.Equal(0, receiver.RejectedRequests);
    }

    [Fact]
    public async Task ARequestThatIsNotAnExportRequestIsRefused()
    {
        var token = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(token);
        using var http = new HttpClient { BaseAddress = receiver.Endpoint };

        // Field 1 (resource_spans), length-delimited, with a truncated length: not protobuf.
        using var truncated = new ByteArrayContent([0x0A, 0xFF]);
        truncated.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync(new Uri("/v1/traces", UriKind.Relative), truncated, token)).StatusCode);
        Assert.Equal(1, receiver.RejectedRequests);

        using var json = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await http.PostAsync(new Uri("/v1/traces", UriKind.Relative), json, token)).StatusCode);
        Assert.Empty(receiver.Spans);
    }
}
