// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>A version check that passed.</summary>
public sealed record CheckResult : OperationResult;
