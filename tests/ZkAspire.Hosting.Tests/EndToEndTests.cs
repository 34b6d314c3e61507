// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ZkAspire.Client;
using ZkAspire.Hosting.Internal;
using ZkAspire.Hosting.Tests.Otlp;

namespace ZkAspire.Hosting.Tests;

/// <summary>
/// Runs the playground AppHost (a three-replica ensemble and two ticket-office instances) as a
/// user would, and checks what they would look at, the traces included: the replicas and the
/// services export them to an OTLP receiver in this process instead of the dashboard.
/// </summary>
public sealed class EndToEndTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ThePlaygroundRunsTheEnsembleAndTheTicketOfficeNeverOversells()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Budget);
        var token = timeout.Token;

        var clock = Stopwatch.StartNew();
        await using var otlp = await OtlpReceiver.StartAsync(token);

        // WaitForResourceCleanup=false: StopAsync returns at once; the orchestrator still ends
        // every process, which the end of this test checks.
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ZkAspire_Playground_AppHost>(
            ["DcpPublisher:WaitForResourceCleanup=false"], token);
        var ensemble = appHost.Resources.OfType<ZooKeeperEnsembleResource>().Single();
        appHost.CreateResourceBuilder(ensemble).WithStatusPollInterval(TimeSpan.FromMilliseconds(250));

        // Telemetry to the receiver: these callbacks run after the OTLP settings Aspire gives
        // every replica (WithOtlpExporter) and project, so they win.
        foreach (var replica in ensemble.Replicas)
        {
            ExportTo(appHost, replica, otlp.Endpoint);
        }

        ExportTo(appHost, appHost.Resources.OfType<ProjectResource>().Single(r => r.Name == "ticket-office"), otlp.Endpoint);

        string? dataDirectory;
        string? connectionString;
        await using (var app = await appHost.BuildAsync(token))
        {
            await app.StartAsync(token);
            var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
            var commands = app.Services.GetRequiredService<ResourceCommandService>();
            await notifications.WaitForResourceHealthyAsync("zk", token);
            Log(clock, "zk healthy");

            connectionString = await app.GetConnectionStringAsync("zk", token);
            Assert.NotNull(connectionString);
            Assert.Matches(@"^127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+){2}$", connectionString);
            dataDirectory = ensemble.FreshRunDataDirectory;
            Assert.True(Directory.Exists(dataDirectory), $"The run's data directory should exist: {dataDirectory}");
            foreach (var replica in new[] { "zk-1", "zk-2", "zk-3" })
            {
                Assert.True(File.Exists(Path.Combine(dataDirectory, replica, "myid")), replica);
            }

            // The same ensemble seen as an existing one (AsExisting): its health check opens a
            // session on a ZkAspire replica as it does on Apache ZooKeeper.
            var asExisting = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = [], DisableDashboard = true })
                .AddZooKeeper("existing").AsExisting(connectionString);
            var existingHealth = await new ZooKeeperExistingEnsembleHealthCheck(asExisting.Resource).CheckHealthAsync(new HealthCheckContext(), token);
            Assert.Equal(HealthStatus.Healthy, existingHealth.Status);

            await using (var client = await ZooKeeperClient.ConnectAsync(connectionString, token))
            {
                await client.CreateAsync("/e2e", "written before the restart"u8.ToArray(), cancellationToken: token);
                Assert.Equal("written before the restart", Encoding.UTF8.GetString((await client.GetDataAsync("/e2e", token)).Data!));
            }

            // The dashboard's view: the ensemble names its leader, that replica's role says so,
            // and the srvr command answers.
            var withLeader = await notifications.WaitForResourceAsync("zk", e => LeaderOf(e) is { } l && l.StartsWith("zk-", StringComparison.Ordinal), token);
            var leader = LeaderOf(withLeader)!;
            await notifications.WaitForResourceAsync(leader, e => HasProperty(e, "zookeeper.role", "leader"), token);
            var srvr = await commands.ExecuteCommandAsync(leader, "zookeeper-srvr", token);
            Assert.True(srvr.Success, srvr.Message);

            // Two ticket-office instances, each a member of ticket-office: the members list (read
            // through the proxy, so through either) shows both, each at its own endpoint.
            await notifications.WaitForResourceHealthyAsync("ticket-office", token);
            using var http = app.CreateHttpClient("ticket-office");
            var office = await PollAsync(http, o => o.Members.Count == 2, "two members", token);
            var instances = office.Members.Select(m => new HttpClient { BaseAddress = m.Endpoints.First(e => e.Scheme == Uri.UriSchemeHttp) }).ToArray();
            try
            {
                var answeredBy = await Task.WhenAll(instances.Select(i => i.GetFromJsonAsync<OfficeView>("/status", token)));
                Assert.Equal(office.Members.Select(m => (string?)m.Id).Order(), answeredBy.Select(o => o!.Instance).Order());
                Assert.All(answeredBy, o => Assert.Matches(@"^127\.0\.0\.1:\d+$", o!.Server));

                // The page for a person: HTML, with the tickets left and a form that buys.
                using (var page = await instances[0].GetAsync(new Uri("/", UriKind.Relative), token))
                {
                    Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
                    var html = await page.Content.ReadAsStringAsync(token);
                    Assert.Contains("<td id=\"remaining\">100</td>", html, StringComparison.Ordinal);
                    Assert.Contains("<form method=\"post\" action=\"/\">", html, StringComparison.Ordinal);
                    Assert.Contains(answeredBy[0]!.Instance!, html, StringComparison.Ordinal);
                }

                // Service discovery over the membership: http://ticket-office reaches a member.
                var peer = await instances[0].GetFromJsonAsync<PeerView>("/peer", token);
                Assert.Contains(peer!.Answered, office.Members.Select(m => m.Id));

                // Thirty buyers who want four tickets each, at once, through both instances, for a
                // hundred tickets: exactly a hundred are sold, and the rest are refused. Each
                // request starts a sampled trace of its own (W3C traceparent).
                var traces = Enumerable.Range(1, 30).Select(_ => ActivityTraceId.CreateRandom().ToHexString()).ToArray();
                var responses = await Task.WhenAll(Enumerable.Range(1, 30).Select(async i =>
                {
                    using var buy = new HttpRequestMessage(HttpMethod.Post, new Uri($"/buy?user=buyer{i}&count=4", UriKind.Relative));
                    buy.Headers.Add("traceparent", $"00-{traces[i - 1]}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
                    return await instances[i % 2].SendAsync(buy, token);
                }));
                Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, r.StatusCode.ToString()));
                var purchases = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<PurchaseView>(token)));
                Assert.Equal(100, purchases.Sum(p => p!.Sold));
                Assert.Equal(25, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
                Assert.Equal(0, (await http.GetFromJsonAsync<OfficeView>("/status", token))!.Remaining);
                Assert.Equal(25, office.Options.Price);

                // One buy's trace, as exported by the ticket office and the replicas: the HTTP
                // request, the sales lock's acquire under it, a ZooKeeper request of the acquire,
                // and a replica's handling of that request, whose parent is the client's span.
                Log(clock, "tickets sold");
                var chain = await otlp.WaitForAsync(spans => FindBuyTrace(spans, traces[0]), TimeSpan.FromSeconds(60), "buy trace with server spans", token);
                Log(clock, "buy trace received:\n" + DescribeTrace(otlp.Spans, traces[0]));
                Assert.StartsWith("ticket-office", chain.Http.Service, StringComparison.Ordinal);
                Assert.Equal("POST", chain.Http["http.request.method"]);
                Assert.Equal("ZkAspire.Recipes", chain.Lock.Scope);
                Assert.Equal("mutex", chain.Lock["zookeeper.lock.kind"]);
                Assert.Equal(chain.Http.Service, chain.Client.Service);
                Assert.Equal("zookeeper", chain.Client["db.system.name"]);
                Assert.Equal("zookeeper." + chain.Client.Name, chain.Server.Name);
                Assert.Equal(chain.Client["zookeeper.xid"], chain.Server["zookeeper.xid"]);
                Assert.Equal(chain.Client["zookeeper.session.id"], chain.Server["zookeeper.session.id"]);
                Assert.Matches("^zk-[123]$", chain.Server.Service);
                Assert.Equal(chain.Server.Service[3..], chain.Server.Resource["zookeeper.server.id"]?.ToString());
                Assert.Equal(0, otlp.RejectedRequests);

                // Options are live configuration: a set with a plain client changes both instances'
                // answers without a restart, and closing the sale changes why a buyer is refused.
                await using (var client = await ZooKeeperClient.ConnectAsync(connectionString, token))
                {
                    await client.SetDataAsync("/ticket-office/options/price", "30"u8.ToArray(), cancellationToken: token);
                    await client.SetDataAsync("/ticket-office/options/sale-open", "false"u8.ToArray(), cancellationToken: token);
                }

                foreach (var instance in instances)
                {
                    await PollAsync(instance, o => o.Options is { Price: 30, SaleOpen: false }, "the new options", token);
                    var closed = await instance.PostAsync(new Uri("/buy?user=late&count=1", UriKind.Relative), null, token);
                    Assert.Equal(HttpStatusCode.Conflict, closed.StatusCode);
                    Assert.Equal("The sale is closed.", (await closed.Content.ReadFromJsonAsync<PurchaseView>(token))!.Refused);
                }
            }
            finally
            {
                foreach (var instance in instances)
                {
                    instance.Dispose();
                }
            }

            // "Restart the leader" from the dashboard: the other two elect a leader, the old one
            // comes back as a follower, the service keeps working, and the data written before is
            // there (the replica's data directory is kept for the run; it comes back on the same
            // ports).
            Log(clock, "options changed");
            var restart = await commands.ExecuteCommandAsync("zk", "zookeeper-restart-leader", token);
            Assert.True(restart.Success, restart.Message);
            Log(clock, restart.Message!);
            var moved = await notifications.WaitForResourceAsync("zk", e => LeaderOf(e) is { } l && l.StartsWith("zk-", StringComparison.Ordinal) && l != leader, token);
            Assert.StartsWith(LeaderOf(moved) + " leads now", restart.Message, StringComparison.Ordinal);
            await notifications.WaitForResourceAsync(leader, e => HasProperty(e, "zookeeper.role", "follower"), token);
            await using (var client = await ZooKeeperClient.ConnectAsync(connectionString, token))
            {
                Assert.Equal("written before the restart", Encoding.UTF8.GetString((await client.GetDataAsync("/e2e", token)).Data!));
                await client.SetDataAsync("/e2e", "written after the restart"u8.ToArray(), cancellationToken: token);
            }

            Assert.Equal(0, (await http.GetFromJsonAsync<OfficeView>("/status", token))!.Remaining);
            var afterRestart = await http.PostAsync(new Uri("/buy?user=after-restart&count=1", UriKind.Relative), null, token);
            Assert.Equal(HttpStatusCode.Conflict, afterRestart.StatusCode);
            Assert.Equal("The sale is closed.", (await afterRestart.Content.ReadFromJsonAsync<PurchaseView>(token))!.Refused);

            Log(clock, "service works after the leader restart");
            await app.StopAsync(token);
        }

        Assert.False(Directory.Exists(dataDirectory), $"The run's data directory should be deleted: {dataDirectory}");
        await WaitUntilNoProcessHasAsync("ZKASPIRE_dataDir=" + dataDirectory, token);
        await WaitUntilNoProcessHasAsync("ConnectionStrings__zk=" + connectionString, token);
    }

    private static void Log(Stopwatch clock, string what) =>
        TestContext.Current.TestOutputHelper?.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

    /// <summary>The spans of a trace as a tree, for the test's output.</summary>
    private static string DescribeTrace(IReadOnlyList<ReceivedSpan> spans, string traceId)
    {
        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        var lines = new List<string>();
        void Add(ReceivedSpan span, int depth)
        {
            lines.Add($"{new string(' ', 2 * depth)}{span.Service} {span.Kind} {span.Name}");
            foreach (var child in trace.Where(c => c.ParentSpanId == span.SpanId))
            {
                Add(child, depth + 1);
            }
        }

        foreach (var root in trace.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)))
        {
            Add(root, 0);
        }

        return string.Join("\n", lines);
    }

    /// <summary>Sends <paramref name="resource"/>'s traces, metrics and logs to <paramref name="endpoint"/> over OTLP/HTTP, flushing spans every 200 ms.</summary>
    private static void ExportTo<T>(IDistributedApplicationTestingBuilder appHost, T resource, Uri endpoint)
        where T : IResourceWithEnvironment =>
        appHost.CreateResourceBuilder(resource).WithEnvironment(context =>
        {
            context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint.ToString().TrimEnd('/');
            context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            context.EnvironmentVariables["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        });

    /// <summary>The spans of one buy in trace <paramref name="traceId"/>, or null until all four have arrived.</summary>
    private static BuyTrace? FindBuyTrace(IReadOnlyList<ReceivedSpan> spans, string traceId)
    {
        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        var byId = trace.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        var http = trace.FirstOrDefault(s => s.Kind == SpanKind.Server && s["http.route"] == "/buy");
        if (http is null)
        {
            return null;
        }

        var lockAcquire = trace.FirstOrDefault(s => s.Name == "zookeeper.lock.acquire" && IsUnder(s, http, byId));
        if (lockAcquire is null)
        {
            return null;
        }

        foreach (var client in trace.Where(s => s.Kind == SpanKind.Client && s.Scope == "ZkAspire.Client" && s.ParentSpanId == lockAcquire.SpanId))
        {
            var server = trace.FirstOrDefault(s => s.Kind == SpanKind.Server && s.Scope == "ZkAspire.Server" && s.ParentSpanId == client.SpanId);
            if (server is not null)
            {
                return new BuyTrace(http, lockAcquire, client, server);
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="span"/> descends from <paramref name="ancestor"/> (at most 16 levels up).</summary>
    private static bool IsUnder(ReceivedSpan span, ReceivedSpan ancestor, Dictionary<string, ReceivedSpan> byId)
    {
        var current = span;
        for (var depth = 0; depth < 16 && current.ParentSpanId is { } parent; depth++)
        {
            if (parent == ancestor.SpanId)
            {
                return true;
            }

            if (!byId.TryGetValue(parent, out current))
            {
                return false;
            }
        }

        return false;
    }

    private sealed record BuyTrace(ReceivedSpan Http, ReceivedSpan Lock, ReceivedSpan Client, ReceivedSpan Server);

    private static string? LeaderOf(ResourceEvent e) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == "zookeeper.leader")?.Value as string;

    private static bool HasProperty(ResourceEvent e, string name, string value) =>
        e.Snapshot.Properties.Any(p => p.Name == name && Equals(p.Value, value));

    /// <summary>Waits (at most 30 s) until no process has an environment variable starting with <paramref name="marker"/>: the replicas (their dataDir) and the ticket office (its connection string).</summary>
    private static async Task WaitUntilNoProcessHasAsync(string marker, CancellationToken token)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var left = ProcessesWhoseEnvironmentContains(marker);
            if (left.Count == 0)
            {
                return;
            }

            if (!await timer.WaitForNextTickAsync(token))
            {
                break;
            }
        }

        Assert.Fail($"Processes with {marker} still run after the application stopped: {string.Join(", ", ProcessesWhoseEnvironmentContains(marker))}");
    }

    private static List<int> ProcessesWhoseEnvironmentContains(string marker)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(entry, "environ")).Split('\0').Any(v => v.StartsWith(marker, StringComparison.Ordinal)))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read, or is not ours to read.
            }
        }

        return found;
    }

    private sealed record PurchaseView(int Sold, int Remaining, decimal Total, string? Refused);

    /// <summary>Reads <c>GET /status</c> until <paramref name="done"/> holds, every 100 ms for at most 30 s.</summary>
    private static async Task<OfficeView> PollAsync(HttpClient http, Func<OfficeView, bool> done, string what, CancellationToken token)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        OfficeView? last = null;
        for (var attempt = 0; attempt < 300; attempt++)
        {
            last = await http.GetFromJsonAsync<OfficeView>("/status", token);
            if (last is not null && done(last))
            {
                return last;
            }

            if (!await timer.WaitForNextTickAsync(token))
            {
                break;
            }
        }

        Assert.Fail($"{http.BaseAddress} did not show {what} within 30 s; last answer: {last}");
        return last!;
    }

    private sealed record OfficeView(string? Instance, OptionsView Options, int Remaining, string? Server, IReadOnlyList<MemberView> Members);

    private sealed record OptionsView(decimal Price, bool SaleOpen, int PerUserLimit);

    private sealed record MemberView(string Id, IReadOnlyList<Uri> Endpoints);

    private sealed record PeerView(string? Asked, string? Answered);
}
