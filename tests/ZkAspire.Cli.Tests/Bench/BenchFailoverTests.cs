// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text.Json;
using ZkAspire.Cli.Bench;
using ZkAspire.Cli.Bench.Failover;
using ZkAspire.Cli.Tests.Infrastructure;
using ZkAspire.Client;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Cli.Tests.Bench;

/// <summary>
/// The failover workload against a three-node ensemble of ours (real processes, the harness the
/// process tests use), and its answers to bad input. Only errors fail these tests, never speed.
/// </summary>
public sealed class BenchFailoverTests : IClassFixture<TestServerFixture>
{
    private static readonly TimeSpan EnsembleTimeout = TimeSpan.FromSeconds(60);

    private readonly TestServerFixture _standalone;

    public BenchFailoverTests(TestServerFixture standalone)
    {
        _standalone = standalone;
    }

    [Fact]
    public async Task OneRoundKillsTheLeaderWithTheCommandAndReportsTheFailoverAndTheElection()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(EnsembleServerKind.ZkAspire, new EnsembleOptions { StartTimeout = EnsembleTimeout }, cancellationToken);
        var leader = await ensemble.WaitUntilServingAsync(EnsembleTimeout, cancellationToken);
        var path = TestServerFixture.UniquePath("/bench-failover");

        // A kill command that fails: its exit code and what it said are reported, nothing is measured.
        var failed = await CliRun.RunAsync(["bench", "-server", ensemble.ConnectionString, "-w", "failover", "--kill-command", "echo cannot reach {host}:{port} >&2; exit 3", "-c", "2", "-q", "--path", path]);
        Assert.True(failed.ExitCode == 1, failed.Merged);
        Assert.Empty(failed.Output);
        Assert.Contains($"the kill command 'echo cannot reach 127.0.0.1:{leader.ClientPort} >&2; exit 3' failed with exit code 3: cannot reach 127.0.0.1:{leader.ClientPort}", failed.Error, StringComparison.Ordinal);
        Assert.True(leader.IsRunning);

        // The real thing: kill -9 of the process listening on the leader's client port.
        var run = await CliRun.RunAsync(["bench", "-server", ensemble.ConnectionString, "-w", "failover", "--kill-command", "kill -9 {pid}", "-c", "3", "--json", "--label", "ours", "--path", path]);

        Assert.True(run.ExitCode == 0, run.Merged + "\n" + ensemble.Logs);
        var line = Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal("failover", root.GetProperty("workload").GetString());
        Assert.Equal("ours", root.GetProperty("label").GetString());
        Assert.Equal(ensemble.ConnectionString, root.GetProperty("server").GetString());
        Assert.Equal(3, root.GetProperty("clients").GetInt32());
        Assert.Equal(1, root.GetProperty("round").GetInt32());
        Assert.Equal(1, root.GetProperty("rounds").GetInt32());
        Assert.Equal(leader.ConnectionString, root.GetProperty("killed").GetString());
        var newLeader = root.GetProperty("newLeader").GetString();
        Assert.NotNull(newLeader);
        Assert.NotEqual(leader.ConnectionString, newLeader);
        Assert.Contains(ensemble.Members, m => m.ConnectionString == newLeader);
        var failover = root.GetProperty("failoverMs").GetDouble();
        Assert.True(failover > 0 && failover <= root.GetProperty("allWritersMs").GetDouble(), line);
        Assert.True(root.GetProperty("electionMs").GetDouble() > 0, line);
        Assert.True(root.GetProperty("errors").GetInt64() >= 0, line);
        Assert.Contains("bench failover: round 1/1: killing the leader", run.Error, StringComparison.Ordinal);

        // The command killed the leader, and only it; the survivors serve with the new leader.
        Assert.False(leader.IsRunning);
        Assert.All(ensemble.Members.Where(m => m != leader), m => Assert.True(m.IsRunning));
        var successor = ensemble.Members.Single(m => m.ConnectionString == newLeader);
        await ensemble.WaitForModeAsync(successor, "leader", EnsembleTimeout, cancellationToken);

