// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using ZkAspire.Cli;
using ZkAspire.Client;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Performance;

/// <summary>
/// Runs the comparison. Fairness rules: one client program (our bench, in this process) for both
/// servers; the servers take turns, and the one that goes first swaps with every workload and
/// repetition, so a slow minute on the shared machine does not always fall on the same one; each
/// repetition starts fresh servers; memory and cold start are measured on servers of their own.
/// </summary>
internal sealed class SideBySideRun
{
    internal static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(3);

    private readonly PerformanceOptions _options;
    private readonly TextWriter _log;

    public SideBySideRun(PerformanceOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var root = RepositoryRoot();
        var outputDirectory = _options.OutputDirectory ?? Path.Combine(root, "docs");
        var facts = await MachineFacts.CollectAsync(root).ConfigureAwait(false);
        var program = await ServerProgramAsync(root, cancellationToken).ConfigureAwait(false);
        var loadBefore = MachineFacts.LoadAverage();
        var started = DateTimeOffset.UtcNow;
        Log($"side by side, {_options.Topology}: {_options.Repetitions} repetitions of {string.Join(',', _options.Workloads)}; {facts.Configuration}; zkaspire-server {program.Name} ({program.Path}); load average {loadBefore}");

        var memory = new List<MemorySample>();
        for (var repetition = 1; repetition <= _options.Repetitions; repetition++)
        {
            foreach (var flavor in Order(repetition))
            {
                memory.Add(await MeasureMemoryAsync(flavor, program, repetition, cancellationToken).ConfigureAwait(false));
            }
        }

        var samples = new List<BenchSample>();
        for (var repetition = 1; repetition <= _options.Repetitions; repetition++)
        {
            var clusters = new Dictionary<ServerFlavor, ServerCluster>();
            try
            {
                foreach (var flavor in _options.Servers)
                {
                    clusters[flavor] = await ServerCluster.StartAsync(flavor, _options.Topology, program, cancellationToken).ConfigureAwait(false);
                }

                for (var w = 0; w < _options.Workloads.Count; w++)
                {
                    foreach (var flavor in Order(repetition + w))
                    {
                        var sample = await BenchAsync(clusters[flavor], _options.Workloads[w], repetition, cancellationToken).ConfigureAwait(false);
                        samples.Add(sample);
                        Log(string.Create(
                            CultureInfo.InvariantCulture,
                            $"[{repetition}/{_options.Repetitions}] {sample.Workload,-6} {flavor,-8} {sample.OpsPerSecond,10:N0} ops/s  p50 {sample.P50Ms:0.000} ms  p99 {sample.P99Ms:0.000} ms  p99.9 {sample.P999Ms:0.000} ms  errors {sample.Errors}"));
                    }
                }
            }
            finally
            {
                foreach (var cluster in clusters.Values)
                {
                    await cluster.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        var failovers = new List<FailoverSample>();
        if (_options.Topology == Topology.ThreeNodes && _options.Failovers > 0)
        {
            for (var repetition = 1; repetition <= _options.Repetitions; repetition++)
            {
                foreach (var flavor in Order(repetition))
                {
                    failovers.Add(await FailoverMeasurement.RunAsync(flavor, program, repetition, _options.Failovers, _options.Clients, Log, cancellationToken).ConfigureAwait(false));
                }
            }
        }

        var report = new PerformanceReport(_options, facts, program, started, DateTimeOffset.UtcNow, loadBefore, MachineFacts.LoadAverage(), samples, memory, failovers);
        var written = await report.WriteAsync(outputDirectory, cancellationToken).ConfigureAwait(false);
        foreach (var file in written)
        {
            Log("wrote " + Path.GetRelativePath(root, file));
        }
    }

    /// <summary>
    /// The build measured: by default the native executable, as we ship it, published once per
    /// run into this project's obj/ (incremental after the first time, and never checked in).
    /// </summary>
    private async Task<ZkAspireServerProgram> ServerProgramAsync(string root, CancellationToken cancellationToken)
    {
        if (_options.ServerBuild == ServerBuild.Jit || !_options.Servers.Contains(ServerFlavor.ZkAspire))
        {
            return ZkAspireServerProgram.Jit;
        }

        Log("publishing the native zkaspire-server (dotnet publish src/ZkAspire.Server.Host -c Release -r linux-x64)");
        var program = await ZkAspireServerProgram.PublishNativeAsync(Path.Combine(root, "tests", "ZkAspire.Performance", "obj", "native-server"), cancellationToken).ConfigureAwait(false);
        Log(string.Create(CultureInfo.InvariantCulture, $"published {program.Path} in {program.PublishTime?.TotalSeconds:0} s"));
        return program;
    }

    private IEnumerable<ServerFlavor> Order(int turn) =>
        turn % 2 == 1 ? _options.Servers : _options.Servers.Reverse();

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "ZkAspire.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("cannot find the repository (ZkAspire.sln) above the current directory; pass --out");
    }

    private async Task<BenchSample> BenchAsync(ServerCluster cluster, string workload, int repetition, CancellationToken cancellationToken)
    {
        if (workload == "mutex" && cluster.Flavor == ServerFlavor.Apache)
        {
            // The mutex comparison is each server with its own side's recipe: Curator's
            // InterProcessMutex on Apache ZooKeeper, our InterProcessMutex (bench -w mutex) on ours.
            return BenchSample.Parse(cluster.Flavor, repetition, await CuratorMutexArm.RunAsync(cluster.ConnectString, _options, cluster.Flavor.ToString(), cancellationToken).ConfigureAwait(false));
        }

        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        string[] args =
        [
            "bench", "-server", cluster.ConnectString, "-w", workload,
            "-c", _options.Clients.ToString(CultureInfo.InvariantCulture),
            "-k", _options.InFlight.ToString(CultureInfo.InvariantCulture),
            "-p", _options.PayloadBytes.ToString(CultureInfo.InvariantCulture),
            "--warmup", _options.Warmup, "-d", _options.Duration, "--json", "-q", "--label", cluster.Flavor.ToString(),
        ];
        var exitCode = await ZkAspireCommandLine.RunAsync(args, TextReader.Null, output, error, cancellationToken).ConfigureAwait(false);
        var line = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).SingleOrDefault();
        if (exitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"zkaspire {string.Join(' ', args)} failed with exit code {exitCode}: {error}\nServer log:\n{cluster.Log}");
        }

        return BenchSample.Parse(cluster.Flavor, repetition, line);
    }

