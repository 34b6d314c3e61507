// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Bench.Failover;

/// <summary>One kill of the leader and what followed it.</summary>
internal sealed record FailoverRound
{
    /// <summary>Gets the round, from 1.</summary>
    public required int Round { get; init; }

    /// <summary>Gets the leader that was killed.</summary>
    public required FailoverServer Killed { get; init; }

    /// <summary>Gets the server that answered <c>srvr</c> as leader first after the kill; null if none did in time.</summary>
    public FailoverServer? NewLeader { get; init; }

    /// <summary>Gets the time from the kill to the first write acknowledged to any writer session.</summary>
    public required TimeSpan FirstWrite { get; init; }

    /// <summary>Gets the time from the kill until every writer session had a write acknowledged.</summary>
    public required TimeSpan AllWriters { get; init; }

    /// <summary>Gets the time from the kill until a surviving server answered <c>srvr</c> with <c>Mode: leader</c>; null if none did in time.</summary>
    public TimeSpan? Election { get; init; }

    /// <summary>Gets how long the kill command (or the harness's kill) took; the measurement starts when it returns.</summary>
    public required TimeSpan KillCommand { get; init; }

    /// <summary>Gets the writes that failed (or timed out) before succeeding.</summary>
    public required long Errors { get; init; }

    /// <summary>Gets the failed writes by kind.</summary>
    public required IReadOnlyDictionary<string, long> ErrorsByKind { get; init; }
}

/// <summary>What the failover workload measured.</summary>
internal sealed record FailoverResult
{
    /// <summary>Gets the run's label, if one was given.</summary>
    public string? Label { get; init; }

    /// <summary>Gets the connect string.</summary>
    public required string ConnectString { get; init; }

    /// <summary>Gets the number of writer sessions.</summary>
    public required int Clients { get; init; }

    /// <summary>Gets the rounds, in order.</summary>
    public required IReadOnlyList<FailoverRound> Rounds { get; init; }
}
