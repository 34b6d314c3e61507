// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>
/// The records a snapshot of a replica's state is made of, in the order <see cref="ReplicaSnapshot"/>
/// writes them: one <see cref="Begin"/>, the sessions, then the znodes in depth-first order (each
/// ACL before the first node that uses it), then one <see cref="End"/>. Every record is a tag byte
/// followed by jute-encoded fields; docs/storage-format.md gives them byte by byte.
/// </summary>
public enum SnapshotRecordKind : byte
{
    /// <summary>Format version (int), start zxid (long), session count (int), node count when the snapshot began (long).</summary>
    Begin = 1,

    /// <summary>Session id (long) and negotiated timeout in milliseconds (int).</summary>
    Session = 2,

    /// <summary>ACL id (int) and the ACL (vector of ACL); znodes refer to it by id, as ZooKeeper's ReferenceCountedACLCache.</summary>
    Acl = 3,

    /// <summary>Path (string), data (buffer), ACL id (int) and the 60-byte StatPersisted.</summary>
    Node = 4,

    /// <summary>Nodes written (long), sessions written (int), ACLs written (int).</summary>
    End = 5,
}

/// <summary>Constants of the snapshot record stream.</summary>
public static class SnapshotRecords
{
    /// <summary>The version of the record layout, written in the <see cref="SnapshotRecordKind.Begin"/> record.</summary>
    public const int FormatVersion = 1;
}
