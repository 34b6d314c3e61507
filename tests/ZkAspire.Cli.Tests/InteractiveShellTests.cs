// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Tests.Infrastructure;
using static ZkAspire.Cli.Tests.Infrastructure.Expected;

namespace ZkAspire.Cli.Tests;

/// <summary>The shell itself: the banner, the built-ins, usage, exit codes, the prompt, and the arguments of <c>zkaspire</c>.</summary>
public sealed class InteractiveShellTests(TestServerFixture fixture) : IClassFixture<TestServerFixture>
{
    private const string UsageText = """
        ZooKeeper -server host:port -client-configuration properties-file cmd args
        	addWatch [-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE
        	addauth scheme auth
        	close 
        	config [-c] [-w] [-s]
        	connect host:port
        	create [-s] [-e] [-c] [-t ttl] path [data] [acl]
        	delete [-v version] path
        	deleteall path [-b batch size]
        	get [-s] [-w] path
        	getAcl [-s] path
        	getAllChildrenNumber path
        	getEphemerals path
        	history 
        	ls [-s] [-w] [-R] path
        	printwatches on|off
        	quit 
        	redo cmdno
        	removewatches path [-c|-d|-a] [-l]
        	set [-s] [-v version] path data
        	setAcl [-s] [-v version] [-R] path acl
        	stat [-w] path
        	sync path
        	version 
        	whoami 

        """;

    private string Server => fixture.ConnectionString;

    private static string Usage => UsageText.ReplaceLineEndings("\n");

    [Fact]
    public async Task AnUnknownCommandPrintsTheUsageAndExits127()
    {
        var run = await CliRun.ShellAsync(Server, "help");
        Assert.Equal(127, run.ExitCode);
        Assert.Equal(Usage + "Command not found: Command not found help\n", run.Error);

        var script = await CliRun.ScriptAsync(Server, "bogus", "   ", "\"");
        Assert.Equal(Banner + Usage + "Command not found: Command not found bogus\n" + Usage + "Command not found: Command not found  \n" + Usage + "No command entered\n", script.Transcript);
        Assert.Equal(1, script.ExitCode);
    }

    [Fact]
    public async Task TheExitCodeIsTheLastCommandsAndQuitKeepsIt()
    {
        var p = TestServerFixture.UniquePath();
        Assert.Equal(1, (await CliRun.ScriptAsync(Server, "ls /", $"get {p}")).ExitCode);
        Assert.Equal(0, (await CliRun.ScriptAsync(Server, $"get {p}", "ls /")).ExitCode);
        Assert.Equal(127, (await CliRun.ScriptAsync(Server, "ls /", "nope")).ExitCode);

        var quit = await CliRun.ScriptAsync(Server, $"get {p}", "quit", "ls /");
        Assert.Equal(1, quit.ExitCode);
        Assert.Equal(Banner + Lines($"Node does not exist: {p}"), quit.Transcript);
        Assert.Equal([Connected, Event("None", null, "Closed")], quit.Events);

        Assert.Equal(0, (await CliRun.ScriptAsync(Server, "quit")).ExitCode);
        Assert.Equal(0, (await CliRun.ShellAsync(Server, "quit")).ExitCode);
    }

