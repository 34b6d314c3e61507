// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text.RegularExpressions;
using ZkAspire.Interop.Tests.Contract;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests.CClient;

/// <summary>
/// ZooKeeper's C client (Debian's zookeeper-bin <c>cli_mt</c>) against a server: every kind of
/// create, get, set, ls, ls2, delete and exists, their error codes, and the watches the shell
/// sets (get, ls and ls2 watch; wexists watches a missing node). Runs against any server the
/// fixture starts.
/// </summary>
/// <typeparam name="TFixture">Starts the server.</typeparam>
public abstract partial class CClientTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : ContractServerFixture
{
    [Fact]
    public async Task CClientShellScenario()
    {
        var server = await fixture.GetServerAsync(ContractServerOptions.Default);
        var t = "/cclient-" + Guid.NewGuid().ToString("n")[..8];
        string[] script =
        [
            /* 0 */ $"create {t}",
            /* 1 */ $"create +e {t}/e",
            /* 2 */ $"create +s {t}/s-",
            /* 3 */ $"create2 {t}/x",
            /* 4 */ $"create +c {t}/cont",
            /* 5 */ $"create +t=1000 {t}/ttl",
            /* 6 */ $"get {t}",
            /* 7 */ $"set {t} hello",
            /* 8 */ $"ls {t}",
            /* 9 */ $"wexists {t}/w",
            /* 10 */ $"create {t}/w",
            /* 11 */ $"create {t}",
            /* 12 */ $"delete {t}",
            /* 13 */ $"set {t}/missing x",
            /* 14 */ $"get {t}/missing",
            /* 15 */ $"ls2 {t}",
            /* 16 */ $"delete {t}/w",
            /* 17 */ $"delete {t}/x",
            /* 18 */ $"delete {t}/s-0000000001",
            /* 19 */ $"delete {t}/cont",
            /* 20 */ $"delete {t}/e",
            /* 21 */ $"delete {t}",
            /* 22 */ $"exists {t}",
        ];

        var raw = await CZooKeeperCli.RunScriptAsync(server.ConnectionString, script, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        // The shell times ls and get; the times vary.
        var output = raw.Select(lines => lines.Where(l => !l.StartsWith("time = ", StringComparison.Ordinal)).ToArray()).ToArray();

        Assert.Equal([$"Creating [{t}] node (mode: 0)", $"[{t}]: rc = 0", $"\tname = {t}"], output[0]);
        Assert.Equal([$"Creating [{t}/e] node (mode: 1)", $"[{t}/e]: rc = 0", $"\tname = {t}/e"], output[1]);

        // The parent's counter: e was child 0.
        Assert.Equal($"\tname = {t}/s-0000000001", output[2][^1]);

        // create2 prints the Stat too (the shell writes "new" as the data of every create).
        Assert.Equal([$"Creating [{t}/x] node (mode: 0)", $"[{t}/x]: rc = 0", $"\tname = {t}/x"], output[3][..3]);
        var x = ParseStat(output[3][3..]);
        Assert.Equal((x["czxid"], "0", "0", "0"), (x["mzxid"], x["version"], x["aversion"], x["ephemeralOwner"]));

        // A container (mode 4, createContainer); a TTL node needs extendedTypesEnabled (−6 Unimplemented).
        Assert.Equal([$"Creating [{t}/cont] node (mode: 4)", $"[{t}/cont]: rc = 0", $"\tname = {t}/cont"], output[4]);
        Assert.Equal([$"Creating [{t}/ttl] node (mode: 5)", $"[{t}/ttl]: rc = -6"], output[5]);

        // get prints the data after " value_len", then the Stat; it leaves a data watch.
        Assert.Equal([$"{t}: rc = 0", " value_len = 3", "new", "Stat:"], output[6][..4]);
        var get = ParseStat(output[6][4..]);
        Assert.Equal(("0", "0"), (get["version"], get["ephemeralOwner"]));

        // set: the data watch fires before the reply.
        Assert.Equal([$"Watcher CHANGED_EVENT state = CONNECTED_STATE for path {t}", $"{t}: rc = 0 Stat:"], output[7][..2]);
        var set = ParseStat(output[7][2..]);
        Assert.Equal(("1", get["czxid"]), (set["version"], set["czxid"]));
        Assert.NotEqual(get["mzxid"], set["mzxid"]);

        // ls: children in no particular order; it leaves a child watch.
        Assert.Equal($"{t}: rc = 0", output[8][0]);
        Assert.Equal(["\tcont", "\te", "\ts-0000000001", "\tx"], output[8][1..].Order(StringComparer.Ordinal));

        // wexists of a missing node: ZNONODE, and an exists watch. create fires it and the
        // child watch of ls, before its reply.
        Assert.Equal([$"Error -101 for {t}/w"], output[9]);
        Assert.Equal(
            [
                $"Creating [{t}/w] node (mode: 0)",
                $"Watcher CREATED_EVENT state = CONNECTED_STATE for path {t}/w",
                $"Watcher CHILD_EVENT state = CONNECTED_STATE for path {t}",
                $"[{t}/w]: rc = 0",
                $"\tname = {t}/w",
            ],
            output[10]);

        // The error codes: ZNODEEXISTS, ZNOTEMPTY, ZNONODE.
        Assert.Equal([$"Creating [{t}] node (mode: 0)", $"[{t}]: rc = -110"], output[11]);
        Assert.Equal([$"{t}: rc = -111"], output[12]);
        Assert.Equal([$"{t}/missing: rc = -101 Stat:", "null"], output[13]);
        Assert.Equal([$"{t}/missing: rc = -101", string.Empty, "Stat:", "null"], output[14]);

        // ls2: the children, then the parent's Stat (its data was set once); a child watch.
        Assert.Equal($"{t}: rc = 0", output[15][0]);
        Assert.Equal(["\tcont", "\te", "\ts-0000000001", "\tw", "\tx"], output[15][1..6].Order(StringComparer.Ordinal));
        Assert.Equal(set, ParseStat(output[15][6..]));

        Assert.Equal([$"Watcher CHILD_EVENT state = CONNECTED_STATE for path {t}", $"{t}/w: rc = 0"], output[16]);
        Assert.Equal([$"{t}/x: rc = 0"], output[17]);
        Assert.Equal([$"{t}/s-0000000001: rc = 0"], output[18]);
        Assert.Equal([$"{t}/cont: rc = 0"], output[19]);
        Assert.Equal([$"{t}/e: rc = 0"], output[20]);
        Assert.Equal([$"{t}: rc = 0"], output[21]);
        Assert.Equal([$"Error -101 for {t}"], output[22]);
    }

    /// <summary>Parses the shell's Stat dump (cli.c dumpStat): hex zxids, versions and owner.</summary>
    private static Dictionary<string, string> ParseStat(IReadOnlyList<string> lines)
    {
        Assert.Equal(6, lines.Count);
        var stat = new Dictionary<string, string>(StringComparer.Ordinal);
        Assert.Matches(@"^\tctime = [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$", lines[0]);
        Assert.Matches(@"^\tmtime=[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$", lines[2]);
        foreach (var line in new[] { lines[1], lines[3], lines[4], lines[5] })
        {
            foreach (Match field in StatField().Matches(line))
            {
                stat[field.Groups[1].Value] = field.Groups[2].Value;
            }
        }

        Assert.Equal(["aversion", "czxid", "ephemeralOwner", "mzxid", "version"], stat.Keys.Order(StringComparer.Ordinal));
        return stat;
    }

    [GeneratedRegex(@"\t(\w+) ?= ?([0-9a-f]+)")]
    private static partial Regex StatField();
}

/// <summary>The C client against Apache ZooKeeper 3.8.</summary>
public sealed class ApacheZooKeeperCClientTests(ApacheZooKeeperContractFixture fixture)
    : CClientTests<ApacheZooKeeperContractFixture>(fixture);

/// <summary>The C client against the <c>zkaspire-server</c> program.</summary>
public sealed class ZkAspireCClientTests(ZkAspireProcessFixture fixture)
    : CClientTests<ZkAspireProcessFixture>(fixture);
