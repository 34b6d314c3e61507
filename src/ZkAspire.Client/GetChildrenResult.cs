// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>A getChildren op of a <see cref="MultiRead"/> that succeeded.</summary>
/// <param name="Children">The child names.</param>
public sealed record GetChildrenResult(IReadOnlyList<string> Children) : OperationResult;
