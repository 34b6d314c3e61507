// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using System.Diagnostics;
using ZkAspire.Protocol;
using ZkAspire.Server.Diagnostics;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.Testing;

namespace ZkAspire.Server.Tests;

/// <summary>
/// The server side of the trace-context extension, byte by byte (docs/telemetry.md): the grant
/// only to a client that asked, traced frames only after the grant, and the request span as a
/// child of the client's span.
/// </summary>
public sealed class TraceContextTests
{
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string ParentSpanId = "b7ad6b7169203331";
    private const string TraceParent = "00-" + TraceId + "-" + ParentSpanId + "-01";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AClientThatAsksIsGrantedAndItsTracedRequestsAreChildSpans()
    {
        var path = "/traced-" + Guid.NewGuid().ToString("n");
        using var spans = new SpanCollector();
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: Ct);
        await using var client = await RawClient.ConnectAsync(server.Port);

        var response = await HandshakeAsync(client, offer: true);
        Assert.Equal(37 + ConnectExtension.EncodedSize, response.Length);
        Assert.Equal(Hex("00 | 5a 4b 41 78 | 00 00 00 01"), response[36..]);

        await client.SendAsync(TracedFrame(1, OpCode.Create, new CreateRequest(path, [1], Acls.OpenAclUnsafe, 0), TraceParent, "rojo=00f067aa0ba902b7"));
        var (created, _) = await client.ReadReplyAsync(1);
        Assert.Equal(0, created.Err);
        await client.SendAsync(TracedFrame(2, OpCode.GetData, new GetDataRequest(path, false), TraceParent, null));
        var (read, body) = await client.ReadReplyAsync(2);
        Assert.Equal(0, read.Err);
        var reader = new JuteReader(body);
        Assert.Equal([1], GetDataResponse.Read(ref reader).Data);

        // An ordinary frame on the same connection is still an ordinary request, without a parent.
        var (exists, _) = await client.RequestAsync(OpCode.Exists, new ExistsRequest(path, false), xid: 3);
        Assert.Equal(0, exists.Err);

        var create = spans.Single(path, "zookeeper.create");
        Assert.Equal(ActivityKind.Server, create.Kind);
        Assert.Equal(TraceId, create.TraceId.ToHexString());
        Assert.Equal(ParentSpanId, create.ParentSpanId.ToHexString());
        Assert.True(create.HasRemoteParent);
        Assert.Equal("rojo=00f067aa0ba902b7", create.TraceStateString);
        Assert.Equal(1, create.GetTagItem(ZooKeeperServerTelemetry.XidAttribute));
        Assert.Equal(created.Zxid, create.GetTagItem(ZooKeeperServerTelemetry.ZxidAttribute));

        var getData = spans.Single(path, "zookeeper.getData");
        Assert.Equal(TraceId, getData.TraceId.ToHexString());
        Assert.Equal(ParentSpanId, getData.ParentSpanId.ToHexString());
        Assert.Equal("getData", getData.GetTagItem(ZooKeeperServerTelemetry.OperationAttribute));

