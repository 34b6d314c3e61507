// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Bench;

/// <summary>How a <c>zkaspire bench</c> run is set up: what <see cref="BenchArguments.Parse"/> makes of the command line.</summary>
internal sealed record BenchOptions
{
    /// <summary>Gets the servers and optional chroot; each session connects to one of the servers, in turn.</summary>
    public string ConnectString { get; init; } = "localhost:2181";

    /// <summary>Gets the workloads, run one after another, each with its own warm-up.</summary>
    public IReadOnlyList<BenchWorkload> Workloads { get; init; } = [BenchWorkload.Get];

    /// <summary>Gets the number of sessions (N).</summary>
    public int Clients { get; init; } = 8;

    /// <summary>Gets the number of requests each session keeps in flight (K): a closed loop of N × K.</summary>
    public int InFlight { get; init; } = 16;

    /// <summary>Gets the size of the data written by create and set, and of the znodes read.</summary>
    public int PayloadBytes { get; init; } = 100;

    /// <summary>Gets the number of znodes set and read by set, get and mixed.</summary>
    public int Keys { get; init; } = 1000;

    /// <summary>Gets the share of reads in the mixed workload, from 0 to 1.</summary>
    public double ReadRatio { get; init; } = 0.9;

    /// <summary>Gets the number of locks the lock workload's contenders share.</summary>
    public int Locks { get; init; } = 1;

    /// <summary>Gets how long each workload runs before it is measured (JIT, caches, connection setup).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets how long each workload is measured.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the session timeout asked for.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the znode under which the run works; it is created if missing.</summary>
    public string Path { get; init; } = "/zkaspire-bench";

    /// <summary>Gets whether the results are printed as JSON lines rather than a table.</summary>
    public bool Json { get; init; }

    /// <summary>Gets whether the live progress line on stderr is left out.</summary>
    public bool Quiet { get; init; }

    /// <summary>Gets whether the znodes a run made are left in place.</summary>
    public bool KeepData { get; init; }

    /// <summary>Gets whether a failed operation makes the exit code 1 (for smoke runs in CI).</summary>
    public bool FailOnError { get; init; }

    /// <summary>Gets a label copied into every result (the side-by-side run names the server with it).</summary>
    public string? Label { get; init; }

    /// <summary>
    /// Gets the shell command the failover workload kills the leader with; <c>{host}</c>,
    /// <c>{port}</c>, <c>{index}</c> and <c>{pid}</c> are replaced (<see cref="Failover.FailoverCommand"/>).
    /// </summary>
    public string? KillCommand { get; init; }

    /// <summary>Gets the shell command that brings a killed server back (the same placeholders); needed for more than one round.</summary>
    public string? RestartCommand { get; init; }

    /// <summary>Gets how many times the failover workload kills the leader.</summary>
    public int Rounds { get; init; } = 1;

    /// <summary>Gets how long a failover (or the ensemble's recovery after a restart) may take before the run fails.</summary>
    public TimeSpan FailoverTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
