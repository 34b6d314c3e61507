// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ZkAspire.Cli.ServerControl;
using ZkAspire.Cli.Shell;
using ZkAspire.Cli.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Cli.Tests;

/// <summary>
/// <c>zkaspire server</c> against real zkaspire-server processes on free ports (the program is
/// beside the tests). Every process a test starts is stopped before it ends.
/// </summary>
public sealed class ServerControlTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "zkaspire-cli-" + Guid.NewGuid().ToString("n"));
    private readonly List<int> _started = [];

    public ServerControlTests()
    {
        Directory.CreateDirectory(_directory);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartStatusStopAsZkServerSh()
    {
        var (config, port, dataDir) = WriteConfig();
        var pidFile = Path.Combine(dataDir, "zookeeper_server.pid");

        var start = await RunAsync("start", config);
        Assert.Equal((0, "Starting zookeeper ... STARTED\n", $"Using config: {config}\n"), (start.ExitCode, start.Output, start.Error));
        var pid = int.Parse(await File.ReadAllTextAsync(pidFile, Ct), CultureInfo.InvariantCulture);
        _started.Add(pid);
        Assert.True(ProcessProbe.IsRunning(pid));
        Assert.Contains("zkaspire-server", ProcessProbe.CommandLine(pid), StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(dataDir, "zookeeper-*-server-*.out"));

        var status = await RunAsync("status", config);
        Assert.Equal((0, $"Client port found: {port}. Client address: 127.0.0.1. Client SSL: false.\nMode: standalone\n"), (status.ExitCode, status.Output));

        // It serves.
        var ls = await CliRun.ShellAsync($"127.0.0.1:{port}", "ls", "/");
        Assert.Equal((0, CliRun.Preamble($"127.0.0.1:{port}") + "[zookeeper]\n"), (ls.ExitCode, ls.Merged));

        var again = await RunAsync("start", config);
        Assert.Equal((1, $"Starting zookeeper ... already running as process {pid}.\n"), (again.ExitCode, again.Output));

        var stop = await RunAsync("stop", config);
        Assert.Equal((0, "Stopping zookeeper ... STOPPED\n"), (stop.ExitCode, stop.Output));
        Assert.False(ProcessProbe.IsRunning(pid));
        Assert.False(File.Exists(pidFile));

        var down = await RunAsync("status", config);
        Assert.Equal((1, $"Client port found: {port}. Client address: 127.0.0.1. Client SSL: false.\nError contacting service. It is probably not running.\n"), (down.ExitCode, down.Output));

        var stopAgain = await RunAsync("stop", config);
        Assert.Equal((0, $"Stopping zookeeper ... no zookeeper to stop (could not find file {pidFile})\n"), (stopAgain.ExitCode, stopAgain.Output));
    }

    [Fact]
    public async Task RestartStartsANewProcess()
    {
        var (config, _, dataDir) = WriteConfig();
        var pidFile = Path.Combine(dataDir, "zookeeper_server.pid");
        Assert.Equal(0, (await RunAsync("start", config)).ExitCode);
        var first = int.Parse(await File.ReadAllTextAsync(pidFile, Ct), CultureInfo.InvariantCulture);
        _started.Add(first);

        var restart = await RunAsync("restart", config);
        Assert.Equal((0, "Stopping zookeeper ... STOPPED\nStarting zookeeper ... STARTED\n"), (restart.ExitCode, restart.Output));
        var second = int.Parse(await File.ReadAllTextAsync(pidFile, Ct), CultureInfo.InvariantCulture);
        _started.Add(second);
        Assert.NotEqual(first, second);
        Assert.False(ProcessProbe.IsRunning(first));
        Assert.True(ProcessProbe.IsRunning(second));

        Assert.Equal(0, (await RunAsync("stop", config)).ExitCode);
        Assert.False(ProcessProbe.IsRunning(second));
    }

    [Fact]
    public async Task StartReportsAServerThatCannotListen()
    {
        using var occupied = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupied.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupied.Listen();
        var port = ((IPEndPoint)occupied.LocalEndPoint!).Port;
        var (config, _, dataDir) = WriteConfig(port);

        var start = await RunAsync("start", config);
        Assert.Equal((1, "Starting zookeeper ... FAILED TO START\n"), (start.ExitCode, start.Output));
        Assert.Contains("the server exited; its output", start.Error, StringComparison.Ordinal);
        Assert.Contains("already in use", start.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dataDir, "zookeeper_server.pid")));
    }

    [Fact]
    public async Task StopLeavesAProcessThatIsNotAZkAspireServerAlone()
    {
        var (config, _, dataDir) = WriteConfig();
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            var pidFile = Path.Combine(dataDir, "zookeeper_server.pid");
            Directory.CreateDirectory(dataDir);
            await File.WriteAllTextAsync(pidFile, sleeper.Id.ToString(CultureInfo.InvariantCulture), Ct);

            var stop = await RunAsync("stop", config);
            Assert.Equal((1, "Stopping zookeeper ... FAILED TO STOP\n"), (stop.ExitCode, stop.Output));
            Assert.Contains($"process {sleeper.Id} named by {pidFile} is not a zkaspire-server (sleep 120)", stop.Error, StringComparison.Ordinal);
            Assert.False(sleeper.HasExited);
            Assert.True(File.Exists(pidFile));

            // A start does not take it for a running server either way: it names a live process.
            var start = await RunAsync("start", config);
            Assert.Equal((1, $"Starting zookeeper ... already running as process {sleeper.Id}.\n"), (start.ExitCode, start.Output));
        }
        finally
        {
            sleeper.Kill();
            await sleeper.WaitForExitAsync(Ct);
        }
    }

    [Fact]
    public async Task AStalePidFileIsCleanedUp()
    {
        var (config, _, dataDir) = WriteConfig();
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await exited.WaitForExitAsync(Ct);
        var pidFile = Path.Combine(dataDir, "zookeeper_server.pid");
        Directory.CreateDirectory(dataDir);
        await File.WriteAllTextAsync(pidFile, exited.Id.ToString(CultureInfo.InvariantCulture), Ct);

        var stop = await RunAsync("stop", config);
        Assert.Equal((0, "Stopping zookeeper ... STOPPED\n"), (stop.ExitCode, stop.Output));
        Assert.False(File.Exists(pidFile));
    }

    [Fact]
    public async Task ThePidFileFollowsZooPidFile()
    {
        var (config, _, _) = WriteConfig();
        var pidFile = Path.Combine(_directory, "run", "server.pid");
        var start = await RunAsync("start", config, ("ZOOPIDFILE", pidFile), ("ZOO_LOG_DIR", Path.Combine(_directory, "logs")));
        Assert.Equal(0, start.ExitCode);
        _started.Add(int.Parse(await File.ReadAllTextAsync(pidFile, Ct), CultureInfo.InvariantCulture));
        Assert.Single(Directory.GetFiles(Path.Combine(_directory, "logs"), "*.out"));
        Assert.Equal(0, (await RunAsync("stop", config, ("ZOOPIDFILE", pidFile))).ExitCode);
        Assert.False(File.Exists(pidFile));
    }

    [Fact]
    public async Task TheEnvironmentOverridesTheConfigAsForTheServer()
    {
        // The server reads ZKASPIRE_clientPort too: start and status must look at that port.
        var (config, _, _) = WriteConfig();
        var port = FreePort.Get();
        var environment = ("ZKASPIRE_CLIENTPORT", port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(0, (await RunAsync("start", config, environment)).ExitCode);
        try
        {
            var status = await RunAsync("status", config, environment);
            Assert.Equal((0, $"Client port found: {port}. Client address: 127.0.0.1. Client SSL: false.\nMode: standalone\n"), (status.ExitCode, status.Output));
        }
        finally
        {
            Assert.Equal(0, (await RunAsync("stop", config, environment)).ExitCode);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("launch")]
    [InlineData("start a.cfg b.cfg")]
    public async Task BadArgumentsPrintTheUsage(string args)
    {
        var run = await CliRun.RunAsync(["server", .. args.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.Equal((2, "Usage: zkaspire server {start|start-foreground|stop|restart|status} [path/to/zoo.cfg]\n"), (run.ExitCode, run.Error));
    }

    [Fact]
    public async Task ConfigurationProblemsAreReported()
    {
        var missing = Path.Combine(_directory, "missing.cfg");
        var run = await RunAsync("status", missing);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"Using config: {missing}\nzkaspire: cannot read the configuration file '{missing}'", run.Error, StringComparison.Ordinal);

        var badPort = Path.Combine(_directory, "bad.cfg");
        await File.WriteAllTextAsync(badPort, "clientPort=twenty\n", Ct);
        Assert.Equal((2, $"Using config: {badPort}\nzkaspire: clientPort 'twenty' (bad.cfg line 1) is not a port number.\n"), ((await RunAsync("start", badPort)).ExitCode, (await RunAsync("start", badPort)).Error));

        var noDataDir = Path.Combine(_directory, "nodata.cfg");
        await File.WriteAllTextAsync(noDataDir, "clientPort=2181\n", Ct);
        var start = await RunAsync("start", noDataDir);
        Assert.Equal((1, "Starting zookeeper ... FAILED TO START\n"), (start.ExitCode, start.Output));
        Assert.EndsWith($"zkaspire: {noDataDir} sets no dataDir, where the pid file goes; set dataDir, or ZOOPIDFILE.\n", start.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheServerProgramIsFoundOrExplained()
    {
        var (config, _, _) = WriteConfig();
        var run = await RunAsync("start", config, ("ZKASPIRE_SERVER_PROGRAM", "/no/such/zkaspire-server"));
        Assert.Equal((1, "Starting zookeeper ... FAILED TO START\n"), (run.ExitCode, run.Output));
        Assert.EndsWith("zkaspire: ZKASPIRE_SERVER_PROGRAM names '/no/such/zkaspire-server', which does not exist.\n", run.Error, StringComparison.Ordinal);

        var nowhere = new ServerControlSettings { Environment = Environment(("PATH", _directory)), BaseDirectory = _directory };
        var lost = await RunAsync(nowhere, "start", config);
        Assert.Equal(1, lost.ExitCode);
        Assert.Contains($"cannot find zkaspire-server: not beside {_directory} nor on the PATH", lost.Error, StringComparison.Ordinal);

        Assert.True(ServerProgram.TryFind(Environment(), AppContext.BaseDirectory, out var found, out _));
        Assert.Contains("zkaspire-server", string.Join(' ', found.CommandLine([])), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartForegroundRunsAttachedAndStopsOnSigterm()
    {
        var (config, port, _) = WriteConfig();
        var zkaspire = Path.Combine(AppContext.BaseDirectory, "zkaspire.dll");
        var start = new ProcessStartInfo(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", zkaspire, "server", "start-foreground", config })
        {
            start.ArgumentList.Add(argument);
        }

        var output = new Recorder();
        using var cli = new Process { StartInfo = start };
        cli.OutputDataReceived += (_, e) => output.WriteLine(e.Data);
        cli.ErrorDataReceived += (_, e) => output.WriteLine(e.Data);
        cli.Start();
        cli.BeginOutputReadLine();
        cli.BeginErrorReadLine();
        try
        {
            await output.WaitForAsync($"serving clients on 127.0.0.1:{port}", 0);
            Assert.Contains($"Using config: {config}", output.Text, StringComparison.Ordinal);

            // As a service manager stops it: SIGTERM to the CLI reaches the server, which stops cleanly.
            Assert.True(ProcessProbe.Terminate(cli.Id));
            await cli.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.Equal(0, cli.ExitCode);
            Assert.Contains("stopped", output.Text, StringComparison.Ordinal);
            Assert.Null(await FourLetterWordProbe(port));
        }
        finally
        {
            if (!cli.HasExited)
            {
                cli.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public void ZooCfgIsReadAsTheServerReadsIt()
    {
        const string text = "# a comment\n! another\n  clientPort : 3181\ndataDir=/var/lib/zk\\\n    /data\nclientPortAddress  127.0.0.2\ntickTime=2000\\n\nempty=\n";
        var path = Path.Combine(_directory, "tricky.cfg");
        File.WriteAllText(path, text);
        var ours = ZooCfg.Load(path, new Hashtable());
        var server = Server.Configuration.ZooKeeperConfiguration.Load(path, environment: new Hashtable(), overrides: ["tickTime=2000"]).Options;
        Assert.Equal((server.ClientPort, server.ClientPortAddress, server.DataDir), (ours.ClientPort, ours.ClientPortAddress, ours.DataDir));
        Assert.Equal((3181, "127.0.0.2", "/var/lib/zk/data"), (ours.ClientPort, ours.ClientPortAddress, ours.DataDir));

        var environment = new Hashtable { ["ZKASPIRE_CLIENTPORT"] = "4181", ["ZKASPIRE_clientPortAddress"] = "127.0.0.3", ["ZKASPIRE_ZOOKEEPER_DATADIR"] = "/tmp/x" };
        var overridden = ZooCfg.Load(path, environment);
        var serverOverridden = Server.Configuration.ZooKeeperConfiguration.Load(path, environment: environment, overrides: ["tickTime=2000"]).Options;
        Assert.Equal((serverOverridden.ClientPort, serverOverridden.ClientPortAddress, serverOverridden.DataDir), (overridden.ClientPort, overridden.ClientPortAddress, overridden.DataDir));
        Assert.Equal((4181, "127.0.0.3", "/tmp/x"), (overridden.ClientPort, overridden.ClientPortAddress, overridden.DataDir));
    }

    [Fact]
    public void AServerLinesBracketedIPv6ClientAddressIsReadAsTheServerReadsIt()
    {
        var dataDir = Path.Combine(_directory, "v6");
        Directory.CreateDirectory(dataDir);
        File.WriteAllText(Path.Combine(dataDir, "myid"), "1");
        var path = Path.Combine(_directory, "v6.cfg");
        File.WriteAllText(path, $"dataDir={dataDir}\nserver.1=[::1]:2881:3881;[::1]:2191\nserver.2=[::1]:2882:3882;[::1]:2192\n");
        var ours = ZooCfg.Load(path, new Hashtable());
        var server = Server.Configuration.ZooKeeperConfiguration.Load(path, environment: new Hashtable()).Options;
        Assert.Equal((2191, "::1"), (ours.ClientPort, ours.ClientPortAddress));
        Assert.Equal((server.ClientPort, server.ClientPortAddress), (ours.ClientPort, ours.ClientPortAddress));
    }

    [Fact]
    public async Task StatusReportsEachMembersModeAndReadsTheClientPortFromItsServerLine()
    {
        // The 3.5+ form: no clientPort key, each server's client address is in its server line.
        var ports = new HashSet<int>();
        while (ports.Count < 9)
        {
            // Distinct: the OS may hand a just-released port out again.
            ports.Add(FreePort.Get());
        }

        var p = ports.ToArray();
        var lines = Enumerable.Range(0, 3)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"server.{i + 1}=127.0.0.1:{p[3 * i]}:{p[(3 * i) + 1]};127.0.0.1:{p[(3 * i) + 2]}"))
            .ToList();
        var configs = new List<string>();
        var servers = new List<Server.ZooKeeperServer>();
        try
        {
            for (var id = 1; id <= 3; id++)
            {
                var dataDir = Path.Combine(_directory, "member" + id.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(dataDir);
                await File.WriteAllTextAsync(Path.Combine(dataDir, "myid"), id.ToString(CultureInfo.InvariantCulture), Ct);
                var config = Path.Combine(_directory, $"member{id}.cfg");
                await File.WriteAllTextAsync(config, $"tickTime=200\ninitLimit=10\nsyncLimit=5\nforceSync=no\ndataDir={dataDir}\n4lw.commands.whitelist=*\n" + string.Join('\n', lines) + "\n", Ct);
                configs.Add(config);
                var options = Server.Configuration.ZooKeeperConfiguration.Load(config, environment: new Hashtable()).Options;
                options.PreAllocSizeKb = 64;
                options.TxnLogSizeLimitInKb = 1024;
                servers.Add(new Server.ZooKeeperServer(options));
            }

            await Task.WhenAll(servers.Select(s => s.StartAsync(Ct)));
            var modes = new List<string>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                modes.Clear();
                foreach (var config in configs)
                {
                    var status = await RunAsync("status", config);
                    modes.Add(status.ExitCode == 0 ? status.Output.Split('\n')[1] : "not serving");
                }

                if (modes.Count(m => m == "Mode: leader") == 1 && modes.Count(m => m == "Mode: follower") == 2)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, "no leader and two followers in time: " + string.Join(", ", modes));
                await Task.Delay(50, Ct);
            }

            var first = await RunAsync("status", configs[0]);
            Assert.StartsWith($"Client port found: {servers[0].Port}. Client address: 127.0.0.1.", first.Output, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        foreach (var pid in _started.Where(ProcessProbe.IsRunning))
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<string?> FourLetterWordProbe(int port) =>
        await FourLetterWord.SendAsync("127.0.0.1", port, "srvr", TimeSpan.FromSeconds(5), Ct);

    private static IDictionary Environment(params (string Key, string Value)[] overrides)
    {
        var environment = new Hashtable();
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && !key.StartsWith("ZKASPIRE_", StringComparison.Ordinal) && key is not ("ZOOPIDFILE" or "ZOO_LOG_DIR" or "ZOOCFGDIR"))
            {
                environment[key] = entry.Value;
            }
        }

        foreach (var (key, value) in overrides)
        {
            environment[key] = value;
        }

        return environment;
    }

    private static Task<CliRun> RunAsync(string verb, string config, params (string Key, string Value)[] environment) =>
        RunAsync(new ServerControlSettings { Environment = Environment(environment) }, verb, config);

    private static async Task<CliRun> RunAsync(ServerControlSettings settings, string verb, string config)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await new ServerCommand(new ShellOutput(output, error), settings).RunAsync([verb, config], Ct).WaitAsync(CliRun.Limit, Ct);
        return new CliRun(exitCode, output.ToString(), error.ToString(), string.Empty);
    }

    private (string Config, int Port, string DataDir) WriteConfig(int? port = null)
    {
        var clientPort = port ?? FreePort.Get();
        var dataDir = Path.Combine(_directory, "data-" + clientPort.ToString(CultureInfo.InvariantCulture));
        var config = Path.Combine(_directory, $"zoo-{clientPort}.cfg");
        File.WriteAllText(config, $"tickTime=2000\ndataDir={dataDir}\nclientPort={clientPort}\nclientPortAddress=127.0.0.1\n");
        return (config, clientPort, dataDir);
    }
}
