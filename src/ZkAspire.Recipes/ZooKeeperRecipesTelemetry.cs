// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Recipes;

/// <summary>
/// The names of the recipes' traces: register the source with the OpenTelemetry SDK by
/// <see cref="SourceName"/>. Lock spans cover the wait for a lock or lease and its release;
/// leadership spans mark each change of a participant's leadership. The ZooKeeper requests the
/// recipes make are the client's spans (<c>ZkAspire.Client</c>), children of these.
/// </summary>
public static class ZooKeeperRecipesTelemetry
{
    /// <summary>The name of the recipes' <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string SourceName = "ZkAspire.Recipes";

    /// <summary>The span names.</summary>
    public static class Spans
    {
        /// <summary>Acquiring a lock or a semaphore lease, from the first request to the hold (or the timeout).</summary>
        public const string LockAcquire = "zookeeper.lock.acquire";

        /// <summary>Releasing a held lock node or lease: stopping its monitor and deleting the node.</summary>
        public const string LockRelease = "zookeeper.lock.release";

        /// <summary>A participant's leadership changed (gained or lost), in a leader latch or a leader selector.</summary>
        public const string LeadershipChange = "zookeeper.leader.change";
    }

    /// <summary>The attributes of the spans.</summary>
    public static class Attributes
    {
        /// <summary>The recipe's path (the lock's, the semaphore's, the election's).</summary>
        public const string Path = "zookeeper.recipe.path";

        /// <summary>The kind of lock: <c>mutex</c>, <c>read</c>, <c>write</c> or <c>semaphore</c>.</summary>
        public const string LockKind = "zookeeper.lock.kind";

        /// <summary>Whether the lock was acquired (<see langword="false"/> when the time ran out).</summary>
        public const string LockAcquired = "zookeeper.lock.acquired";

        /// <summary>Whether the acquire was a reentrant one, answered without a request.</summary>
        public const string LockReentrant = "zookeeper.lock.reentrant";

        /// <summary>The path of the node that holds the lock or lease.</summary>
        public const string LockNode = "zookeeper.lock.node";

        /// <summary>The fencing token of the hold: the czxid of its node.</summary>
        public const string FencingToken = "zookeeper.lock.fencing_token";

        /// <summary>Whether the participant leads after the change.</summary>
        public const string IsLeader = "zookeeper.leader.is_leader";

        /// <summary>The recipe that changed leadership: <c>latch</c> or <c>selector</c>.</summary>
        public const string LeaderRecipe = "zookeeper.leader.recipe";
    }
}
