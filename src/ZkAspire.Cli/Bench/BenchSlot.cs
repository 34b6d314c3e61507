// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;

namespace ZkAspire.Cli.Bench;

/// <summary>
/// One request in flight: a loop that issues an operation, waits for it, and issues the next
/// (the closed loop). Each slot keeps its own histogram and counters, so recording takes no lock
/// and allocates nothing; the runner adds them up at the end.
/// </summary>
internal sealed class BenchSlot
{
    private ulong _random;
    private long _completed;
    private long _failed;

    /// <summary>Creates a slot.</summary>
    /// <param name="index">The slot's number among all slots, from 0.</param>
    /// <param name="clientIndex">The session it uses.</param>
    /// <param name="client">The session.</param>
    public BenchSlot(int index, int clientIndex, ZooKeeperClient client)
    {
        Index = index;
        ClientIndex = clientIndex;
        Client = client;

        // xorshift64* needs a non-zero seed; a fixed one per slot makes runs repeatable.
        _random = 0x9E3779B97F4A7C15UL * (ulong)(index + 1);
    }

    /// <summary>Gets the slot's number among all slots.</summary>
    public int Index { get; }

    /// <summary>Gets the index of the session it uses.</summary>
    public int ClientIndex { get; }

    /// <summary>Gets the session it uses.</summary>
    public ZooKeeperClient Client { get; }

    /// <summary>Gets the latencies of the measured, successful operations.</summary>
    public LatencyHistogram Histogram { get; } = new();

    /// <summary>Gets the measured operations that failed.</summary>
    public long Errors { get; private set; }

    /// <summary>Gets the measured failures by kind; allocated on the first failure only.</summary>
    public Dictionary<string, long>? ErrorsByKind { get; private set; }

    /// <summary>Gets the operations completed so far, warm-up included (read by the progress line).</summary>
    public long Completed => Volatile.Read(ref _completed);

    /// <summary>Gets the operations that failed so far, warm-up included (read by the progress line).</summary>
    public long Failed => Volatile.Read(ref _failed);

    /// <summary>Gets or sets a counter the workload may use (the create workload numbers its znodes with it).</summary>
    public long Sequence { get; set; }

    /// <summary>Counts a successful operation.</summary>
    /// <param name="latencyNanoseconds">Its latency.</param>
    /// <param name="measured">Whether it started and ended within the measured window.</param>
    public void Succeeded(long latencyNanoseconds, bool measured)
    {
        Volatile.Write(ref _completed, _completed + 1);
        if (measured)
        {
            Histogram.Record(latencyNanoseconds);
        }
    }

    /// <summary>Counts a failed operation.</summary>
    /// <param name="kind">What failed: a ZooKeeper error code's name, or an exception type.</param>
    /// <param name="measured">Whether it started within the measured window.</param>
    public void Failure(string kind, bool measured)
    {
        Volatile.Write(ref _failed, _failed + 1);
        if (!measured)
        {
            return;
        }

        Errors++;
        var errors = ErrorsByKind ??= new Dictionary<string, long>(StringComparer.Ordinal);
        errors[kind] = errors.GetValueOrDefault(kind) + 1;
    }

    /// <summary>Returns a pseudo-random number in [0, <paramref name="maxExclusive"/>), without allocating.</summary>
    /// <param name="maxExclusive">The bound.</param>
    /// <returns>The number.</returns>
    public int NextInt(int maxExclusive)
    {
        // xorshift64* (Vigna): fast, and good enough to pick keys.
        _random ^= _random >> 12;
        _random ^= _random << 25;
        _random ^= _random >> 27;
        var value = _random * 0x2545F4914F6CDD1DUL;
        return (int)((value >> 33) % (ulong)maxExclusive);
    }

    /// <summary>Returns a pseudo-random number in [0, 1).</summary>
    /// <returns>The number.</returns>
    public double NextDouble() => NextInt(1 << 24) / (double)(1 << 24);
}
