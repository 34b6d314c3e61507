// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>
/// Request types of the ZooKeeper client protocol (<c>ZooDefs.OpCode</c>), as carried in
/// <see cref="RequestHeader.Type"/>.
/// </summary>
public enum OpCode
{
    /// <summary>Notification; never sent as a request.</summary>
    Notification = 0,
    /// <summary>Create a znode; replies with <see cref="CreateResponse"/>.</summary>
    Create = 1,
    /// <summary>Delete a znode.</summary>
    Delete = 2,
    /// <summary>Stat a znode, optionally leaving a watch.</summary>
    Exists = 3,
    /// <summary>Read a znode's data.</summary>
    GetData = 4,
    /// <summary>Write a znode's data.</summary>
    SetData = 5,
    /// <summary>Read a znode's ACL.</summary>
    GetACL = 6,
    /// <summary>Write a znode's ACL.</summary>
    SetACL = 7,
    /// <summary>List a znode's children.</summary>
    GetChildren = 8,
    /// <summary>Bring the connected server up to date with the leader.</summary>
    Sync = 9,
    /// <summary>Heartbeat (xid −2).</summary>
    Ping = 11,
    /// <summary>List children and the parent's Stat.</summary>
    GetChildren2 = 12,
    /// <summary>Version check; only legal inside <see cref="Multi"/>.</summary>
    Check = 13,
    /// <summary>Atomic batch of write operations.</summary>
    Multi = 14,
    /// <summary>Create a znode; replies with <see cref="Create2Response"/>.</summary>
    Create2 = 15,
    /// <summary>Dynamic reconfiguration (quorum only).</summary>
    Reconfig = 16,
    /// <summary>Ask whether a watch is registered.</summary>
    CheckWatches = 17,
    /// <summary>Remove watches.</summary>
    RemoveWatches = 18,
    /// <summary>Create a container znode.</summary>
    CreateContainer = 19,
    /// <summary>Server-internal container deletion.</summary>
    DeleteContainer = 20,
    /// <summary>Create a znode with a time to live.</summary>
    CreateTTL = 21,
    /// <summary>Batch of read operations, executed independently.</summary>
    MultiRead = 22,
    /// <summary>Authentication packet (xid −4).</summary>
    Auth = 100,
    /// <summary>Re-register one-shot watches after a reconnect.</summary>
    SetWatches = 101,
    /// <summary>SASL token exchange.</summary>
    Sasl = 102,
    /// <summary>List the session's ephemeral znodes.</summary>
    GetEphemerals = 103,
    /// <summary>Count all descendants of a znode.</summary>
    GetAllChildrenNumber = 104,
    /// <summary>Re-register one-shot and persistent watches after a reconnect.</summary>
    SetWatches2 = 105,
    /// <summary>Add a persistent or persistent recursive watch.</summary>
    AddWatch = 106,
    /// <summary>List the connection's authenticated identities.</summary>
    WhoAmI = 107,
    /// <summary>Internal transaction type: session creation.</summary>
    CreateSession = -10,
    /// <summary>Close the session; the server replies and closes the socket.</summary>
    CloseSession = -11,
    /// <summary>Internal transaction type; also the result type of a failed op inside a multi.</summary>
    Error = -1,
}
