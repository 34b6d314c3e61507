// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>A delete op that succeeded.</summary>
public sealed record DeleteResult : OperationResult;
