// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// One server of a <see cref="ZooKeeperEnsemble"/>: its ports, dataDir and zoo.cfg, and its process
/// while it runs. Kill, pause, resume and restart act on the real process; the ports and dataDir
/// stay the same across restarts, as an operator's restart keeps them.
/// </summary>
public sealed class EnsembleMember : IAsyncDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);
    private const int MaxPortRetries = 3;
    private static readonly ConcurrentDictionary<Process, byte> Live = new();

    private readonly EnsembleServerKind _kind;
    private readonly EnsembleOptions _options;
    private readonly StringBuilder _log = new();
    private Process? _process;
    private int _starts;
    private int _lastStartAt;
    private int _portRetries;

    static EnsembleMember()
    {
        // A test host that exits (or is cancelled) without disposing must not leave servers behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Live.Keys)
            {
                try
                {
                    process.Kill();
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                }
            }
        };
    }

    internal EnsembleMember(EnsembleServerKind kind, EnsembleOptions options, int id, int clientPort, int quorumPort, int electionPort, string directory, string dataDirectory, string configPath)
    {
        _kind = kind;
        _options = options;
        Id = id;
        ClientPort = clientPort;
        QuorumPort = quorumPort;
        ElectionPort = electionPort;
        Directory = directory;
        DataDirectory = dataDirectory;
        ConfigPath = configPath;
    }

    /// <summary>Gets the server id (<c>myid</c>, the N of <c>server.N</c>).</summary>
    public int Id { get; }

    /// <summary>Gets the client port on 127.0.0.1.</summary>
    public int ClientPort { get; }

    /// <summary>Gets the quorum (peer) port.</summary>
    public int QuorumPort { get; }

    /// <summary>Gets the leader election port.</summary>
    public int ElectionPort { get; }

    /// <summary>Gets the member's directory (zoo.cfg, logs).</summary>
    public string Directory { get; }

    /// <summary>Gets the dataDir (myid, snapshots, txn logs).</summary>
    public string DataDirectory { get; }

    /// <summary>Gets the path of zoo.cfg.</summary>
    public string ConfigPath { get; }

    /// <summary>Gets this member alone as a connection string, <c>127.0.0.1:port</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{ClientPort}");

    /// <summary>Gets whether the process is running (it may be paused).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Gets whether the process is stopped by SIGSTOP.</summary>
    public bool IsPaused { get; private set; }

    /// <summary>Gets the process id while it runs.</summary>
    public int? ProcessId => IsRunning ? _process!.Id : null;

    /// <summary>Gets everything the member's processes wrote so far, every start under a header.</summary>
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

    /// <summary>Starts the process (without waiting for it to serve; see <see cref="ZooKeeperEnsemble.WaitUntilServingAsync"/>).</summary>
    /// <exception cref="InvalidOperationException">It is already running.</exception>
    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"server.{Id} is already running.");
        }

        _process?.Dispose();
        var start = _kind == EnsembleServerKind.Apache ? ApacheStartInfo() : ZkAspireStartInfo();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        _starts++;
        lock (_log)
        {
            _lastStartAt = _log.Length;
        }

        Append(string.Create(CultureInfo.InvariantCulture, $"----- start {_starts} at {DateTimeOffset.UtcNow:HH:mm:ss.fff} -----"));
        process.Start();
        Live[process] = 0;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        IsPaused = false;
    }

    /// <summary>Kills the process with SIGKILL (kill -9: no shutdown, unsynced writes lost) and waits for it to be gone.</summary>
    /// <returns>A task.</returns>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                // Process.Kill is SIGKILL on Unix; it also ends a process stopped by SIGSTOP.
                process.Kill();
            }

            await process.WaitForExitAsync().WaitAsync(ExitTimeout).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        Live.TryRemove(process, out _);
        IsPaused = false;
        Append(string.Create(CultureInfo.InvariantCulture, $"----- killed at {DateTimeOffset.UtcNow:HH:mm:ss.fff} -----"));
    }

    /// <summary>Stops the process with SIGSTOP: it keeps its sockets but does nothing, as a long GC pause or a frozen VM.</summary>
    /// <returns>A task.</returns>
    public async Task PauseAsync()
    {
        await SignalAsync("-STOP").ConfigureAwait(false);

        // kill returns once the signal is sent, not once every thread has stopped: a request in
        // that moment (a JVM's srvr) could still be answered. Wait for the kernel to say stopped.
        var pid = ProcessId!.Value;
        await Poll.UntilAsync(() => IsStopped(pid), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5), $"server.{Id} did not stop within 5 s of SIGSTOP.").ConfigureAwait(false);

        IsPaused = true;
        Append(string.Create(CultureInfo.InvariantCulture, $"----- paused at {DateTimeOffset.UtcNow:HH:mm:ss.fff} -----"));
    }

    /// <summary>Continues a paused process with SIGCONT.</summary>
    /// <returns>A task.</returns>
    public async Task ResumeAsync()
    {
        await SignalAsync("-CONT").ConfigureAwait(false);
        IsPaused = false;
        Append(string.Create(CultureInfo.InvariantCulture, $"----- resumed at {DateTimeOffset.UtcNow:HH:mm:ss.fff} -----"));
    }

    /// <summary>Kills the process (SIGKILL) and starts it again on the same ports and dataDir.</summary>
    /// <returns>A task.</returns>
    public async Task RestartAsync()
    {
        await KillAsync().ConfigureAwait(false);
        Start();
    }

    /// <summary>Sends a four-letter word and returns the answer.</summary>
    /// <param name="command">The command, e.g. <c>srvr</c>, <c>stat</c>, <c>mntr</c>.</param>
    /// <param name="timeout">How long to wait for the whole answer.</param>
    /// <returns>The answer.</returns>
    public Task<string> FourLetterWordAsync(string command, TimeSpan? timeout = null) =>
        FourLetterWordClient.SendAsync(ClientPort, command, timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>
    /// Asks <c>srvr</c> for the member's mode: <c>leader</c>, <c>follower</c>, <c>observer</c> or
    /// <c>standalone</c>; null when it does not serve (it says so, refuses the connection, or does
    /// not answer within two seconds, as a paused process does).
    /// </summary>
    /// <param name="cancellationToken">Cancels the question.</param>
    /// <returns>The mode, or null.</returns>
    public async Task<string?> ModeAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsRunning)
        {
            return null;
        }

        try
        {
            var answer = await FourLetterWordClient.SendAsync(ClientPort, "srvr", TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            return ParseMode(answer);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Reads the <c>Mode: …</c> line of a srvr or stat answer (the <c>zk_server_state</c> line of mntr).</summary>
    /// <param name="answer">The four-letter word's answer.</param>
    /// <returns>The mode, or null when the answer has none.</returns>
    public static string? ParseMode(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        foreach (var line in answer.ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.StartsWith("Mode: ", StringComparison.Ordinal))
            {
                return line["Mode: ".Length..].Trim();
            }

            if (line.StartsWith("zk_server_state", StringComparison.Ordinal))
            {
                return line["zk_server_state".Length..].Trim();
            }
        }

        return null;
    }

    /// <summary>Kills the process if it runs.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync().ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Reported by the leftover process, not by hiding the test's own outcome.
        }
        finally
        {
            _process?.Dispose();
            _process = null;
        }
    }

    internal void ThrowIfExited()
    {
        if (_process is { HasExited: true } process && Live.ContainsKey(process))
        {
            Live.TryRemove(process, out _);

            // A restart binds the same ports again, and in the seconds it was down another test
            // process may have been probing that very port (its free-port check binds it for a
            // moment): that start fails with EADDRINUSE through no fault of the server. Start it
            // again, a bounded number of times; anything else is the test's failure.
            if (_portRetries < MaxPortRetries && LastStartLog().Contains("Address already in use", StringComparison.Ordinal))
            {
                _portRetries++;
                Append("----- a port was in use; starting again -----");
                Start();
                return;
            }

            throw new InvalidOperationException($"server.{Id} ({_kind}) exited with code {process.ExitCode}:\n{Log}");
        }
    }

    private string LastStartLog()
    {
        lock (_log)
        {
            return _log.ToString(_lastStartAt, _log.Length - _lastStartAt);
        }
    }

    /// <summary>Whether /proc says the process is stopped (state T): after SIGSTOP, every thread has stopped.</summary>
    private static bool IsStopped(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

            // "pid (comm) state ...": comm may hold spaces and parentheses, the state follows the last ')'.
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private async Task SignalAsync(string signal)
    {
        if (ProcessId is not { } pid)
        {
            throw new InvalidOperationException($"server.{Id} is not running.");
        }

        var result = await ExternalProcess.RunAsync("kill", [signal, pid.ToString(CultureInfo.InvariantCulture)], timeout: TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {pid} failed: {result}");
        }
    }

    private ProcessStartInfo ApacheStartInfo()
    {
        var start = new ProcessStartInfo("/usr/bin/java")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var option in _options.JvmOptions)
        {
            start.ArgumentList.Add(option);
        }

        start.ArgumentList.Add("-Dzookeeper.log.dir=" + Directory);
        start.ArgumentList.Add("-Dorg.slf4j.simpleLogger.defaultLogLevel=" + _options.ApacheLogLevel);
        start.ArgumentList.Add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        start.ArgumentList.Add("-cp");
        start.ArgumentList.Add(JavaZkCli.ClassPath);
        start.ArgumentList.Add("org.apache.zookeeper.server.quorum.QuorumPeerMain");
        start.ArgumentList.Add(ConfigPath);
        return start;
    }

    private ProcessStartInfo ZkAspireStartInfo()
    {
        var start = (_options.ZkAspireProgram ?? ZkAspireServerProgram.Jit).CreateStartInfo([ConfigPath]);
        start.WorkingDirectory = Directory;
        return start;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
