// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Recipes.Cache;

/// <summary>What happened in a cache (Curator's <c>TreeCacheEvent.Type</c> and <c>PathChildrenCacheEvent.Type</c>).</summary>
public enum CacheEventType
{
    /// <summary>A node entered the cache: it exists and the cache had not seen it.</summary>
    NodeAdded,

    /// <summary>A cached node's data changed (its mzxid moved).</summary>
    NodeUpdated,

    /// <summary>A cached node is gone.</summary>
    NodeRemoved,

    /// <summary>The initial load is done: the cache holds everything that existed when it started (once per cache).</summary>
    Initialized,

    /// <summary>The connection was suspended: the cache may fall behind until it is back.</summary>
    ConnectionSuspended,

    /// <summary>The connection is back; the cache reads everything again and reports the differences.</summary>
    ConnectionReconnected,

    /// <summary>The session was lost: the cache's watches are gone; it rebuilds on the next connection.</summary>
    ConnectionLost,
}

/// <summary>A change of a cache.</summary>
/// <param name="Type">What happened.</param>
/// <param name="Data">The node after the change (or as last cached, for a removal); <see langword="null"/> for connection events.</param>
/// <param name="OldData">The node before an update.</param>
public sealed record CacheEvent(CacheEventType Type, ChildData? Data, ChildData? OldData = null);
