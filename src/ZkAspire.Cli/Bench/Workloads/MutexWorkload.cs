// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using ZkAspire.Client;
using ZkAspire.Recipes.Locks;

namespace ZkAspire.Cli.Bench.Workloads;

/// <summary>
/// Acquire and release our recipe's mutex (<see cref="InterProcessMutex"/>, Curator's
/// <c>InterProcessMutex</c> with its node layout: protected ephemeral-sequential nodes under a
/// container) under contention: every slot is a contender with a mutex of its own on the lock
/// path its session shares with the others (slot i on lock i mod <see cref="BenchOptions.Locks"/>),
/// as every thread of a Curator process would use its own <c>InterProcessMutex</c>. The latency is
/// the time to acquire, waiting included; each acquisition is one operation. The side-by-side run
/// compares it with Curator's mutex on Apache ZooKeeper (docs/performance.md).
/// </summary>
internal sealed class MutexWorkload : WorkloadDriver
{
    private InterProcessMutex[] _mutexes = [];

    /// <summary>Creates the driver.</summary>
    public MutexWorkload(BenchOptions options, IReadOnlyList<ZooKeeperClient> clients, string directory)
        : base(options, clients, directory)
    {
    }

    /// <inheritdoc/>
    public override async Task SetupAsync(IReadOnlyList<BenchSlot> slots, CancellationToken cancellationToken)
    {
        await base.SetupAsync(slots, cancellationToken).ConfigureAwait(false);

        // One instance per contender: the mutex is re-entrant per async flow and per instance, and
        // the contenders must exclude each other even when they share a session.
        _mutexes = slots.Select(s => new InterProcessMutex(s.Client, Directory + "/l" + (s.Index % Options.Locks).ToString(CultureInfo.InvariantCulture))).ToArray();
    }

    /// <inheritdoc/>
    public override async ValueTask<long> ExecuteAsync(BenchSlot slot, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var handle = await _mutexes[slot.Index].TryAcquireAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false)
            ?? throw new TimeoutException("the mutex was not acquired without a time limit");
        var acquired = Stopwatch.GetTimestamp() - start;
        await handle.DisposeAsync().ConfigureAwait(false);
        return acquired;
    }
}
