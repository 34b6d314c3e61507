// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// The built <c>zkaspire-server</c> program as a real process, with a generated zoo.cfg on a free
/// loopback port: for CLI and interop tests that need the server in another process. Killed on dispose.
/// </summary>
public sealed class ZkAspireServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;

    private ZkAspireServerProcess(Process process, StringBuilder log, int port, string directory)
    {
        _process = process;
        _log = log;
        Port = port;
        Directory = directory;
    }

    /// <summary>Gets the path of the program's entry assembly, beside the test assemblies (the JIT build, <see cref="ZkAspireServerProgram.Jit"/>).</summary>
    public static string ProgramPath => ZkAspireServerProgram.Jit.Path;

    /// <summary>Gets the client port.</summary>
    public int Port { get; }

    /// <summary>Gets the connection string, <c>127.0.0.1:port</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>Gets the temporary directory holding zoo.cfg and the data directory.</summary>
    public string Directory { get; }

    /// <summary>Gets the process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Gets whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Gets what the program has written to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the program with a zoo.cfg on a free port and waits until it serves.</summary>
    /// <param name="extraConfig">More zoo.cfg lines.</param>
    /// <param name="arguments">More <c>key=value</c> arguments after the zoo.cfg path.</param>
    /// <param name="timeout">How long to wait for it to serve.</param>
    /// <param name="environment">Environment variables to set, or to remove when the value is null (the rest is inherited from the test process).</param>
    /// <param name="program">The build to run; the JIT build beside the tests when null.</param>
    /// <returns>The running program.</returns>
    public static async Task<ZkAspireServerProcess> StartAsync(IEnumerable<string>? extraConfig = null, IEnumerable<string>? arguments = null, TimeSpan? timeout = null, IReadOnlyDictionary<string, string?>? environment = null, ZkAspireServerProgram? program = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "zkaspire-server-" + Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(directory);
        var port = FreePort.Get();
        var config = new StringBuilder()
            .AppendLine("tickTime=2000")
            .AppendLine(CultureInfo.InvariantCulture, $"dataDir={Path.Combine(directory, "data")}")
            .AppendLine(CultureInfo.InvariantCulture, $"clientPort={port}")
            .AppendLine("clientPortAddress=127.0.0.1")
            .AppendLine("4lw.commands.whitelist=*");
        foreach (var line in extraConfig ?? [])
        {
            config.AppendLine(line);
        }

        var configPath = Path.Combine(directory, "zoo.cfg");
        await File.WriteAllTextAsync(configPath, config.ToString());

        var log = new StringBuilder();
        var serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Start(program ?? ZkAspireServerProgram.Jit, [configPath, .. arguments ?? []], environment, log, line =>
        {
            if (line.Contains("serving clients on", StringComparison.Ordinal))
            {
                serving.TrySetResult();
            }
        });

        var server = new ZkAspireServerProcess(process, log, port, directory);
        try
        {
            var exited = process.WaitForExitAsync();
            var first = await Task.WhenAny(serving.Task, exited).WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
            if (first == exited)
            {
                throw new InvalidOperationException($"zkaspire-server exited with code {process.ExitCode}:\n{server.Log}");
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Runs the program to its end, e.g. to check an exit code.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <param name="timeout">How long it may run before it is killed and the call fails.</param>
    /// <param name="program">The build to run; the JIT build beside the tests when null.</param>
    /// <returns>The exit code and what the program printed.</returns>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, ZkAspireServerProgram? program = null)
    {
        var log = new StringBuilder();
        using var process = Start(program ?? ZkAspireServerProgram.Jit, arguments.ToList(), environment?.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)), log, _ => { });
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        // WaitForExitAsync also waits for the output streams to end.
        lock (log)
        {
            return (process.ExitCode, log.ToString());
        }
    }

    /// <summary>Sends SIGTERM, as a service manager does, and waits for the exit code.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> TerminateAsync(TimeSpan? timeout = null)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            if (kill.ExitCode != 0)
            {
                throw new InvalidOperationException("kill -TERM failed with exit code " + kill.ExitCode.ToString(CultureInfo.InvariantCulture));
            }
        }

        await _process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            _process.Dispose();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static Process Start(ZkAspireServerProgram program, IReadOnlyList<string> arguments, IEnumerable<KeyValuePair<string, string?>>? environment, StringBuilder log, Action<string> onLine)
    {
        var start = program.CreateStartInfo(arguments);
        start.RedirectStandardInput = true;
        foreach (var (key, value) in environment ?? [])
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;

        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            onLine(line);
        }
    }
}
