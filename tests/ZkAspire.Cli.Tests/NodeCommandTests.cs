// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Tests.Infrastructure;
using static ZkAspire.Cli.Tests.Infrastructure.Expected;

namespace ZkAspire.Cli.Tests;

/// <summary>
/// ls, create, get, set, stat, delete, deleteall and sync against a ZkAspire server, each with its
/// error cases: the exact text and exit code zkCli 3.8 gives (checked against it by hand, and
/// continuously by the golden tests).
/// </summary>
public sealed class NodeCommandTests(TestServerFixture fixture) : IClassFixture<TestServerFixture>
{
    private string Server => fixture.ConnectionString;

    [Fact]
    public async Task OneShotCommandsPrintTheConnectionEventThenTheirOutput()
    {
        var p = TestServerFixture.UniquePath();
        var created = await CliRun.ShellAsync(Server, "create", p, "hello");
        Assert.Equal(0, created.ExitCode);
        Assert.Equal(CliRun.Preamble(Server) + $"Created {p}\n", created.Merged);
        Assert.Equal($"Created {p}\n", created.Error);

        var read = await CliRun.ShellAsync(Server, "get", p);
        Assert.Equal((0, CliRun.Preamble(Server) + "hello\n", string.Empty), (read.ExitCode, read.Output, read.Error));
    }

