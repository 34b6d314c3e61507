// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using System.Text.Json;
using ZkAspire.Cli.Tests.Infrastructure;
using ZkAspire.Client;
using ZkAspire.Testing;

namespace ZkAspire.Cli.Tests.Bench;

/// <summary>Short real runs (a fraction of a second per workload) against the in-process server.</summary>
public sealed class BenchRunTests : IClassFixture<TestServerFixture>
{
    private readonly TestServerFixture _fixture;

    public BenchRunTests(TestServerFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task EveryWorkloadRunsAndReportsAJsonLine()
    {
        var path = TestServerFixture.UniquePath("/bench");
        var run = await CliRun.RunAsync(
        [
            "bench", "-server", _fixture.ConnectionString, "-w", "create,set,get,mixed,watch,lock,mutex", "-c", "3", "-k", "4",
            "--keys", "20", "--warmup", "100ms", "-d", "400ms", "--path", path, "--json", "--label", "ours", "-p", "64",
        ]);

        Assert.True(run.ExitCode == 0, run.Merged);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        var names = new List<string>();
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var workload = root.GetProperty("workload").GetString()!;
            names.Add(workload);
            Assert.Equal("ours", root.GetProperty("label").GetString());
            Assert.Equal(_fixture.ConnectionString, root.GetProperty("server").GetString());
            Assert.Equal(3, root.GetProperty("clients").GetInt32());
            Assert.Equal(4, root.GetProperty("inflight").GetInt32());
            Assert.Equal(64, root.GetProperty("payload").GetInt32());
            Assert.True(root.GetProperty("ops").GetInt64() > 0, workload + ": " + line);
            Assert.True(root.GetProperty("opsPerSec").GetDouble() > 0, workload);
            Assert.Equal(0, root.GetProperty("errors").GetInt64());
            var latency = root.GetProperty("latencyUs");
            var p50 = latency.GetProperty("p50").GetDouble();
            var p90 = latency.GetProperty("p90").GetDouble();
            var p99 = latency.GetProperty("p99").GetDouble();
            var p999 = latency.GetProperty("p999").GetDouble();
            var max = latency.GetProperty("max").GetDouble();
            Assert.True(latency.GetProperty("min").GetDouble() > 0, workload);
            Assert.True(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max, workload + ": " + line);
        }

        Assert.Equal(["create", "set", "get", "mixed", "watch", "lock", "mutex"], names);
        Assert.Contains("\"readRatio\":0.9", lines[3], StringComparison.Ordinal);
        Assert.Contains("\"locks\":1", lines[5], StringComparison.Ordinal);
        Assert.Contains("\"locks\":1", lines[6], StringComparison.Ordinal);

        // The progress went to stderr, and every workload cleaned up after itself.
        Assert.Contains("bench create: ", run.Error, StringComparison.Ordinal);
        await using var client = await ZooKeeperClient.ConnectAsync(_fixture.ConnectionString, TestContext.Current.CancellationToken);
        Assert.Empty(await client.GetChildrenAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TheTableHasARowPerWorkload()
    {
        var path = TestServerFixture.UniquePath("/bench");
        var run = await CliRun.RunAsync(
            ["bench", "--server", _fixture.ConnectionString, "-w", "get,mixed", "--read-ratio", "0.5", "-c", "2", "-k", "2", "--keys", "5", "--warmup", "0", "-d", "200ms", "--path", path, "-q"]);

        Assert.True(run.ExitCode == 0, run.Merged);
        Assert.Empty(run.Error);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^workload +clients +inflight +payload +ops/s +p50 ms +p90 ms +p99 ms +p99\.9 ms +max ms +errors$", lines[0]);
        Assert.Matches(@"^get +2 +2 +100 +[0-9,]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +0$", lines[1]);
        Assert.Matches(@"^mixed-50 +2 +2 +100 +[0-9,]+ ", lines[2]);
    }

    [Fact]
    public async Task KeepLeavesTheZnodes()
    {
        var path = TestServerFixture.UniquePath("/bench");
        var run = await CliRun.RunAsync(
            ["bench", "-server", _fixture.ConnectionString, "-w", "get", "-c", "1", "-k", "1", "--keys", "3", "--warmup", "0", "-d", "100ms", "--path", path, "-q", "--keep"]);

        Assert.True(run.ExitCode == 0, run.Merged);
        await using var client = await ZooKeeperClient.ConnectAsync(_fixture.ConnectionString, TestContext.Current.CancellationToken);
        var directory = Assert.Single(await client.GetChildrenAsync(path, TestContext.Current.CancellationToken));
        Assert.StartsWith("get-", directory, StringComparison.Ordinal);
        Assert.Equal(3, (await client.GetChildrenAsync(path + "/" + directory, TestContext.Current.CancellationToken)).Count);
    }

    [Theory]
    [InlineData("create")]
    [InlineData("get")]
    [InlineData("watch")]
    [InlineData("lock")]
    public async Task AWorkloadThatCannotBeSetUpEndsTheRunWithExitCode1(string workload)
    {
        // A chroot that does not exist: the sessions connect, the setup fails.
        var run = await CliRun.RunAsync(
            ["bench", "-server", _fixture.ConnectionString + "/no-such-chroot-" + Guid.NewGuid().ToString("n"), "-w", workload + ",get", "-c", "2", "-k", "1", "--warmup", "0", "-d", "100ms", "-q"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith($"zkaspire bench: the {workload} workload could not be set up under /zkaspire-bench/{workload}-", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task FailuresDuringARunAreCountedNotFatal()
    {
        // Its own server, restarted once the first progress line (about a second into the measured
        // window, as there is no warm-up) is out: the requests in flight
        // fail with ConnectionLoss, the sessions reconnect, and the run carries on.
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var measuring = new LineSignal("bench get: ");
        var output = new StringWriter();
        var run = ZkAspireCommandLine.RunAsync(
            ["bench", "-server", server.ConnectionString, "-w", "get", "-c", "2", "-k", "8", "--keys", "10", "--warmup", "0", "-d", "3s", "--json", "--fail-on-error", "--session-timeout", "20s"],
            new StringReader(string.Empty),
            output,
            measuring,
            TestContext.Current.CancellationToken);

        await measuring.Seen.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await server.RestartAsync(TestContext.Current.CancellationToken);
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        using var json = JsonDocument.Parse(output.ToString());
        var errors = json.RootElement.GetProperty("errors").GetInt64();
        Assert.True(errors > 0, output.ToString());
        Assert.True(json.RootElement.GetProperty("errorsByKind").GetProperty("ConnectionLoss").GetInt64() > 0, output.ToString());
        Assert.True(json.RootElement.GetProperty("ops").GetInt64() > 0, output.ToString());
    }

    /// <summary>A stderr that completes a task when a line containing some text is written.</summary>
    private sealed class LineSignal(string text) : TextWriter
    {
        private readonly StringBuilder _written = new();
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Seen => _seen.Task;

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => Write(value.ToString());

        public override void Write(string? value)
        {
            lock (_written)
            {
                _written.Append(value);
                if (_written.ToString().Contains(text, StringComparison.Ordinal))
                {
                    _seen.TrySetResult();
                }
            }
        }
    }
}
