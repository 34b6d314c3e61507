// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Cli.Tests;

/// <summary>The built <c>zkaspire</c> program as a process: a real pipe on stdin, the console's encoding, exit codes beside zkCli's.</summary>
public sealed class ProgramTests(TestServerFixture fixture) : IClassFixture<TestServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string Program => Path.Combine(AppContext.BaseDirectory, "zkaspire.dll");

    [Fact]
    public async Task AScriptOnAPipeRunsAndPrintsUtf8()
    {
        var p = TestServerFixture.UniquePath();
        var run = await ExternalProcess.RunAsync(
            DotnetHost,
            ["exec", Program, "-server", fixture.ConnectionString],
            $"create {p} \"héllo wörld ✓\"\nget {p}\nget {p}/missing\n",
            CliRun.Limit,
            Ct);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(CliRun.InteractivePreamble(fixture.ConnectionString) + "héllo wörld ✓\n", run.StandardOutput);
        Assert.Equal($"Created {p}\nNode does not exist: {p}/missing\n", run.StandardError);
    }

    [Fact]
    public async Task OneShotExitCodesAreZkClis()
    {
        Assert.SkipUnless(ApacheZooKeeper.IsInstalled, "Debian's zookeeper package is not installed.");
        var p = TestServerFixture.UniquePath();
        string[][] commands = [["ls", "/"], ["get", p], ["ls"], ["no-such-command"], ["create", "-t", "abc", p]];
        foreach (var command in commands)
        {
            var java = await JavaZkCli.RunAsync(fixture.ConnectionString, command, CliRun.Limit, Ct);
            var ours = await ExternalProcess.RunAsync(DotnetHost, ["exec", Program, "-server", fixture.ConnectionString, .. command], timeout: CliRun.Limit, cancellationToken: Ct);
            Assert.True(java.ExitCode == ours.ExitCode, $"{string.Join(' ', command)}: zkCli exits {java.ExitCode}, ours {ours.ExitCode}");
            Assert.Equal(
                java.ErrorLines.Where(l => !l.StartsWith("\tdelquota ", StringComparison.Ordinal) && !l.StartsWith("\tlistquota ", StringComparison.Ordinal) && !l.StartsWith("\treconfig ", StringComparison.Ordinal) && !l.StartsWith("\tsetquota ", StringComparison.Ordinal)),
                ours.ErrorLines);
        }
    }
}
