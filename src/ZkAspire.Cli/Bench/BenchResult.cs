// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Bench;

/// <summary>What one workload measured.</summary>
internal sealed record BenchResult
{
    /// <summary>Gets the workload.</summary>
    public required BenchWorkload Workload { get; init; }

    /// <summary>Gets the run's label, if one was given.</summary>
    public string? Label { get; init; }

    /// <summary>Gets the connect string.</summary>
    public required string ConnectString { get; init; }

    /// <summary>Gets the number of sessions.</summary>
    public required int Clients { get; init; }

    /// <summary>Gets the requests in flight per session.</summary>
    public required int InFlight { get; init; }

    /// <summary>Gets the payload size in bytes.</summary>
    public required int PayloadBytes { get; init; }

    /// <summary>Gets the share of reads (mixed), or null for the other workloads.</summary>
    public double? ReadRatio { get; init; }

    /// <summary>Gets the number of locks (lock), or null for the other workloads.</summary>
    public int? Locks { get; init; }

    /// <summary>Gets how long the measurement lasted.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Gets the operations that succeeded in the measured window.</summary>
    public required long Operations { get; init; }

    /// <summary>Gets the operations that failed in the measured window.</summary>
    public required long Errors { get; init; }

    /// <summary>Gets the failures by kind (a ZooKeeper error code name, or the exception's type).</summary>
    public required IReadOnlyDictionary<string, long> ErrorsByKind { get; init; }

    /// <summary>Gets the latencies of the successful operations, in nanoseconds.</summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>Gets the successful operations per second.</summary>
    public double OperationsPerSecond => Elapsed > TimeSpan.Zero ? Operations / Elapsed.TotalSeconds : 0;
}

/// <summary>Percentiles of a latency histogram, in nanoseconds.</summary>
/// <param name="Min">The smallest.</param>
/// <param name="Mean">The mean.</param>
/// <param name="P50">The median.</param>
/// <param name="P90">The 90th percentile.</param>
/// <param name="P99">The 99th percentile.</param>
/// <param name="P999">The 99.9th percentile.</param>
/// <param name="Max">The largest.</param>
internal sealed record LatencySummary(long Min, double Mean, long P50, long P90, long P99, long P999, long Max)
{
    /// <summary>Summarizes a histogram.</summary>
    /// <param name="histogram">The histogram.</param>
    /// <returns>The summary.</returns>
    public static LatencySummary From(LatencyHistogram histogram) => new(
        histogram.Min,
        histogram.Mean,
        histogram.ValueAtPercentile(50),
        histogram.ValueAtPercentile(90),
        histogram.ValueAtPercentile(99),
        histogram.ValueAtPercentile(99.9),
        histogram.Max);
}
