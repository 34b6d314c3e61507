// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Client;

namespace ZkAspire.Recipes.Cache;

/// <summary>
/// A copy of a node's children (Curator's <c>PathChildrenCache</c>): their data and Stat, kept with
/// a child watch on the node and a data watch on every child. Events are reported for the children
/// only.
/// </summary>
public sealed class PathChildrenCache : ZNodeCache
{
    /// <summary>Creates a cache; it loads and follows the children from <see cref="ZNodeCache.StartAsync"/> on.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The parent; it need not exist.</param>
    /// <param name="cacheData">Whether to keep the children's data (else only their Stat).</param>
    /// <param name="logger">Where failed reads are logged.</param>
    public PathChildrenCache(ZooKeeperClient client, string path, bool cacheData = true, ILogger? logger = null)
        : base(path, new CacheEngine(TreeCache.Check(client), TreeCache.CheckPath(path), 1, 1, cacheData, CacheWatchMode.OneTime, logger ?? NullLogger.Instance))
    {
    }

    /// <summary>Gets a copy of the cached children by path.</summary>
    public IReadOnlyDictionary<string, ChildData> Current => Engine.Current;

    /// <summary>Gets a cached child.</summary>
    /// <param name="path">The child's path.</param>
    /// <returns>The child, or <see langword="null"/> when it is not cached.</returns>
    public ChildData? Get(string path) => Engine.Get(path);
}
