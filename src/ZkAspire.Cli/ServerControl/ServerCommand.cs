// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ZkAspire.Cli.Shell;

namespace ZkAspire.Cli.ServerControl;

/// <summary>
/// <c>zkaspire server start|start-foreground|stop|restart|status [zoo.cfg]</c>: controls a
/// zkaspire-server process as zkServer.sh controls Apache ZooKeeper, with the same messages, the
/// same pid file (<c>zookeeper_server.pid</c> in dataDir, or <c>$ZOOPIDFILE</c>) and the same
/// exit codes. Where zkServer.sh sleeps a second and hopes, this waits for the server to answer
/// (start) or to exit (stop), with a timeout.
/// </summary>
internal sealed class ServerCommand
{
    private const string Usage = "Usage: zkaspire server {start|start-foreground|stop|restart|status} [path/to/zoo.cfg]";
    private const string PidFileName = "zookeeper_server.pid";

    private readonly ShellOutput _output;
    private readonly ServerControlSettings _settings;

    public ServerCommand(ShellOutput output, ServerControlSettings? settings = null)
    {
        _output = output;
        _settings = settings ?? new ServerControlSettings();
    }

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count is 0 or > 2 || args[0] is not ("start" or "start-foreground" or "stop" or "restart" or "status"))
        {
            _output.Err(Usage);
            return ExitCodes.InvalidInvocation;
        }

        if (OperatingSystem.IsWindows())
        {
            _output.Err("zkaspire server needs a POSIX system (it signals the server with SIGTERM); run zkaspire-server directly.");
            return ExitCodes.Failure;
        }

        var configPath = args.Count > 1
            ? args[1]
            : Path.Combine(_settings.Environment["ZOOCFGDIR"] as string ?? "conf", "zoo.cfg");
        _output.Err("Using config: " + configPath);
        ZooCfg config;
        try
        {
            config = ZooCfg.Load(configPath, _settings.Environment);
        }
        catch (ZooCfgException e)
        {
            _output.Err("zkaspire: " + e.Message);
            return ExitCodes.InvalidInvocation;
        }

        return args[0] switch
        {
            "start" => await StartAsync(config, cancellationToken).ConfigureAwait(false),
            "start-foreground" => await StartForegroundAsync(config, cancellationToken).ConfigureAwait(false),
            "stop" => await StopAsync(config, cancellationToken).ConfigureAwait(false),
            "restart" => await RestartAsync(config, cancellationToken).ConfigureAwait(false),
            _ => await StatusAsync(config, cancellationToken).ConfigureAwait(false),
        };
    }

    private async Task<int> RestartAsync(ZooCfg config, CancellationToken cancellationToken)
    {
        var stopped = await StopAsync(config, cancellationToken).ConfigureAwait(false);
        return stopped != ExitCodes.Success ? stopped : await StartAsync(config, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> StartAsync(ZooCfg config, CancellationToken cancellationToken)
    {
        _output.OutRaw("Starting zookeeper ... ");
        if (!TryGetPidFile(config, out var pidFile))
        {
            _output.Out("FAILED TO START");
            return ExitCodes.Failure;
        }

        if (ReadPid(pidFile) is { } running && ProcessProbe.IsRunning(running))
        {
            _output.Out(string.Create(CultureInfo.InvariantCulture, $"already running as process {running}."));
            return ExitCodes.Failure;
        }

        if (config.ClientPort == 0)
        {
            _output.Out("FAILED TO START");
            _output.Err("zkaspire: clientPort=0 (a random port) cannot be used with 'server start', which checks that the server answers on its port.");
            return ExitCodes.Failure;
        }

        if (!ServerProgram.TryFind(_settings.Environment, _settings.BaseDirectory, out var program, out var error))
        {
            _output.Out("FAILED TO START");
            _output.Err("zkaspire: " + error);
            return ExitCodes.Failure;
        }

        var logFile = LogFile(config, pidFile);
        int pid;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(pidFile)!);
            Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
            pid = await LaunchInBackgroundAsync(program, config, logFile, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(pidFile, pid.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            _output.Out("SERVER DID NOT START");
            _output.Err("zkaspire: " + e.Message);
            return ExitCodes.Failure;
        }

        // zkServer.sh sleeps a second and checks the pid; we wait until the server answers.
        var address = config.ClientPortAddress ?? "127.0.0.1";
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (!ProcessProbe.IsRunning(pid))
            {
                _output.Out("FAILED TO START");
                TryDelete(pidFile);
                _output.Err($"zkaspire: the server exited; its output ({logFile}) ends with:");
                foreach (var line in Tail(logFile, 10))
                {
                    _output.Err("  " + line);
                }

                return ExitCodes.Failure;
            }

            if (await FourLetterWord.SendAsync(address, config.ClientPort, "srvr", TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false) is not null)
            {
                _output.Out("STARTED");
                return ExitCodes.Success;
            }

            if (deadline.Elapsed > _settings.StartTimeout)
            {
                _output.Out("FAILED TO START");
                _output.Err(string.Create(CultureInfo.InvariantCulture, $"zkaspire: process {pid} did not answer on {address}:{config.ClientPort} within {_settings.StartTimeout.TotalSeconds:0} s; it is still running ('zkaspire server stop' stops it). Its output: {logFile}"));
                return ExitCodes.Failure;
            }

            // The server is another process: polling its port is the only way to see it serve.
            await Task.Delay(_settings.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> StopAsync(ZooCfg config, CancellationToken cancellationToken)
    {
        _output.OutRaw("Stopping zookeeper ... ");
        if (!TryGetPidFile(config, out var pidFile))
        {
            _output.Out("FAILED TO STOP");
            return ExitCodes.Failure;
        }

        if (!File.Exists(pidFile))
        {
            _output.Out($"no zookeeper to stop (could not find file {pidFile})");
            return ExitCodes.Success;
        }

        if (ReadPid(pidFile) is not { } pid)
        {
            _output.Out("FAILED TO STOP");
            _output.Err($"zkaspire: {pidFile} holds no process id; remove it if no server runs.");
            return ExitCodes.Failure;
        }

        if (ProcessProbe.IsRunning(pid))
        {
            // zkServer.sh kills whatever the pid file names; a reused pid may belong to anything,
            // so we stop only a zkaspire-server.
            if (ProcessProbe.CommandLine(pid) is { } commandLine && !commandLine.Contains("zkaspire-server", StringComparison.Ordinal))
            {
                _output.Out("FAILED TO STOP");
                _output.Err(string.Create(CultureInfo.InvariantCulture, $"zkaspire: process {pid} named by {pidFile} is not a zkaspire-server ({commandLine}); not stopping it. Remove the file if it is stale."));
                return ExitCodes.Failure;
            }

            ProcessProbe.Terminate(pid);
            var deadline = Stopwatch.StartNew();
            while (ProcessProbe.IsRunning(pid))
            {
                if (deadline.Elapsed > _settings.StopTimeout)
                {
                    _output.Out("FAILED TO STOP");
                    _output.Err(string.Create(CultureInfo.InvariantCulture, $"zkaspire: process {pid} is still running {_settings.StopTimeout.TotalSeconds:0} s after SIGTERM."));
                    return ExitCodes.Failure;
                }

                // Another process's exit cannot be awaited; poll it, bounded by the timeout.
                await Task.Delay(_settings.PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        TryDelete(pidFile);
        _output.Out("STOPPED");
        return ExitCodes.Success;
    }

    private async Task<int> StatusAsync(ZooCfg config, CancellationToken cancellationToken)
    {
        // zkServer.sh asks "localhost" when clientPortAddress is not set.
        var address = config.ClientPortAddress ?? "localhost";
        _output.Out(string.Create(CultureInfo.InvariantCulture, $"Client port found: {config.ClientPort}. Client address: {address}. Client SSL: false."));
        var answer = await FourLetterWord.SendAsync(address, config.ClientPort, "srvr", TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        var mode = answer?.ReplaceLineEndings("\n").Split('\n').Where(line => line.Contains("Mode", StringComparison.Ordinal)).ToList();
        if (mode is null || mode.Count == 0)
        {
            _output.Out("Error contacting service. It is probably not running.");
            return ExitCodes.Failure;
        }

        _output.Out(string.Join(' ', mode));
        return ExitCodes.Success;
    }

    private async Task<int> StartForegroundAsync(ZooCfg config, CancellationToken cancellationToken)
    {
        if (!ServerProgram.TryFind(_settings.Environment, _settings.BaseDirectory, out var program, out var error))
        {
            _output.Err("zkaspire: " + error);
            return ExitCodes.Failure;
        }

        var start = NewStartInfo(program.FileName);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        program.AddTo(start, [Path.GetFullPath(config.Path)]);
        using var server = new Process { StartInfo = start };
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _output.Out(e.Data);
            }
        };
        server.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _output.Err(e.Data);
            }
        };

        server.Start();
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();

        // Attached, as zkServer.sh's exec: the signals that stop us stop the server, which
        // shuts down cleanly, and its exit code is ours.
        void Forward(PosixSignalContext context)
        {
            context.Cancel = true;
            ProcessProbe.Terminate(server.Id);
        }

        using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, Forward))
        using (PosixSignalRegistration.Create(PosixSignal.SIGINT, Forward))
        using (PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Forward))
        {
            try
            {
                await server.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                ProcessProbe.Terminate(server.Id);
                await server.WaitForExitAsync(CancellationToken.None).WaitAsync(_settings.StopTimeout, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }

        return server.ExitCode;
    }

    /// <summary>Starts the server detached, its output to a file, as zkServer.sh's <c>nohup … &amp;</c>; returns its pid.</summary>
    private async Task<int> LaunchInBackgroundAsync(ServerProgram program, ZooCfg config, string logFile, CancellationToken cancellationToken)
    {
        // A shell does the detaching: the server must not hold our stdout (a caller reading it
        // to the end would wait for the server), must outlive us, and must ignore the SIGHUP of
        // a closing terminal.
        var start = NewStartInfo("/bin/sh");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        foreach (var argument in (string[])["-c", "log=$1; shift; nohup \"$@\" > \"$log\" 2>&1 < /dev/null & echo $!", "zkaspire", logFile, .. program.CommandLine([Path.GetFullPath(config.Path)])])
        {
            start.ArgumentList.Add(argument);
        }

        using var shell = Process.Start(start) ?? throw new InvalidOperationException("/bin/sh did not start.");
        var stdout = shell.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = shell.StandardError.ReadToEndAsync(cancellationToken);
        await shell.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var text = (await stdout.ConfigureAwait(false)).Trim();
        if (shell.ExitCode != 0 || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            throw new InvalidOperationException($"/bin/sh could not start the server: {(await stderr.ConfigureAwait(false)).Trim()}");
        }

        return pid;
    }

    private ProcessStartInfo NewStartInfo(string fileName)
    {
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };

        // The server reads ZKASPIRE_* variables as settings; this one is ours.
        start.Environment.Remove(ServerProgram.EnvironmentVariable);
        foreach (DictionaryEntry entry in _settings.Environment)
        {
            if (entry.Key is string key && entry.Value is string value && key != ServerProgram.EnvironmentVariable)
            {
                start.Environment[key] = value;
            }
        }

        // The server runs with the runtime's socket completions unless the user chose otherwise.
        InlineSocketCompletions.KeepFrom(start, InlineSocketCompletions.SetByThisProcess);
        return start;
    }

    private bool TryGetPidFile(ZooCfg config, out string pidFile)
    {
        if (_settings.Environment["ZOOPIDFILE"] is string configured && configured.Length > 0)
        {
            pidFile = configured;
            return true;
        }

        if (config.DataDir is null)
        {
            pidFile = string.Empty;
            _output.Err($"zkaspire: {config.Path} sets no dataDir, where the pid file goes; set dataDir, or ZOOPIDFILE.");
            return false;
        }

        pidFile = Path.Combine(config.DataDir, PidFileName);
        return true;
    }

    /// <summary>zkServer.sh's <c>$ZOO_LOG_DIR/zookeeper-$USER-server-$HOSTNAME.out</c>; the log directory defaults to the pid file's.</summary>
    private string LogFile(ZooCfg config, string pidFile)
    {
        var directory = _settings.Environment["ZOO_LOG_DIR"] as string is { Length: > 0 } logDir ? logDir : config.DataDir ?? Path.GetDirectoryName(pidFile)!;
        return Path.Combine(directory, $"zookeeper-{Environment.UserName}-server-{Environment.MachineName}.out");
    }

    private static int? ReadPid(string pidFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static IEnumerable<string> Tail(string path, int count)
    {
        try
        {
            return File.ReadAllLines(path).TakeLast(count);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
