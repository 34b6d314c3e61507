// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Recipes.Atomic;

/// <summary>A value with the node version it was read at (Curator's <c>VersionedValue</c>).</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <param name="Zxid">The mzxid of the node when read; −1 before the first read.</param>
/// <param name="Version">The node's data version when read; −1 before the first read.</param>
/// <param name="Value">The value.</param>
public sealed record VersionedValue<T>(long Zxid, int Version, T Value);
