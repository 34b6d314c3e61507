// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Recipes.Cache;

/// <summary>
/// A copy of a node and its descendants kept with one persistent recursive watch (ZooKeeper 3.6
/// and later; Curator's <c>CuratorCache</c>). The server sends every creation, data change and
/// deletion below the root to the one watch; the cache reads what changed. Cheaper than
/// <see cref="TreeCache"/> for large trees: one watch instead of two per node.
/// </summary>
/// <remarks>
/// Persistent watches are not replayed after a disconnection (the server does not know what the
/// client missed), so the cache reads every cached node again on Reconnected, and child lists
/// whose cversion moved; after a new session it also adds the watch again (Curator's
/// <c>rebuild</c>).
/// </remarks>
public sealed class PersistentWatchCache : ZNodeCache
{
    /// <summary>Creates a cache; it loads and follows the subtree from <see cref="ZNodeCache.StartAsync"/> on.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The root of the subtree; it need not exist.</param>
    /// <param name="singleNode">Whether to cache the root only (Curator's <c>SINGLE_NODE_CACHE</c>).</param>
    /// <param name="cacheData">Whether to keep the nodes' data (else only their Stat).</param>
    /// <param name="logger">Where failed reads are logged.</param>
    public PersistentWatchCache(ZooKeeperClient client, string path, bool singleNode = false, bool cacheData = true, ILogger? logger = null)
        : base(path, new CacheEngine(TreeCache.Check(client), TreeCache.CheckPath(path), 0, singleNode ? 0 : int.MaxValue, cacheData, CacheWatchMode.PersistentRecursive, logger ?? NullLogger.Instance))
    {
    }

    /// <summary>Gets a copy of the cached nodes by path (the root included).</summary>
    public IReadOnlyDictionary<string, ChildData> Current => Engine.Current;

    /// <summary>Gets a cached node.</summary>
    /// <param name="path">The node's path.</param>
    /// <returns>The node, or <see langword="null"/> when it is not cached.</returns>
    public ChildData? Get(string path) => Engine.Get(path);

    /// <summary>Gets the cached nodes at or below a path.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The nodes by path.</returns>
    public IReadOnlyDictionary<string, ChildData> GetSubtree(string path)
    {
        var prefix = path == PathUtils.Root ? "/" : path + "/";
        return Engine.Current.Where(pair => pair.Key == path || pair.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
    }
}
