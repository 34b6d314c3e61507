// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>A create op of a <see cref="Transaction"/> that succeeded.</summary>
/// <param name="Path">The client path of the node, with any sequence suffix.</param>
/// <param name="Stat">
/// The new node's Stat for containers and TTL nodes (whose opcodes answer with one);
/// <see langword="null"/> for the other modes, which a transaction creates with the plain create
/// opcode, as the Java client's <c>Op.create</c> does (Apache ZooKeeper 3.8 answers create2 inside a
/// multi with an all-zero Stat).
/// </param>
public sealed record CreateResult(string Path, Stat? Stat) : OperationResult;
