// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using ZkAspire.Client;

namespace ZkAspire.Cli.Bench.Workloads;

/// <summary>
/// Each operation creates a new persistent znode with the payload (ZooKeeper's smoke test
/// "create" phase). Every slot has a directory of its own, so no znode has a huge child list and
/// cleanup can name each znode made without listing them.
/// </summary>
internal sealed class CreateWorkload : WorkloadDriver
{
    private string[] _slotDirectories = [];

    /// <summary>Creates the driver.</summary>
    public CreateWorkload(BenchOptions options, IReadOnlyList<ZooKeeperClient> clients, string directory)
        : base(options, clients, directory)
    {
    }

    /// <inheritdoc/>
    public override async Task SetupAsync(IReadOnlyList<BenchSlot> slots, CancellationToken cancellationToken)
    {
        await base.SetupAsync(slots, cancellationToken).ConfigureAwait(false);
        _slotDirectories = slots.Select(s => Directory + "/s" + s.Index.ToString(CultureInfo.InvariantCulture)).ToArray();
        await BulkAsync(_slotDirectories, (client, path) => client.CreateAsync(path, null, CreateOptions.Persistent, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<long> ExecuteAsync(BenchSlot slot, CancellationToken cancellationToken)
    {
        // The number is taken before the request, so cleanup also tries znodes whose create failed
        // with an unknown outcome (connection loss after the request was sent).
        var path = _slotDirectories[slot.Index] + "/n" + slot.Sequence++.ToString(CultureInfo.InvariantCulture);
        var start = Stopwatch.GetTimestamp();
        await slot.Client.CreateAsync(path, Payload, CreateOptions.Persistent, cancellationToken).ConfigureAwait(false);
        return Stopwatch.GetTimestamp() - start;
    }

    /// <inheritdoc/>
    public override async Task CleanupAsync(IReadOnlyList<BenchSlot> slots, CancellationToken cancellationToken)
    {
        // Empty when the setup failed before the slots' directories were named.
        foreach (var slot in _slotDirectories.Length == 0 ? [] : slots)
        {
            var directory = _slotDirectories[slot.Index];
            var count = slot.Sequence;
            await DeleteManyAsync(Enumerable.Range(0, (int)count).Select(i => directory + "/n" + i.ToString(CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false);
        }

        await base.CleanupAsync(slots, cancellationToken).ConfigureAwait(false);
    }
}