    [Fact]
    public async Task LsListsSortedChildrenAndTheStat()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create {p} data",
            $"create {p}/b",
            $"create {p}/a",
            $"create {p}/B",
            $"ls {p}",
            $"ls -s {p}",
            $"ls {p}/a",
            $"ls -s / x",
            $"ls -R {p}",
            $"ls {p} watch");
        Assert.Equal(
            Banner
            + Lines($"Created {p}", $"Created {p}/b", $"Created {p}/a", $"Created {p}/B", "[B, a, b]", "[B, a, b]")
            + Stat(cversion: 3, dataLength: 4, numChildren: 3)
            + Lines(
                "[]",
                "'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.",
                "Path must start with / character",
                p,
                $"{p}/B",
                $"{p}/a",
                $"{p}/b",
                "'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.",
                "[B, a, b]"),
            run.Transcript);
    }

    [Fact]
    public async Task LsErrors()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(Server, "ls", "ls -x /", $"ls {p}", "ls bad", "ls //a", $"ls -R {p}", "ls -?");
        Assert.Equal(
            Banner + Lines(
                "ls [-s] [-w] [-R] path",
                "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x",
                $"Node does not exist: {p}",
                "Path must start with / character",
                "Invalid path string \"//a\" caused by empty node name specified @1",
                $"Node does not exist: {p}",
                "usage: ls [options] path",
                " -?   help",
                " -R   recurse",
                " -s   stat",
                " -w   watch",
                "ls [-s] [-w] [-R] path"),
            run.Transcript);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public async Task CreateMakesEveryKindOfNode()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create {p}",
            $"create -e {p}/eph x",
            $"create -s {p}/seq- x",
            $"create -e -s {p}/es- y",
            $"create -s {p}/",
            $"create -c {p}/container",
            $"create -t 60000 {p}/ttl",
            $"create -s -t60000 {p}/ttlseq-",
            $"get {p}",
            $"stat {p}/eph",
            $"ls {p}");
        var transcript = run.Transcript;
        Assert.Equal(
            Banner
            + Lines(
                $"Created {p}",
                $"Created {p}/eph",
                $"Created {p}/seq-0000000001",
                $"Created {p}/es-0000000002",
                $"Created {p}/0000000003",
                $"Created {p}/container",
                $"Created {p}/ttl",
                $"Created {p}/ttlseq-0000000006",
                "null")
            + Stat(dataLength: 1)
            + Lines($"[0000000003, container, eph, es-0000000002, seq-0000000001, ttl, ttlseq-0000000006]"),
            transcript);

        // The ephemeral node belongs to the session.
        Assert.DoesNotContain("ephemeralOwner = 0x0\n", run.Merged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateErrors()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            "create",
            "create -s",
            $"create {p}/x/y",
            $"create {p}",
            $"create {p}",
            $"create -e {p}/eph",
            $"create {p}/eph/child",
            $"create {p}/",
            "create -c -e /c",
            "create -c -s /c",
            "create -t abc /t",
            "create -t 10 -e /t",
            "create -t 10 -c /t",
            "create -t 0 /t",
            "create -t -5 /t",
            "create -t 1099511627776 /t",
            "create -q /t",
            "create -t",
            $"create {p}/acl x world:anyone",
            $"create {p}/acl x foo:bar:r",
            $"create {p}/acl x world:anyone:rq",
            "create /zookeeper/config x");
        Assert.Equal(
            Banner + Lines(
                "create [-s] [-e] [-c] [-t ttl] path [data] [acl]",
                "create [-s] [-e] [-c] [-t ttl] path [data] [acl]",
                $"Node does not exist: {p}/x/y",
                $"Created {p}",
                $"Node already exists: {p}",
                $"Created {p}/eph",
                $"Ephemerals cannot have children: {p}/eph/child",
                "Path must not end with / character",
                "-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.",
                "-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.",
                "-t argument must be a long value",
                "TTLs cannot be used with Ephemeral znodes",
                "TTLs cannot be used with Container znodes",
                "ttl must be positive and cannot be larger than: 1099511627775",
                "ttl must be positive and cannot be larger than: 1099511627775",
                "ttl must be positive and cannot be larger than: 1099511627775",
                "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -q",
                "org.apache.commons.cli.MissingArgumentException: Missing argument for option: t",
                "world:anyone does not have the form scheme:id:perm",
                "KeeperErrorCode = InvalidACL",
                "Acl is not valid : null",
                $"KeeperErrorCode = InvalidACL for {p}/acl",
                $"Acl is not valid : {p}/acl",
                "Unknown perm type: q",
                $"Created {p}/acl",
                "Node already exists: /zookeeper/config"),
            run.Transcript);
    }

    [Fact]
    public async Task CreateWithTtlNeedsExtendedTypesOnTheServer()
    {
        await using var server = await Testing.ZooKeeperTestServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var run = await CliRun.ShellAsync(server.ConnectionString, "create", "-t", "1000", "/ttl");
        Assert.Equal((1, "KeeperErrorCode = Unimplemented for /ttl\n"), (run.ExitCode, run.Error));
    }

    [Fact]
    public async Task GetPrintsDataAsUtf8AndTheStat()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create {p} \"héllo wörld ✓\"",
            $"get {p}",
            $"get -s {p}",
            $"create {p}/empty \"\"",
            $"get {p}/empty",
            $"create {p}/null",
            $"get {p}/null",
            $"get {p} watch");
        Assert.Equal(
            Banner
            + Lines($"Created {p}", "héllo wörld ✓", "héllo wörld ✓")
            + Stat(dataLength: 17, cversion: 0)
            + Lines(
                $"Created {p}/empty",
                string.Empty,
                $"Created {p}/null",
                "null",
                "'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.",
                "héllo wörld ✓"),
            run.Transcript);
    }

    [Fact]
    public async Task GetErrors()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(Server, "get", $"get {p}", "get a", $"get -s {p} watch", "get -x /");
        Assert.Equal(
            Banner + Lines(
                "get [-s] [-w] path",
                $"Node does not exist: {p}",
                "Path must start with / character",
                "'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.",
                "Path must start with / character",
                "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x"),
            run.Transcript);
    }

    [Fact]
    public async Task SetWithVersionsAndStat()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create {p} one",
            $"set {p} two",
            $"set -s {p} three",
            $"set -v 5 {p} four",
            $"set -v 2 {p} four",
            $"set -v=3 {p} five",
            $"set -v -1 {p} six",
            $"get {p}",
            $"set -v abc {p} x",
            $"set {p}",
            $"set {p}/missing x",
            $"set {p} -1");
        Assert.Equal(
            Banner
            + Lines($"Created {p}")
            + Stat(dataVersion: 2, dataLength: 5)
            + Lines(
                $"version No is not valid : {p}",
                "six",
                "-v argument must be an int value",
                "set [-s] [-v version] path data",
                $"Node does not exist: {p}/missing",
                "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -1"),
            run.Transcript);
    }

    [Fact]
    public async Task StatPrintsTheStatOrNoNode()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(Server, $"create {p} abc", $"create {p}/c", $"stat {p}", $"stat {p}/none", "stat", $"stat {p} watch", $"stat -w {p} watch");
        Assert.Equal(
            Banner
            + Lines($"Created {p}", $"Created {p}/c")
            + Stat(cversion: 1, dataLength: 3, numChildren: 1)
            + Lines($"Node does not exist: {p}/none", "stat [-w] path", "'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.")
            + Stat(cversion: 1, dataLength: 3, numChildren: 1)
            + Lines("'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.", "Path must start with / character"),
            run.Transcript);
    }

    [Fact]
    public async Task DeleteAndItsErrors()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create {p}",
            $"create {p}/c",
            $"delete {p}",
            $"delete -v 3 {p}/c",
            $"delete -v x {p}/c",
            $"delete {p}/c 3",
            $"delete {p}/c",
            "delete",
            "delete /",
            "delete /zookeeper",
            $"delete -v 0 {p}",
            $"ls {p}");
        Assert.Equal(
            Banner + Lines(
                $"Created {p}",
                $"Created {p}/c",
                $"Node not empty: {p}",
                $"version No is not valid : {p}/c",
                "-v argument must be an int value",
                "'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.",
                $"Node does not exist: {p}/c",
                "delete [-v version] path",
                "Arguments are not valid : /",
                "Arguments are not valid : /zookeeper",
                $"Node does not exist: {p}"),
            run.Transcript);
    }

    [Fact]
    public async Task DeleteAllDeletesASubtreeInBatches()
    {
        var p = TestServerFixture.UniquePath();
        string[] tree = [p, $"{p}/a", $"{p}/a/x", $"{p}/a/y", $"{p}/b", $"{p}/b/z"];
        var run = await CliRun.ScriptAsync(
            Server,
            [
                .. tree.Select(n => $"create {n}"),
                $"deleteall {p} -b 2",
                $"ls {p}",
                $"create {p}",
                $"deleteall -b 0 {p}",
                $"deleteall {p}",
                "deleteall",
                "deleteall bad",
                $"deleteall {p} -b x",
            ]);
        Assert.Equal(
            Banner + Lines(
                [
                    .. tree.Select(n => $"Created {n}"),
                    $"Node does not exist: {p}",
                    $"Created {p}",
                    $"Node does not exist: {p}",
                    "deleteall path [-b batch size]",
                    "Path must start with / character",
                    "-b argument must be an int value",
                ]),
            run.Transcript);
    }

    [Fact]
    public async Task DeleteAllReportsANodeItCouldNotDelete()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create {p}",
            $"create {p}/child",
            $"setAcl {p} world:anyone:crwa",
            $"deleteall {p}",
            $"ls {p}");
        Assert.Equal(
            Banner + Lines($"Created {p}", $"Created {p}/child", "Failed to delete some node(s) in the subtree!", "[child]"),
            run.Transcript);

        // A failure is not an error of the command: zkCli exits 0.
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task SyncAndItsErrors()
    {
        var run = await CliRun.ScriptAsync(Server, "sync /", "sync /not/there", "sync bad", "sync");
        Assert.Equal(Banner + Lines("Sync is OK", "Sync is OK", "Path must start with / character", "sync path"), run.Transcript);
    }
}
