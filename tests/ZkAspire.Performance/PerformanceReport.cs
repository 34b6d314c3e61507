// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Performance;

/// <summary>
/// Writes the results: a section of docs/performance.md between markers of its own (the rest of
/// the page is written by people and kept), two SVG plots, and the raw JSON lines.
/// </summary>
internal sealed class PerformanceReport
{
    private const string ApacheColor = "#e08a2c";
    private const string OursColor = "#2f6db5";
    private const double IdleMemoryTargetMiB = 40;

    private static readonly string[] Percentiles = ["p50", "p90", "p99", "p99.9"];

    private readonly PerformanceOptions _options;
    private readonly MachineFacts _facts;
    private readonly ZkAspireServerProgram _program;
    private readonly DateTimeOffset _started;
    private readonly DateTimeOffset _finished;
    private readonly string _loadBefore;
    private readonly string _loadAfter;
    private readonly IReadOnlyList<BenchSample> _samples;
    private readonly IReadOnlyList<MemorySample> _memory;
    private readonly IReadOnlyList<FailoverSample> _failovers;

    public PerformanceReport(
        PerformanceOptions options,
        MachineFacts facts,
        ZkAspireServerProgram program,
        DateTimeOffset started,
        DateTimeOffset finished,
        string loadBefore,
        string loadAfter,
        IReadOnlyList<BenchSample> samples,
        IReadOnlyList<MemorySample> memory,
        IReadOnlyList<FailoverSample> failovers)
    {
        _options = options;
        _facts = facts;
        _program = program;
        _started = started;
        _finished = finished;
        _loadBefore = loadBefore;
        _loadAfter = loadAfter;
        _samples = samples;
        _memory = memory;
        _failovers = failovers;
    }

    // Issue 8: standalone throughput at least 1.5× Apache ZooKeeper's; three nodes at least 2×.
    private double ThroughputTarget => _options.Topology == Topology.Standalone ? 1.5 : 2.0;

    private string TopologyName => _options.Topology == Topology.Standalone ? "standalone" : "three-node";

