// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Bench;

/// <summary>The command line of <c>zkaspire bench</c>.</summary>
internal static class BenchArguments
{
    /// <summary>The usage text, printed for <c>--help</c> and after a bad argument.</summary>
    public const string Usage = """
        Usage: zkaspire bench [options]
          -server, --server host:port[,host:port...][/chroot]
                                   servers to load (default localhost:2181); sessions are spread
                                   over them in turn, session i on server i mod count
          -w, --workload LIST      create,set,get,mixed,watch,lock,mutex,failover, comma-separated;
                                   run in that order, each with its own warm-up (default get)
          -c, --clients N          sessions (default 8)
          -k, --inflight K         requests each session keeps in flight: a closed loop of N x K (default 16)
          -p, --payload BYTES      data size for create, set and the znodes read (default 100)
              --keys N             znodes set and read by set, get and mixed (default 1000)
              --read-ratio R       share of reads in mixed, 0 to 1 (default 0.9)
              --locks N            locks the lock and mutex workloads' contenders share (default 1)
              --warmup TIME        unmeasured time before each workload (default 5s)
          -d, --duration TIME      measured time of each workload (default 10s)
              --session-timeout TIME  (default 30s)
              --path PATH          znode the run works under (default /zkaspire-bench)
              --json               print results as JSON lines instead of a table
              --label TEXT         copied into every result
          -q, --quiet              no progress line on stderr
              --keep               leave the znodes the run made
              --fail-on-error      exit with 1 when any operation failed (smoke runs)
        Failover (kill the leader, time until the first write and until a new leader answers srvr;
        -c sessions write, each on the whole connect string, which must list every server):
              --kill-command CMD   /bin/sh command that kills the leader, e.g. "kill -9 {pid}";
                                   {host} {port} the leader's client address, {index} its place in
                                   the connect string (from 1), {pid} the process listening on
                                   {port} (this machine only)
              --restart-command CMD  brings the killed server back (same placeholders); then the
                                   run waits until every server serves again
              --rounds N           kills, one after another (default 1; more need --restart-command)
              --failover-timeout TIME  limit for each failover and each recovery (default 60s)
        TIME is a number of seconds, or a number with ms, s or m: 500ms, 10s, 2m.
        Exit codes: 0 done (failed operations are counted and reported), 1 a workload could not run
        (no connection, setup failed) or, with --fail-on-error, an operation failed; 2 bad arguments.
        See docs/performance.md.
        """;

    /// <summary>Parses the arguments after <c>bench</c>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="help">Set when the arguments ask for the usage.</param>
    /// <returns>The options.</returns>
    /// <exception cref="BenchArgumentException">An argument is unknown, missing its value, or out of range.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args, out bool help)
    {
        ArgumentNullException.ThrowIfNull(args);
        help = false;
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? attached = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                attached = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            string Value()
            {
                if (attached is not null)
                {
                    return attached;
                }

                if (i + 1 >= args.Count)
                {
                    throw new BenchArgumentException($"option {arg} needs a value");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "-h" or "--help" or "-?":
                    help = true;
                    return options;
                case "-server" or "--server":
                    options = options with { ConnectString = ConnectString(Value()) };
                    break;
                case "-w" or "--workload" or "--workloads":
                    options = options with { Workloads = Workloads(Value()) };
                    break;
                case "-c" or "--clients":
                    options = options with { Clients = Int(arg, Value(), 1, 10_000) };
                    break;
                case "-k" or "--inflight" or "--in-flight":
                    options = options with { InFlight = Int(arg, Value(), 1, 10_000) };
                    break;
                case "-p" or "--payload":
                    options = options with { PayloadBytes = Int(arg, Value(), 0, JuteLimits.DefaultMaxBuffer - 1024) };
                    break;
                case "--keys":
                    options = options with { Keys = Int(arg, Value(), 1, 10_000_000) };
                    break;
                case "--locks":
                    options = options with { Locks = Int(arg, Value(), 1, 100_000) };
                    break;
                case "--read-ratio":
                    options = options with { ReadRatio = Ratio(arg, Value()) };
                    break;
                case "--warmup":
                    options = options with { Warmup = Time(arg, Value(), allowZero: true) };
                    break;
                case "-d" or "--duration":
                    options = options with { Duration = Time(arg, Value(), allowZero: false) };
                    break;
                case "--session-timeout":
                    options = options with { SessionTimeout = Time(arg, Value(), allowZero: false) };
                    break;
                case "--path":
                    options = options with { Path = BenchPath(Value()) };
                    break;
                case "--label":
                    options = options with { Label = Value() };
                    break;
                case "--json":
                    options = options with { Json = true };
                    break;
                case "-q" or "--quiet":
                    options = options with { Quiet = true };
                    break;
                case "--keep":
                    options = options with { KeepData = true };
                    break;
                case "--fail-on-error":
                    options = options with { FailOnError = true };
                    break;
                case "--kill-command":
                    options = options with { KillCommand = Failover.FailoverCommand.Validate(arg, Value()) };
                    break;
                case "--restart-command":
                    options = options with { RestartCommand = Failover.FailoverCommand.Validate(arg, Value()) };
                    break;
                case "--rounds":
                    options = options with { Rounds = Int(arg, Value(), 1, 1000) };
                    break;
                case "--failover-timeout":
                    options = options with { FailoverTimeout = Time(arg, Value(), allowZero: false) };
                    break;
                default:
                    throw new BenchArgumentException(arg.StartsWith('-') ? $"unknown option {arg}" : $"unexpected argument '{arg}'");
            }

            if (attached is not null && arg is "--json" or "--quiet" or "--keep" or "--fail-on-error")
            {
                throw new BenchArgumentException($"option {arg} takes no value");
            }
        }

        if (options.Workloads.Contains(BenchWorkload.Watch) && options.Clients < 2)
        {
            throw new BenchArgumentException("the watch workload needs at least 2 clients: one sets, another watches");
        }

        if (options.Workloads.Contains(BenchWorkload.Failover))
        {
            if (options.KillCommand is null)
            {
                throw new BenchArgumentException("the failover workload needs --kill-command, e.g. --kill-command 'kill -9 {pid}'");
            }

            if (options.Rounds > 1 && options.RestartCommand is null)
            {
                throw new BenchArgumentException("--rounds above 1 needs --restart-command to bring the killed server back between rounds");
            }
        }
        else if (options.KillCommand is not null || options.RestartCommand is not null)
        {
            throw new BenchArgumentException("--kill-command and --restart-command are for the failover workload (-w failover)");
        }

        return options;
    }

