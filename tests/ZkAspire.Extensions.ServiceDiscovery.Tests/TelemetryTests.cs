// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.ObjectModel;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ZkAspire.Extensions.ServiceDiscovery.Tests.Infrastructure;
using ZkAspire.TestInfrastructure.Contract;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.ServiceDiscovery.Tests;

/// <summary>
/// The membership's spans and metrics, exported in memory through the hosting package's
/// <c>AddZooKeeperInstrumentation()</c> (so the source name it subscribes to is checked too).
/// </summary>
public sealed class TelemetryTests(ZkAspireServer server)
{
    [Fact]
    public async Task RegisteringAndUnregisteringProduceSpansAndARegistrationCount()
    {
        // Other tests run in parallel on the same process-wide source: this test's records are told by its service name.
        var service = "tel-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        long registrations;
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddZooKeeperInstrumentation().AddInMemoryExporter(spans).Build())
        using (var meters = Sdk.CreateMeterProviderBuilder().AddZooKeeperInstrumentation().AddInMemoryExporter(metrics).Build())
        {
            await using var client = await server.ConnectAsync();
            await using var membership = new ZooKeeperMembership(client, server.UniquePath("services-telemetry"));
            await membership.RegisterAsync(MembershipTests<ZkAspireServer>.Member(service, "i1", "http://10.0.0.1:80"), Ct);
            await membership.UnregisterAsync(Ct);

            // Read at the flush: disposing the provider exports the cumulative sums once more.
            meters.ForceFlush();
            registrations = Sum(metrics, ZooKeeperMembershipTelemetry.RegistrationsInstrumentName, service, (ZooKeeperMembershipTelemetry.OutcomeAttribute, ZooKeeperMembershipTelemetry.OutcomeRegistered));
        }

        var mine = Mine(spans, service);
        var register = Assert.Single(mine, a => a.OperationName == ZooKeeperMembershipTelemetry.RegisterActivityName);
        Assert.Equal("i1", register.GetTagItem(ZooKeeperMembershipTelemetry.InstanceIdAttribute));
        Assert.Equal(ZooKeeperMembershipTelemetry.OutcomeRegistered, register.GetTagItem(ZooKeeperMembershipTelemetry.OutcomeAttribute));
        Assert.Equal(ActivityStatusCode.Unset, register.Status);
        var unregister = Assert.Single(mine, a => a.OperationName == ZooKeeperMembershipTelemetry.UnregisterActivityName);
        Assert.Equal("i1", unregister.GetTagItem(ZooKeeperMembershipTelemetry.InstanceIdAttribute));

        // The client's create runs inside the registration span.
        Assert.Contains(spans, a => a.Source.Name == "ZkAspire.Client" && a.ParentSpanId == register.SpanId);

        Assert.Equal(1, registrations);
    }

    [Fact]
    public async Task AMemberJoiningAndLeavingProducesChangeRecords()
    {
        var service = "tel-" + Guid.NewGuid().ToString("N")[..8];
        var basePath = server.UniquePath("services-telemetry-change");
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        long changeCount;
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddZooKeeperInstrumentation().AddInMemoryExporter(spans).Build())
        using (var meters = Sdk.CreateMeterProviderBuilder().AddZooKeeperInstrumentation().AddInMemoryExporter(metrics).Build())
        {
            await using var a = await server.ConnectAsync();
            await using var b = await server.ConnectAsync();
            await using var observer = new ZooKeeperMembership(a, basePath);
            await using var joiner = new ZooKeeperMembership(b, basePath);
            using var watch = await MemberWatch.StartAsync(observer, service);

            await joiner.RegisterAsync(MembershipTests<ZkAspireServer>.Member(service, "j1", "http://10.0.0.2:80"), Ct);
            await watch.WaitForAsync(members => members.Count == 1);
            await joiner.UnregisterAsync(Ct);
            await watch.WaitForAsync(members => members.Count == 0);
            meters.ForceFlush();
            changeCount = Sum(metrics, ZooKeeperMembershipTelemetry.ChangesInstrumentName, service);
        }

        // The change span is recorded before MembersChanged fires, so both are here once the watch saw them.
        var changes = Mine(spans, service).Where(s => s.OperationName == ZooKeeperMembershipTelemetry.ChangeActivityName).ToList();
        Assert.Contains(changes, c => Equals(c.GetTagItem(ZooKeeperMembershipTelemetry.AddedAttribute), 1)
            && Equals(c.GetTagItem(ZooKeeperMembershipTelemetry.RemovedAttribute), 0)
            && Equals(c.GetTagItem(ZooKeeperMembershipTelemetry.CountAttribute), 1));
        Assert.Contains(changes, c => Equals(c.GetTagItem(ZooKeeperMembershipTelemetry.AddedAttribute), 0)
            && Equals(c.GetTagItem(ZooKeeperMembershipTelemetry.RemovedAttribute), 1)
            && Equals(c.GetTagItem(ZooKeeperMembershipTelemetry.CountAttribute), 0));
        Assert.All(changes, c => Assert.Equal(default, c.ParentSpanId));
        Assert.Equal(changes.Count, changeCount);
    }

    internal static List<Activity> Mine(IEnumerable<Activity> spans, string service) =>
        [.. spans.Where(a => a.Source.Name == ZooKeeperMembershipTelemetry.SourceName
            && Equals(a.GetTagItem(ZooKeeperMembershipTelemetry.ServiceNameAttribute), service))];

    /// <summary>The exporter's collection, safe to read while other tests' spans of the same source are added.</summary>
    internal sealed class ExportedSpans : Collection<Activity>
    {
        private readonly Lock _lock = new();

        public Activity[] Snapshot()
        {
            lock (_lock)
            {
                return [.. this];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (_lock)
            {
                base.InsertItem(index, item);
            }
        }
    }

    internal static long Sum(List<Metric> metrics, string instrument, string service, params (string Key, string Value)[] tags)
    {
        long sum = 0;
        foreach (var metric in metrics.Where(m => m.Name == instrument))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var pointTags = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var tag in point.Tags)
                {
                    pointTags[tag.Key] = tag.Value;
                }

                if (Equals(pointTags.GetValueOrDefault(ZooKeeperMembershipTelemetry.ServiceNameAttribute), service)
                    && tags.All(t => Equals(pointTags.GetValueOrDefault(t.Key), t.Value)))
                {
                    sum += point.GetSumLong();
                }
            }
        }

        return sum;
    }
}