    private async Task<MemorySample> MeasureMemoryAsync(ServerFlavor flavor, ZkAspireServerProgram program, int repetition, CancellationToken cancellationToken)
    {
        await using var cluster = await ServerCluster.StartAsync(flavor, _options.Topology, program, cancellationToken).ConfigureAwait(false);
        var pids = cluster.ProcessIds;
        var version = (await FourLetterWordClient.SendAsync(cluster.Ports[0], "srvr", TimeSpan.FromSeconds(10)).ConfigureAwait(false))
            .Split('\n').FirstOrDefault(l => l.StartsWith("Zookeeper version:", StringComparison.Ordinal))?["Zookeeper version:".Length..].Trim()
            .Replace("-${mvngit.commit.id}", string.Empty, StringComparison.Ordinal) ?? "unknown";

        // Sessions as the load has them; idle means connected and doing nothing.
        var clients = new List<ZooKeeperClient>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                clients.Add(await ZooKeeperClient.ConnectAsync(
                    new ZooKeeperClientOptions { ConnectionString = cluster.ConnectString, DefaultData = null },
                    cancellationToken).ConfigureAwait(false));
            }

            await Task.Delay(SettleTime, cancellationToken).ConfigureAwait(false);
            // Per server: the mean over the ensemble's servers (the one server, standalone).
            var idle = (long)pids.Average(ProcessMemory.ResidentBytes);

            var payload = new byte[100];
            Random.Shared.NextBytes(payload);
            await clients[0].CreateAsync("/memory", null, CreateOptions.Persistent, cancellationToken).ConfigureAwait(false);
            var stopwatch = Stopwatch.StartNew();
            const int Window = 1000;
            var inFlight = new List<Task>(Window);
            for (var i = 0; i < _options.Znodes; i++)
            {
                inFlight.Add(clients[i % clients.Count].CreateAsync("/memory/z" + i.ToString("D7", CultureInfo.InvariantCulture), payload, CreateOptions.Persistent, cancellationToken));
                if (inFlight.Count == Window)
                {
                    await Task.WhenAll(inFlight).ConfigureAwait(false);
                    inFlight.Clear();
                }
            }

            await Task.WhenAll(inFlight).ConfigureAwait(false);
            var createSeconds = stopwatch.Elapsed.TotalSeconds;
            await Task.Delay(SettleTime, cancellationToken).ConfigureAwait(false);
            var loaded = (long)pids.Average(ProcessMemory.ResidentBytes);
            var sample = new MemorySample(flavor, repetition, cluster.ColdStart.TotalMilliseconds, idle, loaded, _options.Znodes, createSeconds, cluster.DataDirectoryBytes(), version);
            Log(string.Create(
                CultureInfo.InvariantCulture,
                $"[{repetition}/{_options.Repetitions}] memory {flavor,-8} cold start {sample.ColdStartMs:0} ms, idle {idle / 1048576.0:0.0} MiB, after {_options.Znodes:N0} znodes {loaded / 1048576.0:0.0} MiB (made in {createSeconds:0.0} s), dataDir {sample.DataDirectoryBytes / 1048576.0:0.0} MiB"));
            return sample;
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        }
    }

    private void Log(string line)
    {
        _log.WriteLine(DateTimeOffset.UtcNow.ToString("HH:mm:ss ", CultureInfo.InvariantCulture) + line);
        _log.Flush();
    }
}
