// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus;

/// <summary>One member of the ensemble as zoo.cfg names it (<c>server.N=…[:participant|observer]</c>).</summary>
/// <param name="Id">The server id (<c>myid</c>), positive.</param>
/// <param name="Type">Whether it votes.</param>
public sealed record QuorumServer(long Id, LearnerType Type = LearnerType.Participant);
