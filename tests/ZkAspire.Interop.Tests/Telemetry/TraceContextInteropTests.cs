// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using System.Diagnostics;
using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;
using ZkAspire.Testing;

namespace ZkAspire.Interop.Tests.Telemetry;

/// <summary>Starts one Apache ZooKeeper 3.8 for the class.</summary>
public sealed class ApacheTraceContextFixture : IAsyncLifetime
{
    private ApacheZooKeeper? _server;

    /// <summary>Gets the running server.</summary>
    public ApacheZooKeeper Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <inheritdoc/>
    public async ValueTask InitializeAsync() => _server = await ApacheZooKeeper.StartAsync();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>
/// The trace-context extension (docs/telemetry.md) against Apache ZooKeeper 3.8: the offer after
/// the readOnly byte is ignored and answered with the stock 37-byte ConnectResponse, so our client
/// with propagation on never sends a traced frame there and works unchanged.
/// </summary>
public sealed class ApacheTraceContextTests(ApacheTraceContextFixture fixture) : IClassFixture<ApacheTraceContextFixture>
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ApacheIgnoresTheOfferAndAnswersTheStockResponse()
    {
        var path = "/offer-" + Guid.NewGuid().ToString("n");
        await using var connection = await RawZooKeeperConnection.OpenAsync(fixture.Server.Port, Ct);
        await connection.SendRawAsync(ConnectFrame(offer: true), Ct);
        var response = await connection.ReceiveConnectResponseAsync(Ct);

        Assert.NotNull(response);
        Assert.True(response.TimeOut > 0);
        Assert.Equal(false, response.ReadOnly);
        Assert.Equal(37, connection.ConnectResponsePayload!.Length);

        // The session is an ordinary one.
        var created = await connection.CallAsync(OpCode.Create, new CreateRequest(path, [7], Acls.OpenAclUnsafe, 0), Ct);
        Assert.Equal(KeeperErrorCode.Ok, created.Error);
        var read = await connection.CallAsync(OpCode.GetData, new GetDataRequest(path, false), Ct);
        Assert.Equal([7], read.Read<GetDataResponse>().Data);
        Assert.Equal(KeeperErrorCode.Ok, (await connection.CallAsync(OpCode.Delete, new DeleteRequest(path, -1), Ct)).Error);
    }

    [Fact]
    public async Task ToApacheTheTracedOpcodeIsUnknownWhichIsWhyItIsSentOnlyAfterTheGrant()
    {
        await using var connection = await RawZooKeeperConnection.OpenAsync(fixture.Server.Port, Ct);
        await connection.SendRawAsync(ConnectFrame(offer: true), Ct);
        Assert.NotNull(await connection.ReceiveConnectResponseAsync(Ct));

        using var writer = new JuteWriter();
        new TraceContextHeader(TraceParent, null, (int)OpCode.Exists).Write(writer);
        new ExistsRequest("/", false).Write(writer);
        await connection.SendAsync(new RequestHeader(1, TraceContextExtension.TracedRequestType), new RawBody(writer.ToArray()), Ct);

        var reply = await connection.ReceiveReplyAsync(1, Ct);
        Assert.Equal(KeeperErrorCode.Unimplemented, reply.Error);
        await connection.ReceiveUntilClosedAsync(Ct);
        Assert.True(connection.IsClosedByPeer);
    }

    [Fact]
    public async Task OurClientWithPropagationOnWorksAgainstApacheAndStillTraces()
    {
        var path = "/traced-" + Guid.NewGuid().ToString("n");
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ZooKeeperClientTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var client = await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions
            {
                ConnectionString = fixture.Server.ConnectionString,
                SessionTimeout = TimeSpan.FromSeconds(10),
                PropagateTraceContext = true,
            },
            Ct);
        var session = client.SessionId;

        ActivityTraceId traceId;
        using (var root = new Activity("caller").Start())
        {
            traceId = root.TraceId;
            await client.CreateAsync(path, [1], cancellationToken: Ct);
            Assert.Equal([1], (await client.GetDataAsync(path, Ct)).Data);
            await client.SetDataAsync(path, [2], cancellationToken: Ct);
            await client.Transaction().Create(path + "/m", null).SetData(path, [3]).CommitAsync(Ct);
            await client.SyncAsync(path, Ct);
            Assert.Equal([3], (await client.GetDataAsync(path, Ct)).Data);
        }

