// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Performance;

/// <summary>The side-by-side run's settings, from its command line.</summary>
internal sealed record PerformanceOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/ZkAspire.Performance -- [options]
          --topology T              standalone, or three-node
          --servers S               both, apache or zkaspire (default both)
          --repetitions N           runs of each workload on each server, alternating (default 3)
          --workloads LIST          bench workloads (default create,set,get,mixed,watch,lock)
          --warmup TIME             unmeasured time before each run (default 5s)
          --duration TIME           measured time of each run (default 10s)
          --clients N               sessions (default 8)
          --inflight K              requests in flight per session (default 16)
          --payload BYTES           data size (default 100)
          --znodes N                znodes made for the memory measurement (default 100000)
          --failovers N             three-node: leader kills (kill -9) per fresh ensemble, each timed to the first write (default 3; 0: none)
          --out DIR                 where performance.md and its plots go (default: the repository's docs/)
          --quick                   1 repetition, 1s warm-up, 2s runs, 10000 znodes: to check the tooling
        """;

    public Topology Topology { get; init; } = Topology.Standalone;

    public IReadOnlyList<ServerFlavor> Servers { get; init; } = [ServerFlavor.Apache, ServerFlavor.ZkAspire];

    public int Repetitions { get; init; } = 3;

    public IReadOnlyList<string> Workloads { get; init; } = ["create", "set", "get", "mixed", "watch", "lock"];

    public string Warmup { get; init; } = "5s";

    public string Duration { get; init; } = "10s";

    public int Clients { get; init; } = 8;

    public int InFlight { get; init; } = 16;

    public int PayloadBytes { get; init; } = 100;

    public int Znodes { get; init; } = 100_000;

    public int Failovers { get; init; } = 3;

    public string? OutputDirectory { get; init; }

    public bool Quick { get; init; }

    public static PerformanceOptions Parse(IReadOnlyList<string> args)
    {
        var options = new PerformanceOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"option {name} needs a value");
            options = name switch
            {
                "--topology" => options with
                {
                    Topology = Value() switch
                    {
                        "standalone" => Topology.Standalone,
                        "three-node" or "3" => Topology.ThreeNodes,
                        var t => throw new ArgumentException($"unknown topology '{t}' (standalone, three-node)"),
                    },
                },
                "--servers" => options with
                {
                    Servers = Value() switch
                    {
                        "both" => [ServerFlavor.Apache, ServerFlavor.ZkAspire],
                        "apache" => [ServerFlavor.Apache],
                        "zkaspire" => [ServerFlavor.ZkAspire],
                        var v => throw new ArgumentException($"--servers: '{v}' is not both, apache or zkaspire"),
                    },
                },
                "--repetitions" => options with { Repetitions = Int(name, Value()) },
                "--workloads" => options with { Workloads = Value().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) },
                "--warmup" => options with { Warmup = Value() },
                "--duration" => options with { Duration = Value() },
                "--clients" => options with { Clients = Int(name, Value()) },
                "--inflight" => options with { InFlight = Int(name, Value()) },
                "--payload" => options with { PayloadBytes = Int(name, Value()) },
                "--znodes" => options with { Znodes = Int(name, Value()) },
                "--failovers" => options with { Failovers = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var f) ? f : throw new ArgumentException("--failovers: not a whole number") },
                "--out" => options with { OutputDirectory = Value() },
                "--quick" => options with { Quick = true, Repetitions = 1, Warmup = "1s", Duration = "2s", Znodes = 10_000, Failovers = 1 },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        return options;
    }

    private static int Int(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name}: '{text}' is not a positive whole number");
}

/// <summary>The servers compared, the same for both implementations.</summary>
internal enum Topology
{
    /// <summary>One standalone server.</summary>
    Standalone,

    /// <summary>Three servers in an ensemble.</summary>
    ThreeNodes,
}
