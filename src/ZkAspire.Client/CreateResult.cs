// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>A created node: its actual path (with any sequence suffix) and its Stat.</summary>
/// <param name="Path">The client path of the node.</param>
/// <param name="Stat">The new node's Stat.</param>
public sealed record CreateResult(string Path, Stat Stat) : OperationResult;