        // One connection throughout: a traced frame would have made Apache close it (−6).
        Assert.Equal(session, client.SessionId);
        var ours = spans.Where(s => s.TraceId == traceId).ToList();
        Assert.Equal(["create", "getData", "setData", "multi", "sync", "getData"], ours.Select(s => s.OperationName));
        Assert.All(ours, s =>
        {
            Assert.Equal(ActivityKind.Client, s.Kind);
            Assert.Equal(ActivityStatusCode.Unset, s.Status);
            Assert.Equal(fixture.Server.Port, s.GetTagItem(ZooKeeperClientTelemetry.Attributes.ServerPort));
        });
    }

    private static byte[] ConnectFrame(bool offer)
    {
        using var writer = new JuteWriter();
        var mark = writer.BeginFrame();
        new ConnectRequest(0, 0, 30000, 0, new byte[16], false).Write(writer);
        if (offer)
        {
            new ConnectExtension(TraceContextExtension.TraceContextFeature).Write(writer);
        }

        writer.EndFrame(mark);
        return writer.ToArray();
    }

    /// <summary>Bytes written as they are, to build a frame by hand.</summary>
    private sealed class RawBody(byte[] bytes) : IJuteRecord
    {
        public void Write(JuteWriter writer) => writer.WriteRaw(bytes);
    }
}

/// <summary>
/// Stock clients — the Java zkCli, kazoo and the C client's cli_mt — on our server with the
/// extension on (the default), while a ZkAspire client propagates its trace context to the same
/// server: the stock clients never ask, are never answered with a byte more, and work unchanged.
/// </summary>
public sealed class StockClientsOnTracingServerTests : IAsyncLifetime
{
    private ZooKeeperTestServer? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ZooKeeperTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <inheritdoc/>
    public async ValueTask InitializeAsync() => _server = await ZooKeeperTestServer.StartAsync(cancellationToken: Ct);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task JavaZkCliWorksBesideATracedClient()
    {
        Assert.True(Server.Options.AcceptTraceContext);
        await using var traced = await TracedClientAsync();
        var path = "/zkcli-" + Guid.NewGuid().ToString("n")[..8];

        var output = await JavaZkCli.RunScriptAsync(Server.ConnectionString, [$"create {path} hello", $"get {path}", $"set {path} world", $"get {path}"], TimeSpan.FromSeconds(60), Ct);

        Assert.Contains($"Created {path}", output[0]);
        Assert.Contains("hello", output[1]);
        Assert.Contains("world", output[3]);
        Assert.Equal("world"u8.ToArray(), (await traced.GetDataAsync(path, Ct)).Data);
    }

    [Fact]
    public async Task KazooWorksBesideATracedClient()
    {
        await using var traced = await TracedClientAsync();
        var path = "/kazoo-" + Guid.NewGuid().ToString("n")[..8];
        const string Script = """
            import sys
            from kazoo.client import KazooClient
            zk = KazooClient(hosts=sys.argv[1], timeout=10)
            zk.start(timeout=10)
            p = sys.argv[2]
            zk.create(p, b"a")
            zk.set(p, b"b")
            t = zk.transaction()
            t.create(p + "/x", b"")
            t.set_data(p, b"c")
            print("tx", t.commit())
            print("data", zk.get(p)[0].decode())
            zk.stop()
            print("done")
            """;

        var result = await ExternalProcess.RunAsync("/usr/bin/python3", ["-c", Script, Server.ConnectionString, path], timeout: TimeSpan.FromSeconds(60), cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("data c", result.OutputLines);
        Assert.Equal("done", result.OutputLines[^1]);
        Assert.Equal("c"u8.ToArray(), (await traced.GetDataAsync(path, Ct)).Data);
        Assert.NotNull(await traced.ExistsAsync(path + "/x", Ct));
    }

    [Fact]
    public async Task TheCClientWorksBesideATracedClient()
    {
        await using var traced = await TracedClientAsync();
        var path = "/cclient-" + Guid.NewGuid().ToString("n")[..8];

        var output = await CZooKeeperCli.RunScriptAsync(Server.ConnectionString, [$"create {path}", $"set {path} hello", $"get {path}"], TimeSpan.FromSeconds(60), Ct);

        Assert.Contains($"[{path}]: rc = 0", output[0]);
        Assert.Contains(" value_len = 5", output[2]);
        Assert.Contains("hello", output[2]);
        Assert.Equal("hello"u8.ToArray(), (await traced.GetDataAsync(path, Ct)).Data);
    }

    /// <summary>A ZkAspire client that propagates trace context and checks that the server granted it (its spans reach the server).</summary>
    private async Task<ZooKeeperClient> TracedClientAsync()
    {
        var client = await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectionString = Server.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(10), PropagateTraceContext = true },
            Ct);
        var serverSpans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "ZkAspire.Server" or "ZkAspire.Interop.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = serverSpans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("ZkAspire.Interop.Tests");
        using (var root = source.StartActivity("caller")!)
        {
            await client.ExistsAsync("/", Ct);
            Assert.Contains(serverSpans, s => s.Source.Name == "ZkAspire.Server" && s.TraceId == root.TraceId);
        }

        return client;
    }
}
