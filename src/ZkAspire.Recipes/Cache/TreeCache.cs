// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Recipes.Cache;

/// <summary>
/// A copy of a node and its descendants, kept with one-time watches (Curator's <c>TreeCache</c>):
/// a data watch on every cached node and a child watch on every node whose children are cached.
/// Works with every ZooKeeper 3.x server; on 3.6 and later <see cref="PersistentWatchCache"/> does
/// the same with one watch.
/// </summary>
public sealed class TreeCache : ZNodeCache
{
    /// <summary>Creates a cache; it loads and follows the subtree from <see cref="ZNodeCache.StartAsync"/> on.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The root of the subtree; it need not exist.</param>
    /// <param name="maxDepth">How deep to cache below the root: 0 for the root only, 1 for its children too, and so on.</param>
    /// <param name="cacheData">Whether to keep the nodes' data (else only their Stat).</param>
    /// <param name="logger">Where failed reads are logged.</param>
    public TreeCache(ZooKeeperClient client, string path, int maxDepth = int.MaxValue, bool cacheData = true, ILogger? logger = null)
        : base(path, new CacheEngine(Check(client), CheckPath(path), 0, CheckDepth(maxDepth), cacheData, CacheWatchMode.OneTime, logger ?? NullLogger.Instance))
    {
    }

    /// <summary>Gets a copy of the cached nodes by path (the root included).</summary>
    public IReadOnlyDictionary<string, ChildData> Current => Engine.Current;

    /// <summary>Gets a cached node.</summary>
    /// <param name="path">The node's path.</param>
    /// <returns>The node, or <see langword="null"/> when it is not cached.</returns>
    public ChildData? Get(string path) => Engine.Get(path);

    /// <summary>Gets the cached children's names of a cached node.</summary>
    /// <param name="path">The node's path.</param>
    /// <returns>The names, sorted; empty when the node is not cached or has none.</returns>
    public IReadOnlyList<string> GetChildren(string path)
    {
        var prefix = path == PathUtils.Root ? "/" : path + "/";
        return [.. Engine.Current.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.IndexOf('/', prefix.Length) < 0)
            .Select(k => k[prefix.Length..]).Order(StringComparer.Ordinal)];
    }

    internal static ZooKeeperClient Check(ZooKeeperClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client;
    }

    internal static string CheckPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (PathUtils.Validate(path) is { } error)
        {
            throw new ArgumentException($"Invalid path '{path}': {error}", nameof(path));
        }

        return path;
    }

    private static int CheckDepth(int maxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDepth);
        return maxDepth;
    }
}
