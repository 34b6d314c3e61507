// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using ZkAspire.Client;

namespace ZkAspire.Cli.Bench.Workloads;

/// <summary>
/// Acquire and release an exclusive lock under contention. Every slot is a contender; the
/// contenders share <see cref="BenchOptions.Locks"/> locks (slot i takes lock i mod count). The
/// lock is the herd-free recipe of the ZooKeeper recipes page ("Locks"): create an
/// ephemeral-sequential znode under the lock, list the children, hold the lock when ours has the
/// lowest sequence number, otherwise watch only the next lower one (getData with a watch, as
/// Curator's <c>LockInternals</c> does, so no watch is left on a znode that is already gone) and
/// look again when it goes. Release deletes our znode. The latency is the time to acquire,
/// waiting for the other contenders included; each acquisition counts as one operation.
/// </summary>
/// <remarks>
/// This is the bench's own minimal lock, not a recipe: Curator's <c>InterProcessMutex</c> adds
/// protected names and re-entrancy. The comparison with Curator's mutex on Apache ZooKeeper
/// comes with our recipes (issue 8).
/// </remarks>
internal sealed class LockWorkload : WorkloadDriver
{
    private const string Prefix = "lock-";

    // Protected (Curator's mode, `_c_{guid}-lock-NNNNNNNNNN`): a create whose reply a lost
    // connection took is found again by the client instead of failing and leaving an orphan node
    // that nobody deletes until its session ends, stalling every contender behind it.
    private static readonly CreateOptions LockNode = CreateOptions.EphemeralSequential with { Protected = true };

    private string[] _locks = [];

    /// <summary>Creates the driver.</summary>
    public LockWorkload(BenchOptions options, IReadOnlyList<ZooKeeperClient> clients, string directory)
        : base(options, clients, directory)
    {
    }

    /// <inheritdoc/>
    public override async Task SetupAsync(IReadOnlyList<BenchSlot> slots, CancellationToken cancellationToken)
    {
        await base.SetupAsync(slots, cancellationToken).ConfigureAwait(false);
        _locks = Enumerable.Range(0, Options.Locks).Select(i => Directory + "/l" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        await BulkAsync(_locks, (client, path) => client.CreateAsync(path, null, CreateOptions.Persistent, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<long> ExecuteAsync(BenchSlot slot, CancellationToken cancellationToken)
    {
        var client = slot.Client;
        var lockPath = _locks[slot.Index % _locks.Length];
        var start = Stopwatch.GetTimestamp();
        var ours = await client.CreateAsync(lockPath + "/" + Prefix, null, LockNode, cancellationToken).ConfigureAwait(false);
        var released = false;
        try
        {
            var ourName = ours[(lockPath.Length + 1)..];
            while (true)
            {
                var children = await client.GetChildrenAsync(lockPath, cancellationToken).ConfigureAwait(false);
                var predecessor = Predecessor(children, ourName, out var found);
                if (!found)
                {
                    // Our znode is gone: the session expired and took it.
                    throw new KeeperException(Protocol.KeeperErrorCode.NoNode, ours, "the lock workload's own znode disappeared");
                }

                if (predecessor is null)
                {
                    break;
                }

                try
                {
                    var watched = await client.GetDataAndWatchAsync(lockPath + "/" + predecessor, cancellationToken).ConfigureAwait(false);
                    await watched.Triggered.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (NoNodeException)
                {
                    // It went between the listing and the watch: look again.
                }
            }

            var acquired = Stopwatch.GetTimestamp() - start;
            await client.DeleteAsync(ours, -1, cancellationToken).ConfigureAwait(false);
            released = true;
            return acquired;
        }
        finally
        {
            if (!released)
            {
                // Abandoned (the run ended, or a request failed): give the lock back, or the other
                // contenders on this lock wait until the session closes.
                await ReleaseQuietlyAsync(client, ours).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The contender just before ours in sequence order, or null when ours is first.</summary>
    internal static string? Predecessor(IReadOnlyList<string> children, string ours, out bool found)
    {
        var ourSequence = TryGetSequence(ours, out var sequence) ? sequence : long.MaxValue;
        string? predecessor = null;
        var predecessorSequence = long.MinValue;
        found = false;
        foreach (var child in children)
        {
            if (!TryGetSequence(child, out sequence))
            {
                continue;
            }

            if (sequence == ourSequence)
            {
                found = true;
            }
            else if (sequence < ourSequence && sequence > predecessorSequence)
            {
                predecessor = child;
                predecessorSequence = sequence;
            }
        }

        return predecessor;
    }

    // A lock node's name ends with the prefix and the ten-digit counter ZooKeeper appends (a
    // protected name starts with its own `_c_{guid}-`; the counter is signed and wraps at 2^31,
    // which a bench run never reaches).
    private static bool TryGetSequence(string name, out long sequence)
    {
        sequence = 0;
        var counter = name.Length - 10;
        return counter >= Prefix.Length
            && name.AsSpan(counter - Prefix.Length, Prefix.Length).SequenceEqual(Prefix)
            && long.TryParse(name.AsSpan(counter), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    private static async Task ReleaseQuietlyAsync(ZooKeeperClient client, string path)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.DeleteAsync(path, -1, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KeeperException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
            // The session's end removes it in any case.
        }
    }
}
