// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Simulation.Tests;

/// <summary>What one simulation run does: the ensemble, the clients, and how hostile the world is.</summary>
internal sealed class SimulationOptions
{
    public int Seed { get; init; }

    public int Servers { get; init; } = 3;

    public int Observers { get; init; }

    public int Clients { get; init; } = 4;

    public int Keys { get; init; } = 3;

    /// <summary>Gets how long the faulty part of the run lasts, in virtual milliseconds.</summary>
    public long FaultyMs { get; init; } = 20_000;

    /// <summary>Gets how long the run goes on after every fault is healed, for the ensemble to recover and agree.</summary>
    public long CalmMs { get; init; } = 8_000;

    public bool Faults { get; init; } = true;

    public int TickTimeMs { get; init; } = 100;

    public double LossProbability { get; init; } = 0.001;

    public double DuplicateProbability { get; init; } = 0.002;

    public int MaxDelayMs { get; init; } = 8;

    /// <summary>Gets the chance that a message is held much longer (reordered behind many others).</summary>
    public double SlowMessageProbability { get; init; } = 0.002;

    public double CrashesPerSecond { get; init; } = 0.15;

    public double PausesPerSecond { get; init; } = 0.1;

    public double PartitionsPerSecond { get; init; } = 0.15;

    public double LinkResetsPerSecond { get; init; } = 0.2;

    public double ClientResetsPerSecond { get; init; } = 0.2;

    public double SnapshotsPerSecond { get; init; } = 0.3;

    /// <summary>Gets how many applied txns a peer keeps for DIFF (small, so that SNAP happens).</summary>
    public int MaxRetainedTxns { get; init; } = 40;

    public int MaxDiskLatencyMs { get; init; } = 4;

    public double DiskStallProbability { get; init; } = 0.05;

    /// <summary>Gets the chance that a crash takes a second server down with it (a rack, a power cut).</summary>
    public double CorrelatedCrashProbability { get; init; } = 0.3;
}
