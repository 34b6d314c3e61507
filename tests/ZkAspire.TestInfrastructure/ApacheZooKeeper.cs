// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// A standalone Apache ZooKeeper 3.8 server from Debian's <c>zookeeper</c> package, started on a
/// free loopback port with a fresh data directory: the behavioural oracle of the contract suite.
/// </summary>
public sealed class ApacheZooKeeper : IAsyncDisposable
{
    /// <summary>Where Debian installs the server jar.</summary>
    public const string ZooKeeperJar = "/usr/share/java/zookeeper.jar";

    private readonly Process _process;
    private readonly StringBuilder _log;
    private readonly TaskCompletionSource _bound;

    private ApacheZooKeeper(Process process, StringBuilder log, TaskCompletionSource bound, int port, string directory)
    {
        _process = process;
        _log = log;
        _bound = bound;
        Port = port;
        Directory = directory;
    }

    /// <summary>Gets the client port.</summary>
    public int Port { get; }

    /// <summary>Gets the connection string, <c>127.0.0.1:port</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>Gets the temporary directory holding zoo.cfg and the data.</summary>
    public string Directory { get; }

    /// <summary>Gets what the server has logged so far.</summary>
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

    /// <summary>Gets whether Debian's ZooKeeper and a JVM are installed.</summary>
    public static bool IsInstalled => File.Exists(ZooKeeperJar) && File.Exists("/usr/bin/java");

    /// <summary>Starts a server and waits until it answers <c>ruok</c>.</summary>
    /// <param name="extraConfig">More zoo.cfg lines, e.g. <c>4lw.commands.whitelist=*</c>.</param>
    /// <param name="systemProperties">JVM system properties, e.g. <c>zookeeper.extendedTypesEnabled=true</c>.</param>
    /// <param name="timeout">How long to wait for it to serve.</param>
    /// <returns>The running server.</returns>
    public static async Task<ApacheZooKeeper> StartAsync(
        IEnumerable<string>? extraConfig = null,
        IEnumerable<string>? systemProperties = null,
        TimeSpan? timeout = null)
    {
        if (!IsInstalled)
        {
            throw new InvalidOperationException(
                $"Apache ZooKeeper is not installed ({ZooKeeperJar} or /usr/bin/java missing): run 'apt-get install zookeeper' (.ci/run does).");
        }

        var directory = Path.Combine(Path.GetTempPath(), "zkaspire-apache-" + Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "data"));
        var port = FreePort.Get();
        var config = new StringBuilder()
            .AppendLine("tickTime=2000")
            .AppendLine(CultureInfo.InvariantCulture, $"dataDir={Path.Combine(directory, "data")}")
            .AppendLine(CultureInfo.InvariantCulture, $"clientPort={port}")
            .AppendLine("clientPortAddress=127.0.0.1")
            .AppendLine("admin.enableServer=false")
            .AppendLine("4lw.commands.whitelist=*");
        foreach (var line in extraConfig ?? [])
        {
            config.AppendLine(line);
        }

        var configPath = Path.Combine(directory, "zoo.cfg");
        await File.WriteAllTextAsync(configPath, config.ToString());

        var start = new ProcessStartInfo("/usr/bin/java")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add("-Xmx512m");
        start.ArgumentList.Add("-Dzookeeper.log.dir=" + directory);
        start.ArgumentList.Add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        foreach (var property in systemProperties ?? [])
        {
            start.ArgumentList.Add("-D" + property);
        }

        start.ArgumentList.Add("-cp");
        start.ArgumentList.Add(ZooKeeperJar + ":/usr/share/java/slf4j-simple.jar");
        start.ArgumentList.Add("org.apache.zookeeper.server.quorum.QuorumPeerMain");
        start.ArgumentList.Add(configPath);

        var log = new StringBuilder();
        var bound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(log, bound, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, bound, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ApacheZooKeeper(process, log, bound, port, directory);
        try
        {
            await server.WaitUntilServingAsync(timeout ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
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
            // Already gone.
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

    private static void Append(StringBuilder log, TaskCompletionSource bound, string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains("PrepRequestProcessor (sid:", StringComparison.Ordinal) && line.Contains("started", StringComparison.Ordinal))
        {
            bound.TrySetResult();
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }

    private async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        // The server logs "PrepRequestProcessor (sid:0) started" as it starts serving; await that
        // line (or the process's exit), then confirm with srvr, which says "not currently serving"
        // until the server's state flips a moment later. That last check is bounded in attempts.
        var exited = _process.WaitForExitAsync();
        var bound = await Task.WhenAny(_bound.Task, exited).WaitAsync(timeout).ConfigureAwait(false);
        if (bound == exited)
        {
            throw new InvalidOperationException($"Apache ZooKeeper exited with code {_process.ExitCode}:\n{Log}");
        }

        var answer = string.Empty;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            answer = await FourLetterWordClient.SendAsync(Port, "srvr", timeout).ConfigureAwait(false);
            if (answer.Contains("Mode: ", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"Apache ZooKeeper answered srvr with '{answer}':\n{Log}");
    }
}