    public async Task<IReadOnlyList<string>> WriteAsync(string docsDirectory, CancellationToken cancellationToken)
    {
        var plots = Path.Combine(docsDirectory, "performance");
        Directory.CreateDirectory(plots);
        var throughputFile = Path.Combine(plots, TopologyName + "-throughput.svg");
        var latencyFile = Path.Combine(plots, TopologyName + "-latency.svg");
        var rawFile = Path.Combine(plots, TopologyName + "-runs.jsonl");
        var page = Path.Combine(docsDirectory, "performance.md");

        await File.WriteAllTextAsync(throughputFile, ThroughputChart().Render(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(latencyFile, LatencyChart().Render(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllLinesAsync(rawFile, _samples.Select(s => s.Json).Concat(_memory.Select(MemoryJson)).Concat(_failovers.SelectMany(f => f.Json.Prepend(ColdStartJson(f)))), cancellationToken).ConfigureAwait(false);

        var begin = $"<!-- BEGIN generated: side by side, {TopologyName} (tests/ZkAspire.Performance) -->";
        var end = $"<!-- END generated: side by side, {TopologyName} -->";
        var section = begin + "\n" + Section() + end;
        var text = File.Exists(page) ? await File.ReadAllTextAsync(page, cancellationToken).ConfigureAwait(false) : "# Performance\n\n";
        var from = text.IndexOf(begin, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        text = from >= 0 && to > from
            ? string.Concat(text.AsSpan(0, from), section, text.AsSpan(to + end.Length))
            : text.TrimEnd() + "\n\n" + section + "\n";
        await File.WriteAllTextAsync(page, text, cancellationToken).ConfigureAwait(false);
        return [page, throughputFile, latencyFile, rawFile];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value) => double.IsNaN(value) ? "n/a" : value.ToString(value >= 100 ? "N0" : value >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    private static string Ms(double value) => double.IsNaN(value) ? "n/a" : value.ToString(value >= 10 ? "0.0" : value >= 1 ? "0.00" : "0.000", CultureInfo.InvariantCulture);

    private static string Cell(Spread spread, Func<double, string> format) =>
        spread.Count <= 1 ? format(spread.Median) : $"{format(spread.Median)} ({format(spread.Min)}–{format(spread.Max)})";

    private static string Verdict(double ours, double limit) => double.IsNaN(ours) ? "n/a" : ours < limit ? "met" : Invariant($"missed by {ours / limit:0.00}×");

    private static string Ratio(double ours, double theirs) => theirs > 0 && !double.IsNaN(ours) ? Invariant($"{ours / theirs:0.00}×") : "n/a";

    private static string MemoryJson(MemorySample m) => Invariant(
        $"{{\"memory\":\"{m.Flavor}\",\"repetition\":{m.Repetition},\"coldStartMs\":{m.ColdStartMs:0.0},\"idleRssBytes\":{m.IdleRssBytes},\"loadedRssBytes\":{m.LoadedRssBytes},\"znodes\":{m.Znodes},\"createSeconds\":{m.CreateSeconds:0.000},\"dataDirBytes\":{m.DataDirectoryBytes}}}");

    private static string ColdStartJson(FailoverSample f) => Invariant(
        $"{{\"coldStart\":\"{f.Flavor}\",\"repetition\":{f.Repetition},\"coldStartToWriteMs\":{f.ColdStartMs:0.0}}}");

    private Spread Of(ServerFlavor flavor, string workload, Func<BenchSample, double> value) =>
        Spread.Of(_samples.Where(s => s.Flavor == flavor && s.Workload == workload).Select(value));

    private Spread Of(ServerFlavor flavor, Func<MemorySample, double> value) =>
        Spread.Of(_memory.Where(m => m.Flavor == flavor).Select(value));

    private SvgChart ThroughputChart()
    {
        var chart = new SvgChart(
            $"Throughput, {TopologyName}: ZkAspire and Apache ZooKeeper 3.8",
            Invariant($"ops/s, median of {_options.Repetitions} runs (whiskers: range); {_options.Clients} sessions × {_options.InFlight} in flight, {_options.PayloadBytes}-byte data; servers and load on one {_facts.Cores}-core machine"),
            [("Apache ZooKeeper", ApacheColor), ("ZkAspire", OursColor)],
            logScale: false,
            unit: "ops/s");
        foreach (var workload in _options.Workloads)
        {
            var apache = Of(ServerFlavor.Apache, workload, s => s.OpsPerSecond);
            var ours = Of(ServerFlavor.ZkAspire, workload, s => s.OpsPerSecond);
            chart.AddPanel(WorkloadTitle(workload), "ZkAspire / Apache: " + Ratio(ours.Median, apache.Median), [string.Empty], [[apache], [ours]]);
        }

        return chart;
    }

    private SvgChart LatencyChart()
    {
        var chart = new SvgChart(
            $"Latency percentiles, {TopologyName}: ZkAspire and Apache ZooKeeper 3.8",
            Invariant($"ms, log scale, median of {_options.Repetitions} runs (whiskers: range); lower is better; the same closed loop as the throughput plot"),
            [("Apache ZooKeeper", ApacheColor), ("ZkAspire", OursColor)],
            logScale: true,
            unit: "ms");
        foreach (var workload in _options.Workloads)
        {
            Func<BenchSample, double>[] pick = [s => s.P50Ms, s => s.P90Ms, s => s.P99Ms, s => s.P999Ms];
            var apache = pick.Select(p => Of(ServerFlavor.Apache, workload, p)).ToArray();
            var ours = pick.Select(p => Of(ServerFlavor.ZkAspire, workload, p)).ToArray();
            chart.AddPanel(WorkloadTitle(workload), "p99 ZkAspire / Apache: " + Ratio(ours[2].Median, apache[2].Median), Percentiles, [apache, ours]);
        }

        return chart;
    }

    /// <summary>
    /// Why a row has no throughput target, or <see langword="null"/> when it has one. Standalone,
    /// the issue asks 1.5× of every workload; on three nodes it names create, set, get and
    /// mixed-90, the mutex against Curator's, and for the watch the notification p50 (the latency
    /// table), so the bench's own lock and the watch's ops/s are shown without a verdict.
    /// </summary>
    private string? ThroughputTargetNote(string workload) => _options.Topology == Topology.Standalone ? null : workload switch
    {
        "lock" => "none (the lock target is the mutex row)",
        "watch" => "none (its target is the p50 below)",
        _ => null,
    };

    private string WorkloadTitle(string workload) => workload switch
    {
        "mixed" => "mixed (90% reads)",
        "watch" => "watch (set → event)",
        "lock" => "lock (bench's own lock, both sides)",
        "mutex" => "mutex (Curator's / our recipe's)",
        _ => workload,
    };

    /// <summary>What the two lock rows are: the issue's lock target compares the recipes, not the bench's own lock.</summary>
    private string LockNote()
    {
        var notes = new List<string>();
        if (_options.Workloads.Contains("lock"))
        {
            notes.Add("**lock** is the bench's own minimal lock (ephemeral-sequential znode, watch on the predecessor) on both servers");
        }

        if (_options.Workloads.Contains("mutex"))
        {
            notes.Add("**mutex** is each side's recipe, the issue's lock target: Curator 5.4's `InterProcessMutex` (Java, Debian's jars, `Java/CuratorMutexBench.java`: the same sessions × contenders, each contender a thread with its own mutex) on Apache ZooKeeper, our `ZkAspire.Recipes` `InterProcessMutex` (`zkaspire bench -w mutex`) on ZkAspire; acquisitions per second, latency = time to acquire");
        }

        return notes.Count == 0 ? string.Empty : "\n  " + string.Join(";\n  ", notes) + ".";
    }

    // The bench process's socket completions (the servers keep the runtime's default).
    private static string InlineNote() =>
        Environment.GetEnvironmentVariable(ZkAspire.Cli.InlineSocketCompletions.Variable) == "1"
            ? " with its socket completions on the epoll thread (`DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1`, as the `zkaspire` program sets it; the servers keep the runtime's default)"
            : " with the runtime's default socket completions (on the thread pool)";

    // Which build was measured: the native executable we ship, or the JIT dll (--server-build jit).
    private string ServerBuildNote() => _program.IsNative
        ? "`zkaspire-server` published as native AOT (`dotnet publish src/ZkAspire.Server.Host -c Release -r linux-x64`), as we ship it."
        : Invariant($"`zkaspire-server.dll` on {_facts.DotNet} (JIT, tiered compilation with dynamic PGO: `--server-build jit`).");

    private string Section()
    {
        var md = new StringBuilder();
        var oursRan = _options.Servers.Contains(ServerFlavor.ZkAspire);
        var durable = _memory.Where(m => m.Flavor == ServerFlavor.ZkAspire).Select(m => m.DataDirectoryBytes).DefaultIfEmpty(0).Max() > 0;
        var apacheVersion = _memory.FirstOrDefault(m => m.Flavor == ServerFlavor.Apache)?.Version ?? "unknown";
        var oursVersion = _memory.FirstOrDefault(m => m.Flavor == ServerFlavor.ZkAspire)?.Version ?? "unknown";
        md.Append(Invariant($"""
            ## Side by side: {TopologyName}

            Generated by `dotnet run -c Release --project tests/ZkAspire.Performance{(_options.Arguments.Length > 0 ? " -- " + _options.Arguments : string.Empty)}` on {_started:yyyy-MM-dd HH:mm} UTC
            ({(_finished - _started).TotalMinutes:0} minutes). Do not edit between the markers: the next run rewrites it.

            - **Machine**: {_facts.Cpu}, {_facts.Cores} cores, {_facts.Memory}; {_facts.OperatingSystem}, Linux {_facts.Kernel}.
              Servers and load generator on the same {_facts.Cores} cores. **The machine was shared** with other work
              (load average {_loadBefore} before, {_loadAfter} after): read the ranges, not only the medians.
            - **Apache ZooKeeper** {apacheVersion}: Debian's package on {_facts.Java}, started as Debian's
              zkServer.sh starts it (no JVM options: the JVM's default heap and G1).
            - **ZkAspire** {oursVersion}: commit {_facts.Commit}, {_facts.Configuration}, {ServerBuildNote()}
              {(!oursRan
                  ? "**Not run this time** (`--servers apache`): its columns say n/a."
                  : durable
                  ? "Durable: every txn is in its txn log, fsynced (forceSync=yes), before the reply, as in ZooKeeper."
                  : "**In memory: this build writes nothing to its dataDir (durability is not merged yet), while Apache ZooKeeper fsyncs every write. Write numbers are not a like-for-like comparison.**")}
            - **Both**: {(_options.Topology == Topology.Standalone ? "one standalone server" : "three servers in an ensemble (initLimit=10, syncLimit=5), sessions spread over them")}, tickTime=2000, forceSync=yes, dataDir on {_facts.TempFileSystem}, loopback.
            - **Load**: `zkaspire bench` (this repository's client) in one process{InlineNote()}, {_options.Clients} sessions × {_options.InFlight}
              requests in flight (closed loop), {_options.PayloadBytes}-byte data, {_options.Warmup} warm-up then {_options.Duration} measured per run;
              {_options.Repetitions} repetitions on fresh servers, the servers taking turns (who goes first alternates).
              Throughput is ops/s; latency percentiles are per operation, in milliseconds; "median (min–max)" over the repetitions.{LockNote()}

            ![Throughput]({"performance/" + TopologyName}-throughput.svg)

            ![Latency percentiles]({"performance/" + TopologyName}-latency.svg)

            ### Throughput (ops/s)

            | workload | Apache ZooKeeper | ZkAspire | ZkAspire / Apache | target ≥ {ThroughputTarget:0.0}× |
            | --- | ---: | ---: | ---: | --- |

            """));
        foreach (var workload in _options.Workloads)
        {
            var apache = Of(ServerFlavor.Apache, workload, s => s.OpsPerSecond);
            var ours = Of(ServerFlavor.ZkAspire, workload, s => s.OpsPerSecond);
            var ratio = ours.Median / apache.Median;
            var verdict = ThroughputTargetNote(workload) is { } none ? none
                : double.IsNaN(ratio) ? "n/a" : ratio >= ThroughputTarget ? "met" : Invariant($"missed by {ThroughputTarget / ratio:0.00}×");
            md.Append(Invariant($"| {WorkloadTitle(workload)} | {Cell(apache, Number)} | {Cell(ours, Number)} | {Ratio(ours.Median, apache.Median)} | {verdict} |\n"));
        }

        md.Append("""

            ### Latency (ms, median over the repetitions)

            | workload | p50 Apache | p50 ZkAspire | p99 Apache | p99 ZkAspire | p99.9 Apache | p99.9 ZkAspire | p99 ZkAspire / Apache |
            | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |

            """);
        foreach (var workload in _options.Workloads)
        {
            var a50 = Of(ServerFlavor.Apache, workload, s => s.P50Ms).Median;
            var o50 = Of(ServerFlavor.ZkAspire, workload, s => s.P50Ms).Median;
            var a99 = Of(ServerFlavor.Apache, workload, s => s.P99Ms).Median;
            var o99 = Of(ServerFlavor.ZkAspire, workload, s => s.P99Ms).Median;
            var a999 = Of(ServerFlavor.Apache, workload, s => s.P999Ms).Median;
            var o999 = Of(ServerFlavor.ZkAspire, workload, s => s.P999Ms).Median;
            md.Append(Invariant($"| {WorkloadTitle(workload)} | {Ms(a50)} | {Ms(o50)} | {Ms(a99)} | {Ms(o99)} | {Ms(a999)} | {Ms(o999)} | {Ratio(o99, a99)} |\n"));
        }

        var errors = _samples.Where(s => s.Errors > 0).ToList();
        md.Append('\n');
        md.Append(errors.Count == 0
            ? "No operation failed in any run.\n"
            : "Failed operations: " + string.Join("; ", errors.Select(e => Invariant($"{e.Flavor} {e.Workload} run {e.Repetition}: {e.Errors} {e.ErrorsByKind}"))) + ".\n");

        var apacheIdle = Of(ServerFlavor.Apache, m => m.IdleRssBytes / 1048576.0);
        var oursIdle = Of(ServerFlavor.ZkAspire, m => m.IdleRssBytes / 1048576.0);
        var apacheLoaded = Of(ServerFlavor.Apache, m => m.LoadedRssBytes / 1048576.0);
        var oursLoaded = Of(ServerFlavor.ZkAspire, m => m.LoadedRssBytes / 1048576.0);
        var apacheStart = Of(ServerFlavor.Apache, m => m.ColdStartMs);
        var oursStart = Of(ServerFlavor.ZkAspire, m => m.ColdStartMs);
        var apacheCreate = Of(ServerFlavor.Apache, m => m.Znodes / m.CreateSeconds);
        var oursCreate = Of(ServerFlavor.ZkAspire, m => m.Znodes / m.CreateSeconds);
        var apacheDisk = Of(ServerFlavor.Apache, m => m.DataDirectoryBytes / 1048576.0);
        var oursDisk = Of(ServerFlavor.ZkAspire, m => m.DataDirectoryBytes / 1048576.0);
        var znodes = _options.Znodes;
        md.Append(Invariant($"""

            ### Memory and cold start

            Fresh servers, {_options.Repetitions} of each, taking turns. Resident memory (VmRSS, per server: the mean over the servers) with 8 idle sessions connected, then
            after {znodes:N0} znodes of 100 bytes were made (8 sessions, 1,000 creates in flight), each read {SideBySideRun.SettleTime.TotalSeconds:0} s after
            the load stopped. Cold start: from starting the process to the first answered request (a session and an exists of `/`,
            tried every 5 ms).

            | | Apache ZooKeeper | ZkAspire | ZkAspire / Apache | target |
            | --- | ---: | ---: | ---: | --- |
            | idle RSS (MiB) | {Cell(apacheIdle, Number)} | {Cell(oursIdle, Number)} | {Ratio(oursIdle.Median, apacheIdle.Median)} | ≤ {IdleMemoryTargetMiB:0} MiB: {(double.IsNaN(oursIdle.Median) ? "n/a" : oursIdle.Median <= IdleMemoryTargetMiB ? "met" : "missed")} |
            | RSS after {znodes:N0} znodes (MiB) | {Cell(apacheLoaded, Number)} | {Cell(oursLoaded, Number)} | {Ratio(oursLoaded.Median, apacheLoaded.Median)} | ≤ 0.5×: {(double.IsNaN(oursLoaded.Median / apacheLoaded.Median) ? "n/a" : oursLoaded.Median <= apacheLoaded.Median / 2 ? "met" : "missed")} |
            | cold start to serving (ms) | {Cell(apacheStart, Number)} | {Cell(oursStart, Number)} | {Ratio(oursStart.Median, apacheStart.Median)} | (three nodes: < 500 ms) |
            | making the {znodes:N0} znodes (creates/s) | {Cell(apacheCreate, Number)} | {Cell(oursCreate, Number)} | {Ratio(oursCreate.Median, apacheCreate.Median)} | |
            | dataDir after them (MiB) | {Cell(apacheDisk, Number)} | {Cell(oursDisk, Number)} | | |

            """));
        if (_failovers.Count > 0)
        {
            var apacheCold = Spread.Of(_failovers.Where(f => f.Flavor == ServerFlavor.Apache).Select(f => f.ColdStartMs));
            var oursCold = Spread.Of(_failovers.Where(f => f.Flavor == ServerFlavor.ZkAspire).Select(f => f.ColdStartMs));
            var apacheFailover = Spread.Of(_failovers.Where(f => f.Flavor == ServerFlavor.Apache).SelectMany(f => f.FailoverMs));
            var oursFailover = Spread.Of(_failovers.Where(f => f.Flavor == ServerFlavor.ZkAspire).SelectMany(f => f.FailoverMs));
            var apacheElection = Spread.Of(_failovers.Where(f => f.Flavor == ServerFlavor.Apache).SelectMany(f => f.ElectionMs).Where(ms => !double.IsNaN(ms)));
            var oursElection = Spread.Of(_failovers.Where(f => f.Flavor == ServerFlavor.ZkAspire).SelectMany(f => f.ElectionMs).Where(ms => !double.IsNaN(ms)));
            md.Append(Invariant($"""

                ### Failover and ensemble cold start

                Fresh ensembles, {_options.Repetitions} of each, taking turns. Cold start: from starting the three processes
                to the first acknowledged create (probes on raw connections to every server at once, a new session and a
                create every 5 ms per server). Failover: `zkaspire bench -w failover` (its code, driven by this harness),
                {_options.Failovers} times per ensemble: from kill -9 of the leader (found by `srvr`; timed from the moment the
                process is gone) to the first write acknowledged to our client ({_options.Clients} sessions, each on the whole
                connect string, each setting its znode every 5 ms until it succeeds: the client's reconnect is part of the
                time), and to the first survivor answering `srvr` as leader (asked every 5 ms); the killed server is
                restarted on its ports and dataDir and the ensemble serves whole again before the next kill.
                "median (min–max)" over every kill.

                | | Apache ZooKeeper | ZkAspire | ZkAspire / Apache | target |
                | --- | ---: | ---: | ---: | --- |
                | cold start to the first write (ms) | {Cell(apacheCold, Number)} | {Cell(oursCold, Number)} | {Ratio(oursCold.Median, apacheCold.Median)} | < 500 ms: {Verdict(oursCold.Median, 500)} |
                | leader failover to the first write, our client (ms) | {Cell(apacheFailover, Number)} | {Cell(oursFailover, Number)} | {Ratio(oursFailover.Median, apacheFailover.Median)} | < 500 ms: {Verdict(oursFailover.Median, 500)} |
                | kill to a new leader answering `srvr` (ms) | {Cell(apacheElection, Number)} | {Cell(oursElection, Number)} | {Ratio(oursElection.Median, apacheElection.Median)} | < 300 ms: {Verdict(oursElection.Median, 300)} |

                """));
        }

        md.Append(Invariant($"""

            Raw results, one JSON line per run: [performance/{TopologyName}-runs.jsonl](performance/{TopologyName}-runs.jsonl).

            """));
        return md.ToString();
    }
}
