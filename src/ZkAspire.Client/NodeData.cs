// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>A node's data and Stat, as getData returns them.</summary>
/// <param name="Data">The data; <see langword="null"/> when the node stores null.</param>
/// <param name="Stat">The node's Stat.</param>
public sealed record NodeData(byte[]? Data, Stat Stat);
