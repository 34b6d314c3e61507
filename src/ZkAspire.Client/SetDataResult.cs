// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>A setData op that succeeded.</summary>
/// <param name="Stat">The node's new Stat.</param>
public sealed record SetDataResult(Stat Stat) : OperationResult;
