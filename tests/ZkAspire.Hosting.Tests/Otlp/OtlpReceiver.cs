// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.IO.Compression;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ZkAspire.Hosting.Tests.Otlp;

/// <summary>One span as an OTLP exporter sent it, with the resource that sent it.</summary>
/// <param name="Service">The resource's <c>service.name</c>.</param>
/// <param name="Resource">The resource's attributes.</param>
/// <param name="Scope">The instrumentation scope: the ActivitySource's name.</param>
/// <param name="TraceId">The trace id, 32 lower-case hex digits.</param>
/// <param name="SpanId">The span id, 16 lower-case hex digits.</param>
/// <param name="ParentSpanId">The parent's span id, or <see langword="null"/> for a root span.</param>
/// <param name="Name">The span's name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Attributes">Its attributes (strings, booleans, longs and doubles).</param>
public sealed record ReceivedSpan(
    string Service,
    IReadOnlyDictionary<string, object?> Resource,
    string Scope,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    SpanKind Kind,
    IReadOnlyDictionary<string, object?> Attributes)
{
    /// <summary>An attribute as text, or <see langword="null"/>.</summary>
    public string? this[string key] => Attributes.TryGetValue(key, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <inheritdoc/>
    public override string ToString() => $"{Service}/{Scope} {Kind} '{Name}' {TraceId}/{SpanId} <- {ParentSpanId ?? "root"}";
}

/// <summary>
/// An OTLP/HTTP receiver on 127.0.0.1 and a free port: takes <c>POST /v1/traces</c> with an
/// <c>application/x-protobuf</c> ExportTraceServiceRequest (gzip or not), decodes it with the
/// protobuf runtime, and keeps the spans; <c>/v1/metrics</c> and <c>/v1/logs</c> are accepted and
/// dropped. Point exporters at it with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> =
/// <see cref="Endpoint"/> and <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    // The .NET exporter sends batches of at most 512 spans; a few MB is far above any real batch.
    private const int MaxRequestBytes = 16 << 20;

    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<ReceivedSpan> _spans = [];
    private TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _rejectedRequests;

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base endpoint, <c>http://127.0.0.1:port</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>How many trace export requests could not be decoded (answered 400).</summary>
    public int RejectedRequests => Volatile.Read(ref _rejectedRequests);

    /// <summary>The spans received so far.</summary>
    public IReadOnlyList<ReceivedSpan> Spans
    {
        get
        {
            lock (_lock)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>Starts a receiver.</summary>
    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = MaxRequestBytes;
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", receiver.ReceiveTracesAsync);
        app.MapPost("/v1/metrics", Accept);
        app.MapPost("/v1/logs", Accept);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    /// <summary>
    /// Waits until <paramref name="find"/> returns something for the spans received so far,
    /// re-evaluating it after each export request, for at most <paramref name="timeout"/>.
    /// </summary>
    /// <returns>What <paramref name="find"/> returned.</returns>
    /// <exception cref="TimeoutException">Nothing was found in time; the message lists what was received.</exception>
    public async Task<T> WaitForAsync<T>(Func<IReadOnlyList<ReceivedSpan>, T?> find, TimeSpan timeout, string what, CancellationToken cancellationToken)
        where T : class
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task next;
            IReadOnlyList<ReceivedSpan> spans;
            lock (_lock)
            {
                next = _received.Task;
                spans = [.. _spans];
            }

            if (find(spans) is { } found)
            {
                return found;
            }

            try
            {
                await next.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No {what} among the {spans.Count} spans received within {timeout.TotalSeconds} s:\n{string.Join("\n", spans.TakeLast(200))}");
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Decodes one request's spans (tested on its own with the OpenTelemetry SDK's exporter).</summary>
    internal static IEnumerable<ReceivedSpan> Decode(ExportTraceServiceRequest request)
    {
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = ToDictionary(resourceSpans.Resource?.Attributes ?? []);
            var service = resource.TryGetValue("service.name", out var name) ? name as string ?? string.Empty : string.Empty;
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                foreach (var span in scopeSpans.Spans)
                {
                    yield return new ReceivedSpan(
                        service,
                        resource,
                        scopeSpans.Scope?.Name ?? string.Empty,
                        Convert.ToHexStringLower(span.TraceId.Span),
                        Convert.ToHexStringLower(span.SpanId.Span),
                        span.ParentSpanId.IsEmpty ? null : Convert.ToHexStringLower(span.ParentSpanId.Span),
                        span.Name,
                        span.Kind,
                        ToDictionary(span.Attributes));
                }
            }
        }
    }

    private static Task Accept(HttpContext context)
    {
        context.Response.ContentType = "application/x-protobuf";
        return Task.CompletedTask;
    }

    private static Dictionary<string, object?> ToDictionary(IEnumerable<KeyValue> attributes)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            var value = attribute.Value;
            result[attribute.Key] = value?.ValueCase switch
            {
                AnyValue.ValueOneofCase.StringValue => value.StringValue,
                AnyValue.ValueOneofCase.BoolValue => value.BoolValue,
                AnyValue.ValueOneofCase.IntValue => value.IntValue,
                AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
                AnyValue.ValueOneofCase.BytesValue => value.BytesValue.ToByteArray(),
                _ => null,
            };
        }

        return result;
    }

    private async Task ReceiveTracesAsync(HttpContext context)
    {
        // OTLP/HTTP (specification, "OTLP/HTTP Request"): binary protobuf, optionally gzip-compressed.
        if (context.Request.ContentType?.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase) != true)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        using var body = new MemoryStream();
        if (string.Equals(context.Request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            await using var gzip = new GZipStream(context.Request.Body, CompressionMode.Decompress, leaveOpen: true);
            await gzip.CopyToAsync(body, context.RequestAborted);
        }
        else
        {
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        }

        ExportTraceServiceRequest request;
        try
        {
            request = ExportTraceServiceRequest.Parser.ParseFrom(body.GetBuffer(), 0, (int)body.Length);
        }
        catch (InvalidProtocolBufferException)
        {
            Interlocked.Increment(ref _rejectedRequests);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        TaskCompletionSource received;
        lock (_lock)
        {
            _spans.AddRange(Decode(request));
            received = _received;
            _received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        received.TrySetResult();

        // An empty ExportTraceServiceResponse: everything accepted.
        context.Response.ContentType = "application/x-protobuf";
    }
}