        var plain = spans.Single(path, "zookeeper.exists");
        Assert.NotEqual(TraceId, plain.TraceId.ToHexString());
        Assert.Equal(default, plain.ParentSpanId);
    }

    [Fact]
    public async Task AStockHandshakeGetsTheStockResponseAndTheTracedOpcodeIsUnknown()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: Ct);
        await using var client = await RawClient.ConnectAsync(server.Port);

        // 37 bytes, not one more: a stock client (the C client reads the handshake into a fixed
        // 40-byte buffer) never sees the extension.
        var response = await HandshakeAsync(client, offer: false);
        Assert.Equal(37, response.Length);

        await AssertTracedFrameIsRefusedAsync(client);
    }

    [Fact]
    public async Task AServerWithTheExtensionOffAnswersTheOfferLikeApache()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(o => o.AcceptTraceContext = false, cancellationToken: Ct);
        await using var client = await RawClient.ConnectAsync(server.Port);

        var response = await HandshakeAsync(client, offer: true);
        Assert.Equal(37, response.Length);

        await AssertTracedFrameIsRefusedAsync(client);
    }

    [Fact]
    public async Task AnInvalidTraceParentIsIgnoredAndTheRequestAnswered()
    {
        var path = "/bad-parent-" + Guid.NewGuid().ToString("n");
        using var spans = new SpanCollector();
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: Ct);
        await using var client = await RawClient.ConnectAsync(server.Port);
        await HandshakeAsync(client, offer: true);

        // All-zero trace ids are invalid (W3C Trace Context §3.2.2.3): the span starts a trace.
        await client.SendAsync(TracedFrame(1, OpCode.Exists, new ExistsRequest(path, false), "00-00000000000000000000000000000000-" + ParentSpanId + "-01", null));
        var (reply, _) = await client.ReadReplyAsync(1);
        Assert.Equal((int)KeeperErrorCode.NoNode, reply.Err);

        var span = spans.Single(path, "zookeeper.exists");
        Assert.Equal(default, span.ParentSpanId);
        Assert.False(span.HasRemoteParent);
    }

    [Fact]
    public async Task ATruncatedTraceHeaderClosesOnlyThatConnection()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: Ct);
        await using var bystander = await RawClient.ConnectAsync(server.Port);
        await bystander.HandshakeAsync();
        await using var client = await RawClient.ConnectAsync(server.Port);
        await HandshakeAsync(client, offer: true);

        // [len 14][xid 1][0x5A4B0001][traceparent length 55, then only 2 bytes of it]
        await client.SendAsync(Hex("00 00 00 0e | 00 00 00 01 | 5a 4b 00 01 | 00 00 00 37 | 30 30"));
        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));

        var (ping, _) = await bystander.RequestAsync(OpCode.Ping, null);
        Assert.Equal(0, ping.Err);
    }

    [Fact]
    public async Task AnUndecodableBodyInsideATracedFrameIsAMarshallingError()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: Ct);
        await using var client = await RawClient.ConnectAsync(server.Port);
        await HandshakeAsync(client, offer: true);

        // The wrapper is whole; the getData body inside it is cut short (a 2-byte path promised, none sent).
        using var writer = new JuteWriter();
        var mark = writer.BeginFrame();
        new RequestHeader(1, TraceContextExtension.TracedRequestType).Write(writer);
        new TraceContextHeader(TraceParent, null, (int)OpCode.GetData).Write(writer);
        writer.WriteInt(2);
        writer.EndFrame(mark);
        await client.SendAsync(writer.ToArray());

        var (reply, _) = await client.ReadReplyAsync(1);
        Assert.Equal((int)KeeperErrorCode.MarshallingError, reply.Err);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("zkaspire.traceContext=false", false)]
    [InlineData("zkaspire.traceContext=yes", true)]
    public void TheZooCfgKeyTurnsTheGrantOff(string? line, bool expected)
    {
        var configuration = Configuration.ZooKeeperConfiguration.Load(null, line is null ? [] : [line], new System.Collections.Hashtable());
        Assert.Equal(expected, configuration.Options.AcceptTraceContext);
    }

    private static async Task AssertTracedFrameIsRefusedAsync(RawClient client)
    {
        // Without the grant 0x5A4B0001 is an unknown opcode: −6 Unimplemented, then the
        // connection is closed, as Apache ZooKeeper does for any unknown opcode (§6).
        await client.SendAsync(TracedFrame(1, OpCode.Exists, new ExistsRequest("/", false), TraceParent, null));
        var (reply, _) = await client.ReadReplyAsync(1);
        Assert.Equal((int)KeeperErrorCode.Unimplemented, reply.Err);
        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>Sends a ConnectRequest (with the offer after the readOnly byte, if asked) and returns the ConnectResponse payload.</summary>
    private static async Task<byte[]> HandshakeAsync(RawClient client, bool offer)
    {
        using var writer = new JuteWriter();
        var mark = writer.BeginFrame();
        new ConnectRequest(0, 0, 30000, 0, new byte[16], false).Write(writer);
        if (offer)
        {
            new ConnectExtension(TraceContextExtension.TraceContextFeature).Write(writer);
        }

        writer.EndFrame(mark);
        await client.SendAsync(writer.ToArray());
        var payload = await client.ReadFrameAsync() ?? throw new InvalidOperationException("The server closed the connection during the handshake.");
        var reader = new JuteReader(payload);
        Assert.True(ConnectResponse.Read(ref reader).TimeOut > 0);
        return payload;
    }

    private static byte[] TracedFrame(int xid, OpCode type, IJuteRecord body, string traceParent, string? traceState)
    {
        using var writer = new JuteWriter();
        var mark = writer.BeginFrame();
        new RequestHeader(xid, TraceContextExtension.TracedRequestType).Write(writer);
        new TraceContextHeader(traceParent, traceState, (int)type).Write(writer);
        body.Write(writer);
        writer.EndFrame(mark);
        return writer.ToArray();
    }

    private static byte[] Hex(string text) => Convert.FromHexString(text.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("|", string.Empty, StringComparison.Ordinal));

    /// <summary>Collects the server's spans.</summary>
    private sealed class SpanCollector : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _spans = new();
        private readonly ActivityListener _listener;

        public SpanCollector()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == ZooKeeperServerTelemetry.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _spans.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        /// <summary>The one span of an operation on a path (spans are recorded when the reply is written, before it is read).</summary>
        public Activity Single(string path, string name) =>
            Assert.Single(_spans, s => s.DisplayName == name && Equals(s.GetTagItem(ZooKeeperServerTelemetry.PathAttribute), path));

        public void Dispose() => _listener.Dispose();
    }
}
