// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>A node's children and its Stat, as getChildren2 returns them.</summary>
/// <param name="Children">The child names (not paths), in the server's (unspecified) order.</param>
/// <param name="Stat">The parent node's Stat.</param>
public sealed record NodeChildren(IReadOnlyList<string> Children, Stat Stat);
