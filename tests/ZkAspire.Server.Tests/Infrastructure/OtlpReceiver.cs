// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests.Infrastructure;

/// <summary>One OTLP/HTTP export request: the path (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>) and the protobuf body.</summary>
/// <param name="Path">The request path.</param>
/// <param name="ContentType">The Content-Type header.</param>
/// <param name="Body">The body, decompressed when it was sent gzipped.</param>
internal sealed record OtlpExportRequest(string Path, string? ContentType, byte[] Body)
{
    /// <summary>Gets whether the protobuf body holds the UTF-8 bytes of a string (span names, attribute keys and string values are stored as they are).</summary>
    /// <param name="text">The string.</param>
    /// <returns>True when the bytes occur in the body.</returns>
    public bool Contains(string text) => Contains(Encoding.UTF8.GetBytes(text));

    /// <summary>Gets whether the body holds a byte sequence (a trace id is 16 raw bytes).</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>True when they occur in the body.</returns>
    public bool Contains(ReadOnlySpan<byte> bytes) => Body.AsSpan().IndexOf(bytes) >= 0;

    /// <summary>Gets whether the body holds a string attribute: the protobuf of <c>KeyValue { key, value: AnyValue { string_value } }</c>.</summary>
    /// <param name="key">The attribute key.</param>
    /// <param name="value">The string value.</param>
    /// <returns>True when the encoded attribute occurs in the body.</returns>
    public bool HasAttribute(string key, string value) =>
        Contains(KeyValue(key, LengthDelimited(1, Encoding.UTF8.GetBytes(value))));

    /// <summary>Gets whether the body holds an integer attribute: <c>KeyValue { key, value: AnyValue { int_value } }</c>.</summary>
    /// <param name="key">The attribute key.</param>
    /// <param name="value">The value, 0 to 127 (one varint byte).</param>
    /// <returns>True when the encoded attribute occurs in the body.</returns>
    public bool HasAttribute(string key, long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 127);

        // AnyValue field 3, int_value, wire type 0 (varint).
        return Contains(KeyValue(key, [3 << 3, (byte)value]));
    }

    // opentelemetry/proto/common/v1/common.proto: KeyValue { string key = 1; AnyValue value = 2; }.
    private static byte[] KeyValue(string key, byte[] anyValue) =>
        [.. LengthDelimited(1, Encoding.UTF8.GetBytes(key)), .. LengthDelimited(2, anyValue)];

    // A length-delimited field (wire type 2) of fewer than 128 bytes, so its length is one varint byte.
    private static byte[] LengthDelimited(int field, byte[] bytes)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes.Length, 127);
        return [(byte)((field << 3) | 2), (byte)bytes.Length, .. bytes];
    }
}

/// <summary>
/// A minimal OTLP/HTTP receiver on 127.0.0.1 (the OTLP specification's "OTLP/HTTP" with
/// binary protobuf): it answers every POST 200 with an empty export response and keeps the
/// requests for the test to look at. It does not decode the protobuf.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly List<OtlpExportRequest> _requests = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OtlpReceiver(HttpListener listener, int port)
    {
        _listener = listener;
        Endpoint = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>Gets the base endpoint, for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Gets the requests received so far.</summary>
    public IReadOnlyList<OtlpExportRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts a receiver on a free loopback port.</summary>
    /// <returns>The running receiver.</returns>
    public static OtlpReceiver Start()
    {
        // A free port can be taken between the probe and the bind: try a few.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Get();
            var listener = new HttpListener();
            listener.Prefixes.Add(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
            try
            {
                listener.Start();
                return new OtlpReceiver(listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>Waits for a request to a path whose body satisfies a condition.</summary>
    /// <param name="path">The path, e.g. <c>/v1/traces</c>.</param>
    /// <param name="condition">What the request must satisfy.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The first such request.</returns>
    /// <exception cref="TimeoutException">None came in time; the message lists what did.</exception>
    public async Task<OtlpExportRequest> WaitForAsync(string path, Func<OtlpExportRequest, bool> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_requests)
            {
                if (_requests.FirstOrDefault(r => r.Path == path && condition(r)) is { } found)
                {
                    return found;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                var seen = string.Join(", ", Requests.Select(r => $"{r.Path} ({r.Body.Length} bytes)"));
                throw new TimeoutException($"No matching POST {path} within {timeout.TotalSeconds:0} s; received: [{seen}]");
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // Close alone: on Linux the managed HttpListener's Stop releases the port, and a Close after
        // it binds the port again to look the prefix up, which throws "Address already in use" when
        // another test took the port in between.
        _listener.Close();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                using var body = new MemoryStream();
                var input = context.Request.Headers["Content-Encoding"] is "gzip"
                    ? new GZipStream(context.Request.InputStream, CompressionMode.Decompress)
                    : context.Request.InputStream;
                await using (input)
                {
                    await input.CopyToAsync(body);
                }

                var request = new OtlpExportRequest(context.Request.Url?.AbsolutePath ?? "", context.Request.ContentType, body.ToArray());
                context.Response.StatusCode = context.Request.HttpMethod == "POST" ? 200 : 405;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.ContentLength64 = 0;
                context.Response.Close();

                TaskCompletionSource changed;
                lock (_requests)
                {
                    _requests.Add(request);
                    changed = _changed;
                    _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                changed.TrySetResult();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or InvalidDataException)
            {
                context.Response.Abort();
            }
        }
    }
}
