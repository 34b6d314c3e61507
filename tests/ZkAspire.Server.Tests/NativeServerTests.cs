// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Server.Diagnostics;
using ZkAspire.Server.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Server.Tests;

/// <summary>
/// The native AOT <c>zkaspire-server</c>, the form we ship (src/ZkAspire.Server.Host/README.md,
/// Publishing), really works: published from the sources once per test run (into this project's
/// obj/, so a second run is incremental), then run as a standalone server and as a three-node
/// ensemble. The trimmer and the AOT compiler report no warnings on the build (warnings are
/// errors), but a reflection use they cannot see would only fail at run time: these tests catch it.
/// </summary>
public sealed class NativeServerTests
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheNativeServerServesASessionAndTheFourLetterWords()
    {
        var program = await PublishAsync();
        await using var server = await ZkAspireServerProcess.StartAsync(program: program, environment: new Dictionary<string, string?> { ["DOTNET_GCgen0size"] = null });

        // The project compiles GCgen0size=2 MiB into the executable (README.md, Publishing), which
        // caps the budget at 6 MiB on any machine (the runtime's own sizing gives 16 MiB here).
        Assert.Contains(", native AOT, workstation GC (concurrent), gen0 budget up to 6 MiB", server.Log, StringComparison.Ordinal);

        await using (var client = await ZooKeeperClient.ConnectAsync(server.ConnectionString, Ct))
        {
            await client.CreateAsync("/native", [1, 2, 3], cancellationToken: Ct);
            await client.CreateAsync("/native/child-", [4], CreateOptions.EphemeralSequential, Ct);
            Assert.Equal([1, 2, 3], (await client.GetDataAsync("/native", Ct)).Data);
            Assert.Single(await client.GetChildrenAsync("/native", Ct));
        }

        var srvr = await FourLetterWordClient.SendAsync(server.Port, "srvr");
        Assert.Contains("Mode: standalone", srvr, StringComparison.Ordinal);
        Assert.Equal("imok", await FourLetterWordClient.SendAsync(server.Port, "ruok"));
        Assert.Contains("zk_server_state\tstandalone", await FourLetterWordClient.SendAsync(server.Port, "mntr"), StringComparison.Ordinal);

        // SIGTERM: the generic host's clean shutdown, exit code 0.
        Assert.Equal(0, await server.TerminateAsync());
    }

    [Fact]
    public async Task ABadSettingExitsWithTwoAsTheJitBuildDoes()
    {
        var program = await PublishAsync();
        var (exitCode, output) = await ZkAspireServerProcess.RunAsync(["clientPort=banana"], program: program);
        Assert.Equal(2, exitCode);
        Assert.Contains("clientPort", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThreeNativeServersElectALeaderAndReplicateAWrite()
    {
        var program = await PublishAsync();
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(
            EnsembleServerKind.ZkAspire,
            new EnsembleOptions { ZkAspireProgram = program, ExtraConfig = ["4lw.commands.whitelist=*"] },
            Ct);

        var modes = new List<string>();
        foreach (var member in ensemble.Members)
        {
            var srvr = await FourLetterWordClient.SendAsync(member.ClientPort, "srvr");
            modes.Add(srvr.Split('\n').Single(l => l.StartsWith("Mode: ", StringComparison.Ordinal))[6..].Trim());
        }

        Assert.Equal(["follower", "follower", "leader"], modes.Order());

        var leader = ensemble.Members[modes.IndexOf("leader")];
        var follower = ensemble.Members[modes.IndexOf("follower")];
        await using (var writer = await ZooKeeperClient.ConnectAsync(follower.ConnectionString, Ct))
        {
            await writer.CreateAsync("/replicated", [9], cancellationToken: Ct);
        }

        // A sync then read on another member sees the write (ZooKeeper's sync + read).
        await using var reader = await ZooKeeperClient.ConnectAsync(leader.ConnectionString, Ct);
        await reader.SyncAsync("/replicated", Ct);
        Assert.Equal([9], (await reader.GetDataAsync("/replicated", Ct)).Data);
    }

    [Fact]
    public async Task TheNativeServerExportsOverOtlp()
    {
        var program = await PublishAsync();
        await using var receiver = OtlpReceiver.Start();
        await using var server = await ZkAspireServerProcess.StartAsync(
            program: program,
            environment: ProgramTelemetryTests.ExportEnvironment(("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Endpoint), ("OTEL_SERVICE_NAME", null), ("OTEL_RESOURCE_ATTRIBUTES", null)));
        Assert.Contains("Telemetry: exporting traces, metrics and logs over OTLP to " + receiver.Endpoint + " (http/protobuf)", server.Log, StringComparison.Ordinal);

        await using (var client = await ZooKeeperClient.ConnectAsync(server.ConnectionString, Ct))
        {
            await client.CreateAsync("/otel", [1], cancellationToken: Ct);
            Assert.Equal([1], (await client.GetDataAsync("/otel", Ct)).Data);
        }

        var traces = await receiver.WaitForAsync("/v1/traces", r => r.Contains("zookeeper.getData"), ExportTimeout);
        Assert.True(traces.HasAttribute("service.name", "zkaspire-server"), "the default service name");
        Assert.True(traces.HasAttribute(ZooKeeperServerTelemetry.PathAttribute, "/otel"), "the getData span's zookeeper.path");
        await receiver.WaitForAsync("/v1/metrics", r => r.Contains(ZooKeeperServerTelemetry.RequestCountInstrument), ExportTimeout);

        // The runtime's meter rides along: each replica's collections and pause time.
        await receiver.WaitForAsync("/v1/metrics", r => r.Contains("dotnet.gc.pause.time") && r.Contains("dotnet.gc.heap.total_allocated"), ExportTimeout);
        await receiver.WaitForAsync("/v1/logs", r => r.Contains("serving clients on"), ExportTimeout);
        Assert.Equal(0, await server.TerminateAsync());
    }

    // Once per test run (the tests of this class share it): a cold publish takes about a minute
    // on two cores, an incremental one a few seconds.
    private static Task<ZkAspireServerProgram> PublishAsync() =>
        ZkAspireServerProgram.PublishNativeAsync(Path.Combine(ZkAspireServerProgram.FindRepositoryRoot(), "tests", "ZkAspire.Server.Tests", "obj", "native-server"), Ct);
}
