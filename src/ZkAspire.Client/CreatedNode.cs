// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>A created node: its actual path (with any sequence suffix) and its Stat, as create2 returns them.</summary>
/// <param name="Path">The client path of the node.</param>
/// <param name="Stat">The new node's Stat.</param>
public sealed record CreatedNode(string Path, Stat Stat);
