// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Locks;

/// <summary>
/// The lock algorithm every lock recipe shares (Curator's <c>LockInternals</c>), after the
/// ZooKeeper recipe "Locks": create a protected ephemeral-sequential node, list the children
/// without a watch, and either hold the lock or leave a watch on the one node the
/// <see cref="LockDriver"/> names — never on the parent, so a release wakes one waiter and not the
/// herd (pitfall 2). When the watched node is deleted, a waiter of a recipe whose nodes join only at
/// the end of the queue decides from its last listing whether it now holds the lock, and lists
/// again only when it does not.
/// </summary>
/// <remarks>
/// <para>
/// The watch is a getData watch, as in Curator: unlike exists, it leaves nothing behind when the
/// node is already gone. A create whose reply was lost is found again by its protected name; a node
/// that vanished (session expired, or deleted by someone) is replaced by a new one; a node left by
/// an earlier session is deleted and replaced. Connection failures are waited out until the
/// deadline. A waiter that gives up, by timeout, cancellation or error, deletes its node the
/// guaranteed way, so it never blocks the waiters behind it.
/// </para>
/// </remarks>
internal sealed class LockEngine
{
    private readonly ZooKeeperClient _client;
    private readonly LockDriver _driver;
    private readonly string _nodePrefix;

    /// <summary>Creates the engine of one lock.</summary>
    /// <param name="client">The client.</param>
    /// <param name="basePath">The lock's path: the parent of the lock nodes.</param>
    /// <param name="lockName">The name of the lock nodes before the sequence.</param>
    /// <param name="driver">The recipe's rules.</param>
    /// <param name="maxLeases">How many may hold the lock at once.</param>
    /// <param name="time">The clock of the deadlines.</param>
    public LockEngine(ZooKeeperClient client, string basePath, string lockName, LockDriver driver, int maxLeases, TimeProvider time)
    {
        _client = client;
        _driver = driver;
        BasePath = basePath;
        LockName = lockName;
        MaxLeases = maxLeases;
        Time = time;
        _nodePrefix = PathUtils.Combine(basePath, lockName);
    }

    /// <summary>Gets the lock's path.</summary>
    public string BasePath { get; }

    /// <summary>Gets the name of the lock nodes before the sequence.</summary>
    public string LockName { get; }

