// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Performance;

/// <summary>
/// The servers of one flavor in one topology, started as real processes with a data directory
/// of their own, each configured as its package configures it plus what the comparison fixes:
/// tickTime 2000 (the default of both sample configs), forceSync=yes (ZooKeeper's default: fsync
/// before a write is answered), loopback only, every four-letter word allowed. Disposing kills
/// the processes and removes the data.
/// </summary>
internal sealed class ServerCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<Process> _processes;
    private readonly StringBuilder _log;

    private ServerCluster(ServerFlavor flavor, List<Process> processes, StringBuilder log, IReadOnlyList<int> ports, string directory, TimeSpan coldStart)
    {
        Flavor = flavor;
        _processes = processes;
        _log = log;
        Ports = ports;
        Directory = directory;
        ColdStart = coldStart;
    }

    public ServerFlavor Flavor { get; }

    public IReadOnlyList<int> Ports { get; }

    public string Directory { get; }

    /// <summary>Gets the time from starting the processes until every server answers a request.</summary>
    public TimeSpan ColdStart { get; private set; }

    public string ConnectString => string.Join(',', Ports.Select(p => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{p}")));

    public IReadOnlyList<int> ProcessIds => _processes.Select(p => p.Id).ToList();

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

    /// <summary>Gets the path of the program of our server, beside this one.</summary>
    public static string ZkAspireProgram => Path.Combine(AppContext.BaseDirectory, "zkaspire-server.dll");

    public static async Task<ServerCluster> StartAsync(ServerFlavor flavor, Topology topology, CancellationToken cancellationToken)
    {
        if (topology == Topology.ThreeNodes && flavor == ServerFlavor.ZkAspire)
        {
            // Everything else is in place: the same zoo.cfg with server.N lines and a myid file,
            // three processes, every port probed. Our server needs the ensemble first.
            throw new NotSupportedException("ZkAspire cannot run three nodes yet: that needs our ensemble (issue 4). Apache ZooKeeper alone: --servers apache.");
        }

        var count = topology == Topology.ThreeNodes ? 3 : 1;
        var directory = Path.Combine(Path.GetTempPath(), "zkaspire-perf-" + flavor.ToString().ToLowerInvariant() + "-" + Guid.NewGuid().ToString("n")[..8]);
        var clientPorts = Enumerable.Range(0, count).Select(_ => FreePort.Get()).ToArray();
        var quorumPorts = Enumerable.Range(0, count * 2).Select(_ => FreePort.Get()).ToArray();
        var log = new StringBuilder();
        var starts = new List<ProcessStartInfo>();
        for (var i = 0; i < count; i++)
        {
            var serverDirectory = count == 1 ? directory : Path.Combine(directory, "s" + (i + 1).ToString(CultureInfo.InvariantCulture));
            var dataDir = Path.Combine(serverDirectory, "data");
            System.IO.Directory.CreateDirectory(dataDir);
            var config = new StringBuilder()
                .AppendLine("tickTime=2000")
                .AppendLine(CultureInfo.InvariantCulture, $"dataDir={dataDir}")
                .AppendLine(CultureInfo.InvariantCulture, $"clientPort={clientPorts[i]}")
                .AppendLine("clientPortAddress=127.0.0.1")
                .AppendLine("forceSync=yes")
                .AppendLine("maxClientCnxns=0")
                .AppendLine("admin.enableServer=false")
                .AppendLine("4lw.commands.whitelist=*");
            if (count > 1)
            {
                // The sample zoo.cfg's initLimit and syncLimit; peers on loopback ports.
                config.AppendLine("initLimit=10").AppendLine("syncLimit=5");
                for (var peer = 0; peer < count; peer++)
                {
                    config.AppendLine(CultureInfo.InvariantCulture, $"server.{peer + 1}=127.0.0.1:{quorumPorts[2 * peer]}:{quorumPorts[(2 * peer) + 1]}");
                }

                await File.WriteAllTextAsync(Path.Combine(dataDir, "myid"), (i + 1).ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            }

            var configPath = Path.Combine(serverDirectory, "zoo.cfg");
            await File.WriteAllTextAsync(configPath, config.ToString(), cancellationToken).ConfigureAwait(false);
            starts.Add(flavor == ServerFlavor.Apache ? ApacheStartInfo(serverDirectory, configPath) : ZkAspireStartInfo(configPath));
        }

        var stopwatch = Stopwatch.StartNew();
        var processes = new List<Process>();
        var cluster = new ServerCluster(flavor, processes, log, clientPorts, directory, TimeSpan.Zero);
        try
        {
            foreach (var start in starts)
            {
                var process = new Process { StartInfo = start, EnableRaisingEvents = true };
                process.OutputDataReceived += (_, e) => Append(e.Data);
                process.ErrorDataReceived += (_, e) => Append(e.Data);
                process.Start();
                processes.Add(process);
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
            }

            // Serving means every server answers (in an ensemble: a leader is elected and the
            // followers have synced with it).
            await Task.WhenAll(clientPorts.Select((port, i) => ProbeUntilServingAsync(port, processes[i], cancellationToken)))
                .WaitAsync(StartTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            var message = $"{flavor} did not serve on ports {string.Join(',', clientPorts)}: {e.Message}\n{cluster.Log}";
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(message, e);
        }

        cluster.ColdStart = stopwatch.Elapsed;
        return cluster;

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (log)
                {
                    log.AppendLine(line);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                }
            }
            catch (InvalidOperationException)
            {
            }
            finally
            {
                process.Dispose();
            }
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Gets the bytes under the data directories, all servers together: whether (and how much) they wrote to disk.</summary>
    public long DataDirectoryBytes() =>
        new DirectoryInfo(Directory).EnumerateDirectories("data", SearchOption.AllDirectories)
            .SelectMany(d => d.EnumerateFiles("*", SearchOption.AllDirectories))
            .Sum(f => f.Length);

    private static ProcessStartInfo ApacheStartInfo(string directory, string configPath)
    {
        if (!ApacheZooKeeper.IsInstalled)
        {
            throw new InvalidOperationException($"Apache ZooKeeper is not installed ({ApacheZooKeeper.ZooKeeperJar}): apt-get install zookeeper");
        }

        // As Debian's zkServer.sh starts it: JAVA_OPTS is empty in /etc/zookeeper/conf/environment,
        // so the JVM's defaults apply (G1, a heap of up to a quarter of the memory).
        var start = new ProcessStartInfo("/usr/bin/java")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add("-Dzookeeper.log.dir=" + directory);
        start.ArgumentList.Add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        start.ArgumentList.Add("-cp");
        start.ArgumentList.Add(ApacheZooKeeper.ZooKeeperJar + ":/usr/share/java/slf4j-simple.jar");
        start.ArgumentList.Add("org.apache.zookeeper.server.quorum.QuorumPeerMain");
        start.ArgumentList.Add(configPath);
        return start;
    }

    private static ProcessStartInfo ZkAspireStartInfo(string configPath)
    {
        if (!File.Exists(ZkAspireProgram))
        {
            throw new InvalidOperationException($"{ZkAspireProgram} is missing: build this project (it references the server program).");
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(ZkAspireProgram);
        start.ArgumentList.Add(configPath);
        return start;
    }

    /// <summary>
    /// Serving means answering a request: connect a session and read <c>/</c>, again and again
    /// every 5 ms until it works. A port that accepts connections is not enough (ZooKeeper listens
    /// before it has loaded its database, and closes connections until then).
    /// </summary>
    private static async Task ProbeUntilServingAsync(int port, Process process, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the process exited with code {process.ExitCode}");
            }

            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await using var connection = await RawZooKeeperConnection.ConnectAsync(port, cancellationToken: attempt.Token).ConfigureAwait(false);
                var call = await connection.CallAsync(OpCode.Exists, new ExistsRequest("/", false), attempt.Token).ConfigureAwait(false);
                if (call.Error == KeeperErrorCode.Ok)
                {
                    await connection.CloseSessionAsync(attempt.Token).ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or InvalidOperationException or OperationCanceledException or ProtocolException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }
}
