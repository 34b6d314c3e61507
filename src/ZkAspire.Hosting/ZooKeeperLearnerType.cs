// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// How a replica takes part in the ensemble: ZooKeeper's <c>LearnerType</c>, written as the last
/// field of a <c>server.N</c> line (ZooKeeper Administrator's Guide, "Cluster Options"; ZooKeeper
/// Observers guide).
/// </summary>
public enum ZooKeeperLearnerType
{
    /// <summary>A voting member: it can lead, and its acknowledgement counts towards a quorum.</summary>
    Participant,

    /// <summary>A non-voting member: it serves clients and follows the leader's commits but never votes.</summary>
    Observer,
}
