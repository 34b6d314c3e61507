// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Tests.Infrastructure;
using ZkAspire.Client;
using static ZkAspire.Cli.Tests.Infrastructure.Expected;

namespace ZkAspire.Cli.Tests;

/// <summary>getAcl, setAcl, addauth, whoami, getEphemerals, getAllChildrenNumber, version.</summary>
public sealed class AclAndAuthCommandTests(TestServerFixture fixture) : IClassFixture<TestServerFixture>
{
    private string Server => fixture.ConnectionString;

    [Fact]
    public async Task GetAclAndSetAcl()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create {p}",
            $"getAcl {p}",
            $"getAcl -s {p}",
            $"setAcl {p} world:anyone:rwa,ip:127.0.0.1:cd",
            $"getAcl {p}",
            $"setAcl -s -v 1 {p} world:anyone:cdrwa",
            $"setAcl -v 0 {p} world:anyone:cdrwa",
            $"setAcl -v x {p} world:anyone:cdrwa",
            $"setAcl {p} foo",
            $"setAcl {p} \"\"",
            $"setAcl {p}",
            $"getAcl {p}/none",
            $"setAcl {p}/none world:anyone:r",
            "getAcl");
        Assert.Equal(
            Banner
            + Lines($"Created {p}", "'world,'anyone", ": cdrwa", "'world,'anyone", ": cdrwa")
            + Stat()
            + Lines("'world,'anyone", ": rwa", "'ip,'127.0.0.1", ": cd")
            + Stat(aclVersion: 2)
            + Lines(
                $"version No is not valid : {p}",
                "-v argument must be an int value",
                "foo does not have the form scheme:id:perm",
                "Acl is not valid : null",
                " does not have the form scheme:id:perm",
                "Acl is not valid : null",
                "setAcl [-s] [-v version] [-R] path acl",
                $"Node does not exist: {p}/none",
                $"Node does not exist: {p}/none",
                "getAcl [-s] path"),
            run.Transcript);
    }

    [Fact]
    public async Task SetAclRecursivelyReportsFailuresInline()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create {p}",
            $"create {p}/a",
            $"create {p}/a/x",
            $"create {p}/b",
            $"setAcl {p}/b world:anyone:r",
            $"setAcl -R {p} world:anyone:cdrw",
            $"getAcl {p}/a/x",
            $"getAcl {p}/b",
            $"setAcl -R {p}/none world:anyone:r");

        // The failure of /b has no line break of its own: zkCli print()s it.
        Assert.Equal(
            Banner + Lines(
                $"Created {p}",
                $"Created {p}/a",
                $"Created {p}/a/x",
                $"Created {p}/b",
                $"KeeperErrorCode = NoAuth for {p}/b'world,'anyone",
                ": cdrw",
                "'world,'anyone",
                ": r",
                $"Node does not exist: {p}/none"),
            run.Transcript);
    }

    [Fact]
    public async Task AddauthAndWhoami()
    {
        var p = TestServerFixture.UniquePath();
        var digest = DigestAuthentication.GenerateDigest("bob", "secret");
        var run = await CliRun.ScriptAsync(
            Server,
            "whoami",
            "addauth digest bob:secret",
            "whoami",
            $"create {p} x auth::cdrwa",
            $"getAcl {p}",
            "addauth",
            "whoami extra");
        Assert.Equal(
            Banner + Lines(
                "Auth scheme: User",
                "ip: 127.0.0.1",
                "Auth scheme: User",
                "ip: 127.0.0.1",
                "digest: bob",
                $"Created {p}",
                $"'digest,'{digest}",
                ": cdrwa",
                "addauth scheme auth",
                "Auth scheme: User",
                "ip: 127.0.0.1",
                "digest: bob"),

            // The server decides the order of the identities (Apache ZooKeeper's is a hash set's).
            run.Transcript.Replace("digest: bob\nip: 127.0.0.1\n", "ip: 127.0.0.1\ndigest: bob\n", StringComparison.Ordinal));

        // Another session may not read it.
        var other = await CliRun.ShellAsync(Server, "get", p);
        Assert.Equal((1, $"Insufficient permission : {p}\n"), (other.ExitCode, other.Error));
    }

    [Fact]
    public async Task AnUnknownAuthSchemeEndsTheSession()
    {
        var run = await CliRun.ScriptAsync(Server, "addauth nosuchscheme x", "ls /", "close");
        Assert.Equal(Banner + Lines("Not connected", "Not connected"), run.Transcript);
        Assert.Equal([Connected, Event("None", null, "AuthFailed")], run.Events);
    }

    [Fact]
    public async Task GetEphemeralsAndGetAllChildrenNumber()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create {p}",
            $"create -e {p}/e1",
            $"create {p}/a",
            $"create -e {p}/a/e2",
            $"getEphemerals {p}/a",
            $"getAllChildrenNumber {p}",
            $"getAllChildrenNumber {p}/a/e2",
            $"getAllChildrenNumber {p}/none",
            "getAllChildrenNumber",
            "getEphemerals bad");
        Assert.Equal(
            Banner + Lines(
                $"Created {p}",
                $"Created {p}/e1",
                $"Created {p}/a",
                $"Created {p}/a/e2",
                $"[{p}/a/e2]",
                "3",
                "0",
                $"Node does not exist: {p}/none",
                "getAllChildrenNumber path",
                "Path must start with / character"),
            run.Transcript);

        // Without a path, every ephemeral node of the session, in the server's order.
        var all = await CliRun.ScriptAsync(Server, $"create -e {p}/e3", "getEphemerals");
        Assert.Equal(Banner + Lines($"Created {p}/e3", $"[{p}/e3]"), all.Transcript);
    }

    [Fact]
    public async Task VersionPrintsTheCliVersionInZooKeepersShape()
    {
        // version needs no server, so the connection event may come before or after it.
        var run = await CliRun.ShellAsync(Server, "version");
        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"(?m)^ZooKeeper CLI version: \d+\.\d+\.\d+-zkaspire-\d+\.\d+\.\d+, built on .+$", run.Output);

        var extra = await CliRun.ShellAsync(Server, "version", "extra");
        Assert.Equal((1, "version \n"), (extra.ExitCode, extra.Error));
    }
}
