// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Bench;

/// <summary>What <c>zkaspire bench</c> measures (docs/performance.md, "The load tool").</summary>
internal enum BenchWorkload
{
    /// <summary>Each operation creates a new persistent znode with the payload.</summary>
    Create,

    /// <summary>Each operation sets the data of one of the prepared znodes (version −1).</summary>
    Set,

    /// <summary>Each operation reads one of the prepared znodes.</summary>
    Get,

    /// <summary>Reads and sets of the prepared znodes in the ratio of <c>--read-ratio</c>.</summary>
    Mixed,

    /// <summary>
    /// One session leaves a data watch on a znode, another sets it; the latency is from the set
    /// being issued to the notification reaching the watching session.
    /// </summary>
    Watch,

    /// <summary>
    /// Contenders take and release an exclusive lock: an ephemeral-sequential znode under the
    /// lock's path, a watch on the next lower one only (the herd-free recipe of the ZooKeeper
    /// recipes page). The latency is the time to acquire.
    /// </summary>
    Lock,

    /// <summary>
    /// Contenders take and release our recipe's mutex (<c>ZkAspire.Recipes.Locks.InterProcessMutex</c>,
    /// Curator's layout and protocol). The latency is the time to acquire.
    /// </summary>
    Mutex,

    /// <summary>
    /// Kills the ensemble's leader through a command and measures until the first successful
    /// write by our client and until a new leader answers <c>srvr</c> (docs/performance.md).
    /// </summary>
    Failover,
}
