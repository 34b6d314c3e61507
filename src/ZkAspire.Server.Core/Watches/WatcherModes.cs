// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>
/// The modes one connection holds on one path of a watch table (ZooKeeper 3.9's <c>WatchStats</c>):
/// a one-shot and a persistent registration are tracked independently (wire-protocol doc §24).
/// </summary>
[Flags]
internal enum WatcherModes
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>A one-shot watch (getData, exists, getChildren).</summary>
    Standard = 1,

    /// <summary>A persistent watch (addWatch mode 0).</summary>
    Persistent = 2,

    /// <summary>A persistent recursive watch (addWatch mode 1; data table only).</summary>
    PersistentRecursive = 4,
}