    /// <summary>Parses a time: seconds, or a number with <c>ms</c>, <c>s</c> or <c>m</c>.</summary>
    internal static TimeSpan Time(string option, string text, bool allowZero)
    {
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 1.0),
            _ when text.EndsWith('s') => (text[..^1], 1000.0),
            _ when text.EndsWith('m') => (text[..^1], 60_000.0),
            _ => (text, 1000.0),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || double.IsNaN(value) || value * scale > TimeSpan.FromDays(1).TotalMilliseconds)
        {
            throw new BenchArgumentException($"{option}: '{text}' is not a time (seconds, or a number with ms, s or m, up to a day)");
        }

        if (value == 0 && !allowZero)
        {
            throw new BenchArgumentException($"{option} must be more than 0");
        }

        return TimeSpan.FromMilliseconds(value * scale);
    }

    private static string ConnectString(string text)
    {
        try
        {
            ZooKeeperConnectionString.Parse(text);
            return text;
        }
        catch (ArgumentException e)
        {
            throw new BenchArgumentException("-server: " + e.Message);
        }
    }

    private static IReadOnlyList<BenchWorkload> Workloads(string text)
    {
        var workloads = new List<BenchWorkload>();
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries))
        {
            workloads.Add(name switch
            {
                "create" => BenchWorkload.Create,
                "set" => BenchWorkload.Set,
                "get" => BenchWorkload.Get,
                "mixed" => BenchWorkload.Mixed,
                "watch" => BenchWorkload.Watch,
                "lock" => BenchWorkload.Lock,
                "mutex" => BenchWorkload.Mutex,
                "failover" => BenchWorkload.Failover,
                _ => throw new BenchArgumentException($"--workload: unknown workload '{name}' (create, set, get, mixed, watch, lock, mutex, failover)"),
            });
        }

        return workloads;
    }

    private static int Int(string option, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new BenchArgumentException(string.Create(CultureInfo.InvariantCulture, $"{option}: '{text}' is not a whole number from {min} to {max}"));
        }

        return value;
    }

    private static double Ratio(string option, string text)
    {
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 1)
        {
            throw new BenchArgumentException($"{option}: '{text}' is not a ratio from 0 to 1");
        }

        return value;
    }

    private static string BenchPath(string text)
    {
        if (PathUtils.Validate(text) is { } reason)
        {
            throw new BenchArgumentException($"--path: '{text}' is not a valid znode path: {reason}");
        }

        if (text == "/" || text == "/zookeeper" || text.StartsWith("/zookeeper/", StringComparison.Ordinal))
        {
            throw new BenchArgumentException($"--path: '{text}' is not a path the run may work under (it deletes what it makes there)");
        }

        return text;
    }
}
