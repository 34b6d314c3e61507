// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Recipes.Cache;

/// <summary>A cached node (Curator's <c>ChildData</c>).</summary>
/// <param name="Path">The node's path.</param>
/// <param name="Stat">Its Stat when last read.</param>
/// <param name="Data">Its data when last read; <see langword="null"/> when the cache keeps no data or the node holds null.</param>
public sealed record ChildData(string Path, Stat Stat, byte[]? Data);
