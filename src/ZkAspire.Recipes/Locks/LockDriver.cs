// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Locks;

/// <summary>What a driver decides for one waiter: it holds the lock, or it must watch one node.</summary>
/// <param name="GetsTheLock">Whether the waiter holds the lock now.</param>
/// <param name="NodeToWatch">The one node whose deletion may change that (the predecessor), when it does not.</param>
internal readonly record struct LockPredicate(bool GetsTheLock, string? NodeToWatch);

/// <summary>
/// The part of a lock recipe that differs between recipes (Curator's <c>LockInternalsDriver</c>):
/// which children take part and in what order, and whether a waiter holds the lock. The
/// <see cref="LockEngine"/> does the rest, the same way for every recipe.
/// </summary>
internal abstract class LockDriver
{
    /// <summary>
    /// Reads a child as a lock node (Curator's <c>fixForSorting</c>); children that are not
    /// lock nodes of this recipe are ignored.
    /// </summary>
    /// <param name="childName">The child's name.</param>
    /// <param name="node">The lock node.</param>
    /// <returns><see langword="true"/> if the child is a lock node.</returns>
    public abstract bool TryParse(string childName, out SequentialNode node);

    /// <summary>Decides whether the waiter at <paramref name="ourIndex"/> holds the lock (Curator's <c>getsTheLock</c>).</summary>
    /// <param name="ordered">The lock nodes from oldest to newest.</param>
    /// <param name="ourIndex">The waiter's position.</param>
    /// <param name="maxLeases">How many may hold it at once.</param>
    /// <returns>The decision.</returns>
    public abstract LockPredicate GetsTheLock(IReadOnlyList<SequentialNode> ordered, int ourIndex, int maxLeases);

    /// <summary>
    /// Gets whether every lock node of the recipe is created sequential, so that a node joins the
    /// queue only behind every node that exists. A waiter whose watched node is deleted then knows
    /// every node that can still be before it (those of its last listing, less that one), and can
    /// decide without listing again. The read-write lock's downgrade creates a read node with the
    /// write node's sequence, in front of waiters that listed before it, so its driver says no.
    /// </summary>
    public virtual bool NodesJoinOnlyAtTheEnd => false;

    /// <summary>
    /// Creates the waiter's node (Curator's <c>createsTheLock</c>): protected, ephemeral-sequential,
    /// under parents created as containers.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The node's path without the sequence: <c>{lock path}/{lock name}</c>.</param>
    /// <param name="data">The node's data, or <see langword="null"/> for the client's default data (as Curator).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The created node.</returns>
    public virtual Task<CreatedNode> CreatesTheLockAsync(ZooKeeperClient client, string path, byte[]? data, CancellationToken cancellationToken)
    {
        var options = CreateOptions.EphemeralSequential with { Parents = ParentCreation.Container, Protected = true };
        return data is null
            ? client.CreateWithStatAsync(path, options, cancellationToken)
            : client.CreateWithStatAsync(path, data, options, cancellationToken);
    }
}

/// <summary>
/// Curator's <c>StandardLockInternalsDriver</c>: the first <c>maxLeases</c> nodes hold the lock,
/// and every other waiter watches the node <c>maxLeases</c> places before it — with one lease,
/// its immediate predecessor, so a release wakes exactly one waiter (ZooKeeper recipes, "Locks").
/// </summary>
/// <param name="lockName">The name before the sequence: <c>lock-</c>, <c>latch-</c>.</param>
internal class StandardLockDriver(string lockName) : LockDriver
{
    /// <summary>Gets the name before the sequence.</summary>
    public string LockName { get; } = lockName;

    /// <inheritdoc/>
    public override bool TryParse(string childName, out SequentialNode node) =>
        SequentialNode.TryParse(childName, LockName, out node);

    /// <inheritdoc/>
    public override bool NodesJoinOnlyAtTheEnd => true;

    /// <inheritdoc/>
    public override LockPredicate GetsTheLock(IReadOnlyList<SequentialNode> ordered, int ourIndex, int maxLeases)
    {
        var getsTheLock = ourIndex < maxLeases;
        return new LockPredicate(getsTheLock, getsTheLock ? null : ordered[ourIndex - maxLeases].Name);
    }
}
