// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>A getData op of a <see cref="MultiRead"/> that succeeded.</summary>
/// <param name="Data">The data.</param>
/// <param name="Stat">The node's Stat.</param>
public sealed record GetDataResult(byte[]? Data, Stat Stat) : OperationResult;
