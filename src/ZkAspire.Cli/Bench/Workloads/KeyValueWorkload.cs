// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using ZkAspire.Client;

namespace ZkAspire.Cli.Bench.Workloads;

/// <summary>
/// set, get and mixed: operations on <see cref="BenchOptions.Keys"/> znodes made before the run,
/// each holding the payload. Each operation picks a key at random; mixed reads with probability
/// <see cref="BenchOptions.ReadRatio"/> and sets otherwise. Sets use version −1, so they never
/// conflict.
/// </summary>
internal sealed class KeyValueWorkload : WorkloadDriver
{
    private readonly double _readRatio;
    private readonly string[] _keys;

    /// <summary>Creates the driver.</summary>
    public KeyValueWorkload(BenchWorkload workload, BenchOptions options, IReadOnlyList<ZooKeeperClient> clients, string directory)
        : base(options, clients, directory)
    {
        _readRatio = workload switch
        {
            BenchWorkload.Get => 1.0,
            BenchWorkload.Set => 0.0,
            _ => options.ReadRatio,
        };

        // The paths are made once: an operation allocates no string of its own.
        _keys = Enumerable.Range(0, options.Keys).Select(i => directory + "/k" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    /// <inheritdoc/>
    public override async Task SetupAsync(IReadOnlyList<BenchSlot> slots, CancellationToken cancellationToken)
    {
        await base.SetupAsync(slots, cancellationToken).ConfigureAwait(false);
        await BulkAsync(_keys, (client, path) => client.CreateAsync(path, Payload, CreateOptions.Persistent, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<long> ExecuteAsync(BenchSlot slot, CancellationToken cancellationToken)
    {
        var key = _keys[slot.NextInt(_keys.Length)];
        var read = _readRatio >= 1.0 || (_readRatio > 0.0 && slot.NextDouble() < _readRatio);
        var start = Stopwatch.GetTimestamp();
        if (read)
        {
            await slot.Client.GetDataAsync(key, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await slot.Client.SetDataAsync(key, Payload, -1, cancellationToken).ConfigureAwait(false);
        }

        return Stopwatch.GetTimestamp() - start;
    }
}
