// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>
/// An op that failed, or — in a failed <see cref="Transaction"/> — one that was rolled back
/// (<see cref="KeeperErrorCode.Ok"/> before the failing op, <see cref="KeeperErrorCode.RuntimeInconsistency"/> after it).
/// </summary>
/// <param name="Code">The op's error code.</param>
public sealed record ErrorResult(KeeperErrorCode Code) : OperationResult;
