// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Bench.Workloads;

/// <summary>
/// Set → notification latency, measured on another session. Each slot owns a znode: the next
/// session (client i+1) leaves a data watch on it with exists, then the slot's own session
/// (client i) sets it; the latency runs from just before the setData is issued to the moment
/// the watching session's client hands out the NodeDataChanged event. The watch is left again
/// for each operation, as a ZooKeeper application re-arms a one-time watch.
/// </summary>
/// <remarks>
/// The event's time is taken in the watch callback, on the watching client's event loop, so it
/// does not wait for the set's own reply, which may arrive later on the other session.
/// </remarks>
internal sealed class WatchWorkload : WorkloadDriver
{
    private string[] _nodes = [];

    /// <summary>Creates the driver.</summary>
    public WatchWorkload(BenchOptions options, IReadOnlyList<ZooKeeperClient> clients, string directory)
        : base(options, clients, directory)
    {
    }

    /// <inheritdoc/>
    public override async Task SetupAsync(IReadOnlyList<BenchSlot> slots, CancellationToken cancellationToken)
    {
        await base.SetupAsync(slots, cancellationToken).ConfigureAwait(false);
        _nodes = slots.Select(s => Directory + "/w" + s.Index.ToString(CultureInfo.InvariantCulture)).ToArray();
        await BulkAsync(_nodes, (client, path) => client.CreateAsync(path, Payload, CreateOptions.Persistent, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<long> ExecuteAsync(BenchSlot slot, CancellationToken cancellationToken)
    {
        var path = _nodes[slot.Index];
        var watcher = Clients[(slot.ClientIndex + 1) % Clients.Count];
        var notified = new Notification();
        await watcher.ExistsAsync(path, notified.Callback, cancellationToken).ConfigureAwait(false);
        var start = Stopwatch.GetTimestamp();
        await slot.Client.SetDataAsync(path, Payload, -1, cancellationToken).ConfigureAwait(false);
        var received = await notified.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return received - start;
    }

    /// <summary>Takes the time of the watch event as the client delivers it.</summary>
    private sealed class Notification
    {
        private readonly TaskCompletionSource<long> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Notification()
        {
            Callback = OnEvent;
        }

        public Action<WatchedEvent> Callback { get; }

        public Task<long> Task => _received.Task;

        private void OnEvent(WatchedEvent e)
        {
            var now = Stopwatch.GetTimestamp();
            if (e.Type == EventType.NodeDataChanged)
            {
                _received.TrySetResult(now);
            }
            else
            {
                // None/Disconnected, None/Expired or None/Closed: the watch will not fire.
                _received.TrySetException(new WatchLostException(e.Type == EventType.None ? e.State.ToString() : e.Type.ToString()));
            }
        }
    }
}