        // The run removed its znodes.
        await using var client = await ZooKeeperClient.ConnectAsync(successor.ConnectionString, cancellationToken);
        Assert.Empty(await client.GetChildrenAsync(path, cancellationToken));
    }

    [Fact]
    public async Task RoundsRestartTheKilledServerAndWaitForTheWholeEnsemble()
    {
        // The way the side-by-side run drives it: the harness kills and restarts the processes.
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(EnsembleServerKind.ZkAspire, new EnsembleOptions { StartTimeout = EnsembleTimeout }, cancellationToken);
        await ensemble.WaitUntilServingAsync(EnsembleTimeout, cancellationToken);
        var control = new HarnessControl(ensemble);
        var options = new BenchOptions
        {
            ConnectString = ensemble.ConnectionString,
            Clients = 2,
            Rounds = 2,
            FailoverTimeout = EnsembleTimeout,
            Path = TestServerFixture.UniquePath("/bench-failover"),
            Quiet = true,
        };
        var warnings = new List<string>();

        var result = await new FailoverRunner(options, control, progress: null, warnings.Add).RunAsync(cancellationToken);

        Assert.Equal(2, result.Rounds.Count);
        Assert.Equal([1, 2], result.Rounds.Select(r => r.Round));
        Assert.Equal(control.Killed, result.Rounds.Select(r => r.Killed.Port));
        Assert.Equal(control.Killed, control.Restarted);
        Assert.All(result.Rounds, r => Assert.True(r.FirstWrite > TimeSpan.Zero && r.FirstWrite <= r.AllWriters));
        Assert.All(result.Rounds, r => Assert.NotEqual(r.Killed, r.NewLeader));

        // Every server is back and serving, one of them leading.
        Assert.All(ensemble.Members, m => Assert.True(m.IsRunning));
        await ensemble.WaitUntilServingAsync(EnsembleTimeout, cancellationToken);

        var lines = BenchReport.FailoverTable(result);
        Assert.Matches(@"^round +killed +new leader +failover ms +election ms +all writers ms +errors$", lines[0]);
        Assert.StartsWith("    1  127.0.0.1:", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStandaloneServerIsRefused()
    {
        var run = await CliRun.RunAsync(["bench", "-server", _standalone.ConnectionString, "-w", "failover", "--kill-command", "kill -9 {pid}", "-q"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Contains($"zkaspire bench: failover: {_standalone.ConnectionString} is a standalone server (srvr: Mode: standalone): the failover workload needs an ensemble", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoLeaderIsReportedWhenNothingServes()
    {
        var servers = string.Join(',', Enumerable.Range(0, 3).Select(_ => "127.0.0.1:" + FreePort.Get().ToString(CultureInfo.InvariantCulture)));

        var run = await CliRun.RunAsync(["bench", "-server", servers, "-w", "failover", "--kill-command", "kill -9 {pid}", "-q"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("zkaspire bench: failover: no leader among the servers of the connect string (127.0.0.1:", run.Error, StringComparison.Ordinal);
        Assert.Contains(" not serving", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void PlaceholdersAreReplacedForTheServer()
    {
        var server = new FailoverServer("zk2.example", 2182, 2);

        Assert.Equal("ssh zk2.example 'systemctl restart zookeeper' # 2182 2", FailoverCommand.Expand("ssh {host} 'systemctl restart zookeeper' # {port} {index}", server));
        var e = Assert.Throws<BenchRunException>(() => FailoverCommand.Expand("kill -9 {pid}", new FailoverServer("127.0.0.1", FreePort.Get(), 1)));
        Assert.Contains("no process of this machine (readable by this user) listens on port", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACommandThatLeavesAProcessInTheBackgroundIsNotWaitedFor()
    {
        // As a restart command that starts a server with '&': the background process keeps the
        // command's stdout and stderr, which must not keep the run waiting.
        var pidFile = Path.Combine(Path.GetTempPath(), "bench-failover-" + Guid.NewGuid().ToString("n") + ".pid");
        try
        {
            await FailoverCommand.RunAsync("restart", $"sleep 120 & echo $! > {pidFile}", TestContext.Current.CancellationToken)
                .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        }
        finally
        {
            if (File.Exists(pidFile) && int.TryParse((await File.ReadAllTextAsync(pidFile, TestContext.Current.CancellationToken)).Trim(), CultureInfo.InvariantCulture, out var pid))
            {
                using var background = System.Diagnostics.Process.GetProcessById(pid);
                background.Kill();
                await background.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            File.Delete(pidFile);
        }
    }

    [Fact]
    public void TheListeningProcessIsFoundByItsPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;

        Assert.Equal(Environment.ProcessId, ListeningProcess.Find(port));
    }

    [Theory]
    [InlineData("Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: follower\nNode count: 5\n", "follower")]
    [InlineData("This ZooKeeper instance is not currently serving requests\n", null)]
    [InlineData(null, null)]
    public void TheModeIsReadFromSrvr(string? answer, string? mode)
    {
        Assert.Equal(mode, FailoverRunner.ParseMode(answer));
    }

    [Fact]
    public void AnEnsembleMustBeWholeWithOneLeader()
    {
        FailoverServer[] three = [new("a", 1, 1), new("b", 2, 2), new("c", 3, 3)];

        Assert.Equal(three[1], FailoverRunner.Whole(three, ["follower", "leader", "follower"]));
        Assert.Contains("more than one server says it leads", Assert.Throws<BenchRunException>(() => FailoverRunner.Whole(three, ["leader", "leader", "follower"])).Message, StringComparison.Ordinal);
        Assert.Contains("not every server of the connect string serves (a:1 follower, b:2 leader, c:3 not serving)", Assert.Throws<BenchRunException>(() => FailoverRunner.Whole(three, ["follower", "leader", null])).Message, StringComparison.Ordinal);
        Assert.Contains("needs an ensemble of at least 3", Assert.Throws<BenchRunException>(() => FailoverRunner.Whole(three[..2], ["follower", "leader"])).Message, StringComparison.Ordinal);
    }

    /// <summary>Kills and restarts the harness's processes, as the side-by-side run does.</summary>
    private sealed class HarnessControl(ZooKeeperEnsemble ensemble) : IFailoverControl
    {
        public List<int> Killed { get; } = [];

        public List<int> Restarted { get; } = [];

        public bool CanRestart => true;

        public async Task KillAsync(FailoverServer server, CancellationToken cancellationToken)
        {
            Killed.Add(server.Port);
            await Member(server).KillAsync();
        }

        public Task RestartAsync(FailoverServer server, CancellationToken cancellationToken)
        {
            Restarted.Add(server.Port);
            Member(server).Start();
            return Task.CompletedTask;
        }

        private EnsembleMember Member(FailoverServer server) => ensemble.Members.Single(m => m.ClientPort == server.Port);
    }
}
