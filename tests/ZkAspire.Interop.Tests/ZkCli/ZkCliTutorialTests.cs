// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text.RegularExpressions;
using ZkAspire.Interop.Tests.Contract;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests.ZkCli;

/// <summary>
/// Debian's Java zkCli against a server, through every command of a beginners' tutorial and its
/// error cases, asserting on what it prints. Runs against any server the fixture starts.
/// </summary>
/// <typeparam name="TFixture">Starts the server.</typeparam>
public abstract partial class ZkCliTutorialTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : ContractServerFixture
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BeginnersTutorial()
    {
        var server = await fixture.GetServerAsync(ContractServerOptions.Default);
        var t = "/tutorial-" + Guid.NewGuid().ToString("n")[..8];
        string[] script =
        [
            /* 0 */ "ls /",
            /* 1 */ $"create {t}",
            /* 2 */ $"create {t}/app \"hello world\"",
            /* 3 */ $"get {t}/app",
            /* 4 */ $"create -e {t}/eph",
            /* 5 */ $"create -s {t}/seq-",
            /* 6 */ $"create -e -s {t}/es- data",
            /* 7 */ $"ls {t}",
            /* 8 */ $"ls -s {t}",
            /* 9 */ $"stat {t}/app",
            /* 10 */ $"stat {t}/eph",
            /* 11 */ $"set {t}/app new",
            /* 12 */ $"get -s {t}/app",
            /* 13 */ $"set -v 0 {t}/app stale",
            /* 14 */ $"create {t}/app",
            /* 15 */ $"get {t}/missing",
            /* 16 */ $"delete {t}",
            /* 17 */ $"delete -v 0 {t}/app",
            /* 18 */ $"delete {t}/app",
            /* 19 */ $"create {t}/x/y",
            /* 20 */ $"ls {t}",
            /* 21 */ $"deleteall {t}",
            /* 22 */ $"ls {t}",
            /* 23 */ $"stat {t}",
            /* 24 */ $"delete {t}",
        ];

        var output = await JavaZkCli.RunScriptAsync(server.ConnectionString, script, Limit, Ct);

        Assert.Matches(@"^\[(.*, )?zookeeper(, .*)?\]$", Assert.Single(output[0]));
        Assert.Equal([$"Created {t}"], output[1]);
        Assert.Equal([$"Created {t}/app"], output[2]);
        Assert.Equal(["hello world"], output[3]);
        Assert.Equal([$"Created {t}/eph"], output[4]);

        // The parent's counter: app 0, eph 1, so the sequential nodes are 2 and 3.
        Assert.Equal([$"Created {t}/seq-0000000002"], output[5]);
        Assert.Equal([$"Created {t}/es-0000000003"], output[6]);

        // ls sorts the children.
        Assert.Equal(["[app, eph, es-0000000003, seq-0000000002]"], output[7]);

        Assert.Equal("[app, eph, es-0000000003, seq-0000000002]", output[8][0]);
        var parent = ParseStat(output[8].Skip(1));
        Assert.Equal(("4", "4", "0", "0x0"), (parent["cversion"], parent["numChildren"], parent["dataLength"], parent["ephemeralOwner"]));
        Assert.Equal(parent["cZxid"], parent["mZxid"]);

        var app = ParseStat(output[9]);
        Assert.Equal(("0", "0", "0", "11", "0", "0x0"), (app["dataVersion"], app["aclVersion"], app["cversion"], app["dataLength"], app["numChildren"], app["ephemeralOwner"]));
        Assert.Equal(app["cZxid"], app["pZxid"]);

        var eph = ParseStat(output[10]);
        Assert.NotEqual("0x0", eph["ephemeralOwner"]);
        Assert.Matches("^0x[0-9a-f]+$", eph["ephemeralOwner"]);

        Assert.Empty(output[11]);
        Assert.Equal("new", output[12][0]);
        var changed = ParseStat(output[12].Skip(1));
        Assert.Equal(("1", "3", app["cZxid"], app["ctime"]), (changed["dataVersion"], changed["dataLength"], changed["cZxid"], changed["ctime"]));
        Assert.NotEqual(app["mZxid"], changed["mZxid"]);

        // The error cases, in zkCli's words.
        Assert.Equal([$"version No is not valid : {t}/app"], output[13]);
        Assert.Equal([$"Node already exists: {t}/app"], output[14]);
        Assert.Equal([$"Node does not exist: {t}/missing"], output[15]);
        Assert.Equal([$"Node not empty: {t}"], output[16]);
        Assert.Equal([$"version No is not valid : {t}/app"], output[17]);
        Assert.Empty(output[18]);
        Assert.Equal([$"Node does not exist: {t}/x/y"], output[19]);
        Assert.Equal(["[eph, es-0000000003, seq-0000000002]"], output[20]);

        // deleteall removes the subtree, the session's own ephemerals included.
        Assert.Empty(output[21]);
        Assert.Equal([$"Node does not exist: {t}"], output[22]);
        Assert.Equal([$"Node does not exist: {t}"], output[23]);
        Assert.Equal([$"Node does not exist: {t}"], output[24]);
    }

    [Fact]
    public async Task OneShotCommandsPrintTheirResultAndExitWithItsStatus()
    {
        var server = await fixture.GetServerAsync(ContractServerOptions.Default);
        var t = "/oneshot-" + Guid.NewGuid().ToString("n")[..8];

        var created = await JavaZkCli.RunAsync(server.ConnectionString, ["create", t, "one shot"], Limit, Ct);
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains($"Created {t}", created.StandardError + created.StandardOutput, StringComparison.Ordinal);

        var get = await JavaZkCli.RunAsync(server.ConnectionString, ["get", t], Limit, Ct);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("one shot", get.OutputLines[^1]);

        var missing = await JavaZkCli.RunAsync(server.ConnectionString, ["get", t + "/missing"], Limit, Ct);
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Equal($"Node does not exist: {t}/missing", missing.ErrorLines[^1]);

        var deleted = await JavaZkCli.RunAsync(server.ConnectionString, ["delete", t], Limit, Ct);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
    }

    /// <summary>Parses zkCli's Stat lines (<c>key = value</c>).</summary>
    private static Dictionary<string, string> ParseStat(IEnumerable<string> lines)
    {
        var stat = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var match = StatLine().Match(line);
            Assert.True(match.Success, $"Not a Stat line: '{line}'.");
            stat[match.Groups[1].Value] = match.Groups[2].Value;
        }

        Assert.Equal(
            ["aclVersion", "cZxid", "ctime", "cversion", "dataLength", "dataVersion", "ephemeralOwner", "mZxid", "mtime", "numChildren", "pZxid"],
            stat.Keys.Order(StringComparer.Ordinal));

        // Java's Date.toString: "Wed Nov 25 15:02:24 UTC 2026".
        Assert.Matches(@"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \w+ \d{4}$", stat["ctime"]);
        return stat;
    }

    [GeneratedRegex(@"^(\w+) = (.*)$")]
    private static partial Regex StatLine();
}

/// <summary>The tutorial against Apache ZooKeeper 3.8.</summary>
public sealed class ApacheZooKeeperZkCliTutorialTests(ApacheZooKeeperContractFixture fixture)
    : ZkCliTutorialTests<ApacheZooKeeperContractFixture>(fixture);

/// <summary>The tutorial against the <c>zkaspire-server</c> program, as a user runs it.</summary>
public sealed class ZkAspireZkCliTutorialTests(ZkAspireProcessFixture fixture)
    : ZkCliTutorialTests<ZkAspireProcessFixture>(fixture);
