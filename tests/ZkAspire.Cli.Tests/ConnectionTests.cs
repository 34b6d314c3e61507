// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Time.Testing;
using ZkAspire.Cli.Tests.Infrastructure;
using ZkAspire.Testing;
using ZkAspire.TestInfrastructure;
using static ZkAspire.Cli.Tests.Infrastructure.Expected;

namespace ZkAspire.Cli.Tests;

/// <summary>
/// The shell when the server is not there, goes away, comes back, or expires the session: it
/// prints zkCli's messages and never dies.
/// </summary>
public sealed partial class ConnectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ACommandAgainstNoServerFailsWithConnectionLossAtOnce()
    {
        // A session timeout far beyond the run's limit: only a failed connection attempt, not a
        // timeout, can end the command in time (zkCli fails queued requests on a failed attempt).
        var port = FreePort.Get();
        var run = await CliRun.RunAsync(["-timeout", "600000", "-server", $"127.0.0.1:{port}", "ls", "/"]);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"Connecting to 127.0.0.1:{port}\n", run.Output);
        Assert.Equal("KeeperErrorCode = ConnectionLoss for /\n", run.Error);
    }

    [Fact]
    public async Task InteractivelyEveryCommandFailsAndTheShellCarriesOn()
    {
        var port = FreePort.Get();
        var run = await CliRun.RunAsync(
            ["-timeout", "600000", "-server", $"127.0.0.1:{port}"],
            "ls /\ncreate /a\nsync /\nwhoami\naddauth digest a:b\nversion\nclose\nls /\n");
        Assert.Equal(
            Banner + Lines(
                "KeeperErrorCode = ConnectionLoss for /",
                "KeeperErrorCode = ConnectionLoss for /a",
                "Sync has failed. rc=-4",
                "KeeperErrorCode = ConnectionLoss",
                "ZooKeeper CLI version: <version>",
                "Not connected"),
            VersionLine().Replace(run.Transcript, "ZooKeeper CLI version: <version>"));

        // close of a handle that never connected prints Closed, as zkCli's.
        Assert.Equal([Event("None", null, "Closed")], run.Events);
    }

    [Fact]
    public async Task TheShellFollowsTheServerDownAndUp()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: Ct);
        var p = TestServerFixture.UniquePath();
        var input = new ScriptFeed();
        var shell = input.RunAsync(["-server", server.ConnectionString]);

        await input.SendAsync($"create {p} x", $"Created {p}");
        await server.StopAsync(Ct);
        await input.WaitForAsync(Event("None", null, "Disconnected"));
        await input.SendAsync($"get {p}", $"KeeperErrorCode = ConnectionLoss for {p}");
        await server.StartAsync(Ct);
        await input.SendAsync($"get {p}", "x\n");
        var run = await input.EndAsync(shell);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([Connected, Event("None", null, "Disconnected"), Connected], run.Events);
    }

    [Fact]
    public async Task AnExpiredSessionLeavesTheShellNotConnectedUntilConnect()
    {
        // The server's clock is ours: moving it past the session timeout expires the session.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ZooKeeperTestServer.StartAsync(timeProvider: clock, cancellationToken: Ct);
        var p = TestServerFixture.UniquePath();
        var input = new ScriptFeed();
        var shell = input.RunAsync(["-timeout", "4000", "-server", server.ConnectionString]);

        await input.SendAsync($"create -e {p} x", $"Created {p}");
        clock.Advance(TimeSpan.FromMinutes(1));
        await input.WaitForAsync(Event("None", null, "Expired"));
        await input.SendAsync($"get {p}", "Not connected");
        await input.SendAsync("connect", Connected);
        await input.SendAsync($"get {p}", $"Node does not exist: {p}");
        var run = await input.EndAsync(shell);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal([Connected, Event("None", null, "Disconnected"), Event("None", null, "Expired"), Connected], run.Events);
    }

    [System.Text.RegularExpressions.GeneratedRegex("ZooKeeper CLI version: .*")]
    private static partial System.Text.RegularExpressions.Regex VersionLine();

    /// <summary>Feeds the shell a line at a time, each after the previous one's output appeared.</summary>
    private sealed class ScriptFeed
    {
        private readonly System.IO.Pipelines.Pipe _pipe = new();
        private readonly Recorder _output = new();

        public Task<int> RunAsync(string[] args) =>
            ZkAspireCommandLine.RunAsync(args, new StreamReader(_pipe.Reader.AsStream()), _output, _output, Ct);

        public async Task SendAsync(string line, string expected)
        {
            var seen = _output.Length;
            await _pipe.Writer.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line + "\n"), Ct);
            await _output.WaitForAsync(expected, seen);
        }

        public Task WaitForAsync(string expected) => _output.WaitForAsync(expected, 0);

        public async Task<CliRun> EndAsync(Task<int> shell)
        {
            await _pipe.Writer.CompleteAsync();
            var exitCode = await shell.WaitAsync(CliRun.Limit, Ct);
            return new CliRun(exitCode, _output.Text, string.Empty, _output.Text);
        }
    }
}
