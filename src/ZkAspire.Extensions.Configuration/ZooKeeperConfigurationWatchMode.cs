// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Extensions.Configuration;

/// <summary>How the configuration provider watches its subtree.</summary>
public enum ZooKeeperConfigurationWatchMode
{
    /// <summary>
    /// A persistent recursive watch where the server has addWatch (ZooKeeper 3.6 and later);
    /// one-time watches when it answers addWatch with Unimplemented, as servers before 3.6 do.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// One persistent recursive watch on the root (addWatch, ZooKeeper 3.6 and later); a server
    /// without it fails the load with <see cref="NotSupportedException"/>.
    /// </summary>
    PersistentRecursive = 1,

    /// <summary>
    /// A one-time data watch (getData) and child watch (getChildren) on every node of the subtree,
    /// set again by the read that follows each event, as every ZooKeeper version supports. Costs
    /// two watches per node on the server and two reads per event.
    /// </summary>
    OneTime = 2,
}
