// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Bench;
using ZkAspire.Cli.Tests.Infrastructure;

namespace ZkAspire.Cli.Tests.Bench;

public sealed class BenchArgumentsTests
{
    [Fact]
    public void NoArgumentsGiveTheDefaults()
    {
        var options = BenchArguments.Parse([], out var help);

        Assert.False(help);
        Assert.Equal("localhost:2181", options.ConnectString);
        Assert.Equal([BenchWorkload.Get], options.Workloads);
        Assert.Equal(8, options.Clients);
        Assert.Equal(16, options.InFlight);
        Assert.Equal(100, options.PayloadBytes);
        Assert.Equal(1000, options.Keys);
        Assert.Equal(0.9, options.ReadRatio);
        Assert.Equal(1, options.Locks);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Warmup);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Duration);
        Assert.Equal("/zkaspire-bench", options.Path);
        Assert.False(options.Json);
        Assert.False(options.Quiet);
        Assert.False(options.KeepData);
        Assert.False(options.FailOnError);
        Assert.Null(options.Label);
    }

    [Fact]
    public void EveryOptionIsRead()
    {
        var options = BenchArguments.Parse(
            [
                "-server", "a:1,b:2/chroot", "-w", "create,set,get,mixed,watch,lock", "-c", "3", "-k", "5", "-p", "1024",
                "--keys", "10", "--read-ratio", "0.75", "--locks", "4", "--warmup", "500ms", "-d", "2m",
                "--session-timeout", "12s", "--path", "/b/c", "--json", "--label", "ours", "-q", "--keep", "--fail-on-error",
            ],
            out var help);

        Assert.False(help);
        Assert.Equal("a:1,b:2/chroot", options.ConnectString);
        Assert.Equal(
            [BenchWorkload.Create, BenchWorkload.Set, BenchWorkload.Get, BenchWorkload.Mixed, BenchWorkload.Watch, BenchWorkload.Lock],
            options.Workloads);
        Assert.Equal(3, options.Clients);
        Assert.Equal(5, options.InFlight);
        Assert.Equal(1024, options.PayloadBytes);
        Assert.Equal(10, options.Keys);
        Assert.Equal(0.75, options.ReadRatio);
        Assert.Equal(4, options.Locks);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Warmup);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Duration);
        Assert.Equal(TimeSpan.FromSeconds(12), options.SessionTimeout);
        Assert.Equal("/b/c", options.Path);
        Assert.True(options.Json);
        Assert.Equal("ours", options.Label);
        Assert.True(options.Quiet);
        Assert.True(options.KeepData);
        Assert.True(options.FailOnError);
    }

    [Fact]
    public void LongOptionsTakeAttachedValues()
    {
        var options = BenchArguments.Parse(["--server=h:3", "--clients=2", "--duration=1.5", "--workload=watch"], out _);

        Assert.Equal("h:3", options.ConnectString);
        Assert.Equal(2, options.Clients);
        Assert.Equal(TimeSpan.FromSeconds(1.5), options.Duration);
        Assert.Equal([BenchWorkload.Watch], options.Workloads);
    }

    [Fact]
    public void TheFailoverOptionsAreRead()
    {
        var options = BenchArguments.Parse(
            ["-w", "create,failover", "--kill-command", "kill -9 {pid}", "--restart-command", "systemctl start zookeeper@{index}", "--rounds", "3", "--failover-timeout", "20s"],
            out _);

        Assert.Equal([BenchWorkload.Create, BenchWorkload.Failover], options.Workloads);
        Assert.Equal("kill -9 {pid}", options.KillCommand);
        Assert.Equal("systemctl start zookeeper@{index}", options.RestartCommand);
        Assert.Equal(3, options.Rounds);
        Assert.Equal(TimeSpan.FromSeconds(20), options.FailoverTimeout);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public void HelpIsRecognized(string flag)
    {
        BenchArguments.Parse(["-c", "2", flag, "--nonsense"], out var help);

        Assert.True(help);
    }

    [Theory]
    [InlineData("unknown option --bogus", "--bogus")]
    [InlineData("unexpected argument 'stray'", "stray")]
    [InlineData("option -c needs a value", "-c")]
    [InlineData("--clients: '0' is not a whole number from 1 to 10000", "--clients", "0")]
    [InlineData("-k: 'x' is not a whole number from 1 to 10000", "-k", "x")]
    [InlineData("-p: '-1' is not a whole number", "-p", "-1")]
    [InlineData("--read-ratio: '1.5' is not a ratio from 0 to 1", "--read-ratio", "1.5")]
    [InlineData("--workload: unknown workload 'delete'", "-w", "get,delete")]
    [InlineData("-d must be more than 0", "-d", "0")]
    [InlineData("--warmup: '5h' is not a time", "--warmup", "5h")]
    [InlineData("-d: '2d' is not a time", "-d", "2d")]
    [InlineData("-server: ", "-server", "host:99999")]
    [InlineData("--path: '/zookeeper' is not a path the run may work under", "--path", "/zookeeper")]
    [InlineData("--path: '/' is not a path the run may work under", "--path", "/")]
    [InlineData("--path: 'rel' is not a valid znode path", "--path", "rel")]
    [InlineData("option --json takes no value", "--json=yes")]
    [InlineData("the watch workload needs at least 2 clients", "-w", "watch", "-c", "1")]
    [InlineData("the failover workload needs --kill-command", "-w", "failover")]
    [InlineData("--rounds above 1 needs --restart-command", "-w", "failover", "--kill-command", "kill -9 {pid}", "--rounds", "2")]
    [InlineData("--kill-command: unknown placeholder {myid} (use {host}, {port}, {index}, {pid})", "-w", "failover", "--kill-command", "kill {myid}")]
    [InlineData("--restart-command needs a command", "-w", "failover", "--kill-command", "kill -9 {pid}", "--restart-command", " ")]
    [InlineData("--kill-command and --restart-command are for the failover workload", "-w", "get", "--kill-command", "kill -9 {pid}")]
    [InlineData("--rounds: '0' is not a whole number from 1 to 1000", "--rounds", "0")]
    [InlineData("--failover-timeout must be more than 0", "--failover-timeout", "0")]
    public void BadArgumentsAreNamed(string message, params string[] args)
    {
        var e = Assert.Throws<BenchArgumentException>(() => BenchArguments.Parse(args, out _));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadArgumentsPrintTheMessageAndUsageAndExitWith2()
    {
        var run = await CliRun.RunAsync(["bench", "--clients", "many"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith("zkaspire bench: --clients: 'many' is not a whole number from 1 to 10000\nUsage: zkaspire bench [options]\n", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpPrintsTheUsageOnStdout()
    {
        var run = await CliRun.RunAsync(["bench", "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Usage: zkaspire bench [options]\n", run.Output, StringComparison.Ordinal);
        Assert.Contains("--workload", run.Output, StringComparison.Ordinal);
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task TheProgramUsageMentionsBench()
    {
        var run = await CliRun.RunAsync(["--help"]);

        Assert.Contains("zkaspire bench ", run.Output, StringComparison.Ordinal);
    }
}
