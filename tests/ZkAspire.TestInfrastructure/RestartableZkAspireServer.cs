// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// A data directory, a zoo.cfg and a client port that <c>zkaspire-server</c> processes are started
/// on one after another: for crash tests that kill a server with SIGKILL and start the next on the
/// same files. Disposing kills the running process and deletes the directory.
/// </summary>
public sealed class RestartableZkAspireServer : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;
    private int _runs;

    private RestartableZkAspireServer(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    /// <summary>Gets the temporary directory holding zoo.cfg and the data directory.</summary>
    public string Directory { get; }

    /// <summary>Gets the data directory (<c>dataDir</c>).</summary>
    public string DataDir => Path.Combine(Directory, "data");

    /// <summary>Gets the zoo.cfg.</summary>
    public string ConfigPath => Path.Combine(Directory, "zoo.cfg");

    /// <summary>Gets the client port, the same for every run.</summary>
    public int Port { get; }

    /// <summary>Gets the connection string, <c>127.0.0.1:port</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>Gets whether a process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Gets what every run has written to stdout and stderr, each run headed by a line <c>--- run N ---</c>.</summary>
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

    /// <summary>Gets what the current (or last) run has written.</summary>
    public string LastRunLog
    {
        get
        {
            var log = Log;
            var marker = log.LastIndexOf("--- run ", StringComparison.Ordinal);
            return marker < 0 ? log : log[marker..];
        }
    }

    /// <summary>Makes the directory and the zoo.cfg (tickTime 2000, dataDir, a free port, every four-letter word); nothing runs yet.</summary>
    /// <param name="extraConfig">More zoo.cfg lines (forceSync, snapCount, ...).</param>
    /// <returns>The server, stopped.</returns>
    public static RestartableZkAspireServer Create(IEnumerable<string>? extraConfig = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "zkaspire-restartable-" + Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(directory);
        var server = new RestartableZkAspireServer(directory, FreePort.Get());
        var config = new StringBuilder()
            .AppendLine("tickTime=2000")
            .AppendLine(CultureInfo.InvariantCulture, $"dataDir={server.DataDir}")
            .AppendLine(CultureInfo.InvariantCulture, $"clientPort={server.Port}")
            .AppendLine("clientPortAddress=127.0.0.1")
            .AppendLine("maxClientCnxns=0")
            .AppendLine("4lw.commands.whitelist=*");
        foreach (var line in extraConfig ?? [])
        {
            config.AppendLine(line);
        }

        File.WriteAllText(server.ConfigPath, config.ToString());
        return server;
    }

    /// <summary>Starts a process on the directory and waits until it serves.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>A task that completes when it serves.</returns>
    /// <exception cref="InvalidOperationException">It exited instead (its output is in the message).</exception>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("A server is already running on this directory.");
        }

        _process?.Dispose();
        var serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = ++_runs;
        lock (_log)
        {
            _log.AppendLine(CultureInfo.InvariantCulture, $"--- run {run} ---");
        }

        var start = ZkAspireServerProgram.Jit.CreateStartInfo([ConfigPath]);
        start.RedirectStandardInput = true;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(serving.Task, exited).WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        if (first == exited)
        {
            throw new InvalidOperationException($"zkaspire-server exited with code {process.ExitCode}:\n{LastRunLog}");
        }

        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_log)
            {
                _log.AppendLine(line);
            }

            if (line.Contains("serving clients on", StringComparison.Ordinal))
            {
                serving.TrySetResult();
            }
        }
    }

    /// <summary>Kills the running process with SIGKILL (no flush, no close: a crash) and waits until it is gone.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Sends SIGTERM (a clean shutdown) and waits for the exit code.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> TerminateAsync(TimeSpan? timeout = null)
    {
        var process = _process ?? throw new InvalidOperationException("No server was started.");
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        return process.ExitCode;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            _process?.Dispose();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