/// <summary>
/// The span and count of a registration made again after session expiry, on ZkAspire's server and
/// Apache ZooKeeper (the session is ended from outside, as Curator's KillSession does).
/// </summary>
/// <typeparam name="TServer">The server.</typeparam>
public abstract class ReRegistrationTelemetryContract<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task RegisteringAgainAfterSessionExpiryProducesASpanAndACount()
    {
        var service = "tel-" + Guid.NewGuid().ToString("N")[..8];
        var basePath = Server.UniquePath("services-telemetry-reregister");
        var spans = new TelemetryTests.ExportedSpans();
        var metrics = new List<Metric>();
        long reRegistrations;
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddZooKeeperInstrumentation().AddInMemoryExporter(spans).Build())
        using (var meters = Sdk.CreateMeterProviderBuilder().AddZooKeeperInstrumentation().AddInMemoryExporter(metrics).Build())
        {
            await using var client = await Server.ConnectAsync();
            await using var observerClient = await Server.ConnectAsync();
            await using var membership = new ZooKeeperMembership(client, basePath);
            await membership.RegisterAsync(MembershipTests<TServer>.Member(service, "r1", "http://10.0.0.3:80"), Ct);
            var oldSession = client.SessionId;

            await client.KillSessionAsync(Server.ConnectionString);

            // The node comes back on the new session, and the span of that re-registration ends.
            await Eventually(async () =>
            {
                var stat = await observerClient.ExistsAsync(basePath + "/" + service + "/r1", Ct);
                Assert.NotNull(stat);
                Assert.NotEqual(oldSession, stat.Value.EphemeralOwner);
                Assert.Contains(TelemetryTests.Mine(spans.Snapshot(), service), a => a.OperationName == ZooKeeperMembershipTelemetry.ReRegisterActivityName
                    && Equals(a.GetTagItem(ZooKeeperMembershipTelemetry.NewSessionAttribute), true));
            });
            meters.ForceFlush();
            reRegistrations = TelemetryTests.Sum(metrics, ZooKeeperMembershipTelemetry.ReRegistrationsInstrumentName, service, (ZooKeeperMembershipTelemetry.OutcomeAttribute, ZooKeeperMembershipTelemetry.OutcomeRegistered));
        }

        var all = spans.Snapshot();

        // Killing a session from outside moves it to another connection first, so the client may
        // see a reconnect of the old session (and find its node gone) before the expiry: on both
        // servers that can add a same-session re-registration. The new session's is there once.
        var reRegisters = TelemetryTests.Mine(all, service).Where(a => a.OperationName == ZooKeeperMembershipTelemetry.ReRegisterActivityName).ToList();
        var reRegister = Assert.Single(reRegisters, a => Equals(a.GetTagItem(ZooKeeperMembershipTelemetry.NewSessionAttribute), true));
        Assert.Equal("r1", reRegister.GetTagItem(ZooKeeperMembershipTelemetry.InstanceIdAttribute));
        Assert.Equal(ZooKeeperMembershipTelemetry.OutcomeRegistered, reRegister.GetTagItem(ZooKeeperMembershipTelemetry.OutcomeAttribute));
        Assert.Equal(ActivityStatusCode.Unset, reRegister.Status);

        // A root (it follows a connection event), with the client's create of the new node inside it.
        Assert.Equal(default, reRegister.ParentSpanId);
        Assert.Contains(all, a => a.Source.Name == "ZkAspire.Client" && a.ParentSpanId == reRegister.SpanId && a.OperationName.Contains("create", StringComparison.Ordinal));

        // The first registration is a registration, not a re-registration; the counter counts the spans.
        Assert.Single(TelemetryTests.Mine(all, service), a => a.OperationName == ZooKeeperMembershipTelemetry.RegisterActivityName);
        Assert.Equal(reRegisters.Count(a => Equals(a.GetTagItem(ZooKeeperMembershipTelemetry.OutcomeAttribute), ZooKeeperMembershipTelemetry.OutcomeRegistered)), reRegistrations);
    }
}

public sealed class ZkAspireReRegistrationTelemetryTests(ZkAspireServer server) : ReRegistrationTelemetryContract<ZkAspireServer>(server);

public sealed class ApacheReRegistrationTelemetryTests(ApacheServer server) : ReRegistrationTelemetryContract<ApacheServer>(server);
