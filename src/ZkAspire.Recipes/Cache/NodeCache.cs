// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Client;

namespace ZkAspire.Recipes.Cache;

/// <summary>
/// A copy of one node (Curator's <c>NodeCache</c>): its data and Stat, or its absence, kept with a
/// data watch (an exists watch while it does not exist).
/// </summary>
public sealed class NodeCache : ZNodeCache
{
    /// <summary>Creates a cache; it loads and follows the node from <see cref="ZNodeCache.StartAsync"/> on.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The node; it need not exist.</param>
    /// <param name="logger">Where failed reads are logged.</param>
    public NodeCache(ZooKeeperClient client, string path, ILogger? logger = null)
        : base(path, new CacheEngine(TreeCache.Check(client), TreeCache.CheckPath(path), 0, 0, cacheData: true, CacheWatchMode.OneTime, logger ?? NullLogger.Instance))
    {
    }

    /// <summary>Gets the node as last read, or <see langword="null"/> when it does not exist.</summary>
    public ChildData? Data => Engine.Get(Path);
}