    /// <summary>Gets how many may hold the lock at once.</summary>
    public int MaxLeases { get; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>Gets the client.</summary>
    public ZooKeeperClient Client => _client;

    /// <summary>Waits for the lock until the deadline (Curator's <c>attemptLock</c>).</summary>
    /// <param name="data">The lock node's data, or <see langword="null"/> for the client's default data.</param>
    /// <param name="deadline">When to give up; a zero timeout tries once.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The node that holds the lock, or <see langword="null"/> when the deadline passed.</returns>
    public async Task<AcquiredNode?> AttemptAsync(byte[]? data, Deadline deadline, CancellationToken cancellationToken)
    {
        CreatedNode? ours = null;
        var acquired = false;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    if (ours is not null && ours.Stat.EphemeralOwner != _client.SessionId)
                    {
                        // Created by a session that has ended (the client gave it up after the session
                        // timeout); the server deletes it sooner or later. It cannot hold anything for us.
                        await _client.DeleteGuaranteedAsync(ours.Path).ConfigureAwait(false);
                        ours = null;
                    }

                    if (ours is null)
                    {
                        // Not cancellable: a create abandoned after it was sent may still be applied,
                        // and its node would then block every waiter behind it until the session ends.
                        // The client's own timeouts bound it; cancellation is honoured right after.
                        ours = await _driver.CreatesTheLockAsync(_client, _nodePrefix, data, CancellationToken.None).ConfigureAwait(false);
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    var ourName = PathUtils.GetName(ours.Path);
                    var ordered = await GetOrderedChildrenAsync(cancellationToken).ConfigureAwait(false);
                    var ourIndex = ordered.FindIndex(node => node.Name == ourName);
                    if (ourIndex < 0)
                    {
                        // Curator's "Sequential path not found": the session expired or someone deleted
                        // the node. Queue again with a new one.
                        ours = null;
                        if (deadline.HasExpired)
                        {
                            return null;
                        }

                        continue;
                    }

                    var predicate = _driver.GetsTheLock(ordered, ourIndex, MaxLeases);
                    if (predicate.GetsTheLock)
                    {
                        acquired = true;
                        return new AcquiredNode(ours.Path, ordered[ourIndex].Sequence, ours.Stat);
                    }

                    if (deadline.HasExpired)
                    {
                        return null;
                    }

                    var watched = predicate.NodeToWatch!;
                    var outcome = await WaitForDeletionAsync(PathUtils.Combine(BasePath, watched), deadline, cancellationToken).ConfigureAwait(false);
                    if (outcome == WaitOutcome.DeadlinePassed)
                    {
                        return null;
                    }

                    if (outcome == WaitOutcome.Deleted && _driver.NodesJoinOnlyAtTheEnd && ours.Stat.EphemeralOwner == _client.SessionId)
                    {
                        // Nodes join only behind every node that exists, so the nodes that can still be
                        // before ours are those of the listing, less the one just deleted (others may
                        // have gone too, which only helps). If that is enough, the lock is ours without
                        // listing again: one round trip fewer on the path of every hand-off (Curator
                        // lists again; the holder's ownership watch still notices a node deleted by
                        // someone else). Otherwise list again, as ever.
                        var watchedIndex = ordered.FindIndex(node => node.Name == watched);
                        ordered.RemoveAt(watchedIndex);
                        ourIndex--;
                        if (_driver.GetsTheLock(ordered, ourIndex, MaxLeases).GetsTheLock)
                        {
                            acquired = true;
                            return new AcquiredNode(ours.Path, ordered[ourIndex].Sequence, ours.Stat);
                        }
                    }
                }
                catch (Exception e) when (ClientExtensions.IsConnectionProblem(e))
                {
                    if (!await _client.WaitUntilConnectedAsync(deadline.Remaining, cancellationToken).ConfigureAwait(false))
                    {
                        return null;
                    }
                }
            }
        }
        finally
        {
            if (!acquired && ours is not null)
            {
                await _client.DeleteGuaranteedAsync(ours.Path).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Lists the lock nodes from oldest to newest (empty when the lock's path does not exist).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The nodes.</returns>
    public async Task<List<SequentialNode>> GetOrderedChildrenAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> children;
        try
        {
            children = await _client.GetChildrenAsync(BasePath, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return [];
        }

        return Order(children);
    }

    /// <summary>Orders children as the driver reads them.</summary>
    /// <param name="children">The children's names.</param>
    /// <returns>The lock nodes from oldest to newest.</returns>
    public List<SequentialNode> Order(IEnumerable<string> children)
    {
        var nodes = new List<SequentialNode>();
        foreach (var child in children)
        {
            if (_driver.TryParse(child, out var node))
            {
                nodes.Add(node);
            }
        }

        return SequentialNode.Order(nodes);
    }

    /// <summary>
    /// Leaves a getData watch on one node and waits for it to fire. Returns at once when the node
    /// is already gone.
    /// </summary>
    /// <returns>Whether the node was deleted, something else woke the waiter, or the deadline passed first.</returns>
    private async Task<WaitOutcome> WaitForDeletionAsync(string path, Deadline deadline, CancellationToken cancellationToken)
    {
        var signal = new WatchSignal();
        try
        {
            await _client.GetDataAsync(path, signal.Callback, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return WaitOutcome.Deleted;
        }

        var fired = false;
        try
        {
            fired = await deadline.WaitAsync(signal.Fired, cancellationToken).ConfigureAwait(false);
            if (!fired)
            {
                return WaitOutcome.DeadlinePassed;
            }

            return (await signal.Fired.ConfigureAwait(false)).Type == EventType.NodeDeleted ? WaitOutcome.Deleted : WaitOutcome.Woken;
        }
        finally
        {
            if (!fired)
            {
                // Curator's removeWatchers: a waiter that leaves takes its watch with it.
                await OwnershipMonitor.RemoveWatcherQuietlyAsync(_client, path, signal.Callback, WatcherType.Data).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How a wait for the watched node ended.</summary>
    private enum WaitOutcome
    {
        /// <summary>The node is gone: deleted while watched, or before the watch was left.</summary>
        Deleted,

        /// <summary>Something else fired the watch (its data changed, the session's state): list again.</summary>
        Woken,

        /// <summary>The deadline passed first.</summary>
        DeadlinePassed,
    }
}