    [Fact]
    public async Task HistoryAndRedo()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create {p} a",
            $"get {p}",
            "redo 1",
            "redo 0",
            "redo 2",
            "redo 9",
            "redo -1",
            "redo x",
            "redo 0x1",
            "redo",
            "history",
            "redo 3",
            "redo 5");
        Assert.Equal(
            Banner + Lines(
                $"Created {p}",
                "a",
                "a",
                $"Node already exists: {p}",
                "a",
                "Command index out of range",
                "Command index out of range",
                "Command index is not a number: x",
                "a",
                "0 - " + $"create {p} a",
                "1 - " + $"get {p}",
                "2 - " + $"get {p}",
                "3 - " + $"create {p} a",
                "4 - " + $"get {p}",
                "5 - redo 9",
                "6 - redo -1",
                "7 - redo x",
                "8 - " + $"get {p}",
                "9 - redo",
                "10 - history",
                $"Node already exists: {p}",
                "No redoing redos"),
            run.Transcript);
    }

    [Fact]
    public async Task HistoryShowsTheLastTenCommands()
    {
        var run = await CliRun.ScriptAsync(Server, [.. Enumerable.Range(0, 12).Select(i => $"printwatches on"), "history"]);
        Assert.Equal(Banner + Lines([.. Enumerable.Range(2, 10).Select(i => $"{i} - printwatches on"), "12 - history"]), run.Transcript);

        // One-shot, there is no history: zkCli prints what its empty map holds.
        var once = await CliRun.ShellAsync(Server, "history");
        Assert.Contains("0 - null\n", once.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloseThenNotConnectedThenConnect()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create -e {p} x",
            "close",
            $"get {p}",
            "history",
            "close",
            $"connect {Server}",
            $"get {p}",
            "connect",
            "ls -x",
            $"get {p}");
        Assert.Equal(
            Banner + Lines(
                $"Created {p}",
                "Not connected",
                "0 - " + $"create -e {p} x",
                "1 - close",
                "2 - " + $"get {p}",
                "3 - history",
                "Not connected",
                "Not connected",
                $"Node does not exist: {p}",
                "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x",
                $"Node does not exist: {p}"),
            run.Transcript);
        Assert.Equal(
            [Connected, Event("None", null, "Closed"), Connected, Event("None", null, "Closed"), Connected],
            run.Events);
    }

    [Fact]
    public async Task ThePromptShowsTheServerTheStateAndTheCommandNumber()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.RunAsync(["-server", Server], $"create {p}\n\nclose\n", interactive: true);

        // With a terminal there is a prompt and no JLine line; an empty line is no command. The
        // first prompt may come before or after the connection.
        Assert.Equal(
            Lines("Connecting to <server>", "Welcome to ZooKeeper!")
            + $"[zk: {Server}(CONNECTING) 0] Created {p}\n[zk: {Server}(CONNECTED) 1] [zk: {Server}(CONNECTED) 1] [zk: {Server}(CLOSED) 2] ",
            run.Transcript.Replace("(CONNECTED) 0]", "(CONNECTING) 0]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "shell", "-server" }, "Error: no argument found for option -server")]
    [InlineData(new[] { "-timeout" }, "Error: no argument found for option -timeout")]
    [InlineData(new[] { "-timeout", "abc" }, "Error: the timeout must be a positive number of milliseconds: abc")]
    [InlineData(new[] { "-client-configuration", "/no/such/file" }, "Error: the client configuration file '/no/such/file' does not exist.")]
    public async Task BadShellArgumentsExit2(string[] args, string message)
    {
        var run = await CliRun.RunAsync(args);
        Assert.Equal((2, message + "\n"), (run.ExitCode, run.Error));
    }

    [Fact]
    public async Task ShellArgumentsAreReadAsZkCliReadsThem()
    {
        var p = TestServerFixture.UniquePath();

        // 'shell' is optional; unknown options are ignored; -timeout and -r are taken.
        var run = await CliRun.RunAsync(["shell", "-foo", "-timeout", "10000", "-r", "-server", Server, "-waitforconnection", "create", p, "x"]);
        Assert.Equal((0, CliRun.Preamble(Server) + $"Created {p}\n"), (run.ExitCode, run.Merged));

        // Everything after the command belongs to it.
        var tail = await CliRun.RunAsync(["-server", Server, "get", p, "-server"]);
        Assert.Equal((1, "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -server\n"), (tail.ExitCode, tail.Error));
    }

    [Fact]
    public async Task ABadConnectionStringIsReported()
    {
        var run = await CliRun.RunAsync(["-server", "127.0.0.1:notaport", "ls", "/"]);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Connecting to 127.0.0.1:notaport\n", run.Output);
        Assert.Equal("Bad port 'notaport' for host '127.0.0.1' in connection string '127.0.0.1:notaport'.\n", run.Error);
    }

    [Fact]
    public async Task AChrootIsHonoured()
    {
        var p = TestServerFixture.UniquePath();
        await CliRun.ShellAsync(Server, "create", p);
        var run = await CliRun.ScriptAsync(Server + p, "create /a x", "ls /", "ls -R /", "get /a", "create -e /e", "getEphemerals /", "get /none");
        Assert.Equal(Banner + Lines("Created /a", "[a]", "/", "/a", "x", "Created /e", "[/e]", "Node does not exist: /none"), run.Transcript);
    }

    [Fact]
    public async Task TopLevelHelpAndVersion()
    {
        var help = await CliRun.RunAsync(["--help"]);
        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("Usage:\n  zkaspire [shell] [-server host:port", help.Output, StringComparison.Ordinal);
        Assert.Contains("zkaspire server {start|start-foreground|stop|restart|status} [path/to/zoo.cfg]", help.Output, StringComparison.Ordinal);

        var version = await CliRun.RunAsync(["--version"]);
        Assert.Matches(@"^zkaspire \d+\.\d+\.\d+-zkaspire-", version.Output);
    }
}
