// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>
/// Error codes of the ZooKeeper protocol (<c>KeeperException.Code</c>), as carried in
/// <see cref="ReplyHeader.Err"/> and in multi results.
/// </summary>
public enum KeeperErrorCode
{
    /// <summary>Everything is fine.</summary>
    Ok = 0,
    /// <summary>A generic system error.</summary>
    SystemError = -1,
    /// <summary>A runtime inconsistency; in a failed multi, the ops after the failing one.</summary>
    RuntimeInconsistency = -2,
    /// <summary>A data inconsistency.</summary>
    DataInconsistency = -3,
    /// <summary>The connection to the server was lost (client side).</summary>
    ConnectionLoss = -4,
    /// <summary>The request could not be decoded, or was malformed.</summary>
    MarshallingError = -5,
    /// <summary>The operation is not implemented or not enabled.</summary>
    Unimplemented = -6,
    /// <summary>The operation timed out (client side).</summary>
    OperationTimeout = -7,
    /// <summary>Invalid arguments: a bad path, bad flags, a bad TTL, a reserved node.</summary>
    BadArguments = -8,
    /// <summary>Unknown session (internal).</summary>
    UnknownSession = -12,
    /// <summary>A reconfiguration would leave no quorum.</summary>
    NewConfigNoQuorum = -13,
    /// <summary>Another reconfiguration is in progress.</summary>
    ReconfigInProgress = -14,
    /// <summary>Base of the API errors; never sent.</summary>
    APIError = -100,
    /// <summary>The node does not exist.</summary>
    NoNode = -101,
    /// <summary>The ACL does not allow the operation.</summary>
    NoAuth = -102,
    /// <summary>The expected version does not match.</summary>
    BadVersion = -103,
    /// <summary>Ephemeral nodes may not have children.</summary>
    NoChildrenForEphemerals = -108,
    /// <summary>The node already exists.</summary>
    NodeExists = -110,
    /// <summary>The node has children.</summary>
    NotEmpty = -111,
    /// <summary>The session has expired.</summary>
    SessionExpired = -112,
    /// <summary>An invalid callback was specified (client side).</summary>
    InvalidCallback = -113,
    /// <summary>The ACL is invalid.</summary>
    InvalidACL = -114,
    /// <summary>Authentication failed.</summary>
    AuthFailed = -115,
    /// <summary>The session moved to another server.</summary>
    SessionMoved = -118,
    /// <summary>A write was sent to a read-only server.</summary>
    NotReadOnly = -119,
    /// <summary>An ephemeral create was attempted on a local session.</summary>
    EphemeralOnLocalSession = -120,
    /// <summary>The watch to check or remove does not exist.</summary>
    NoWatcher = -121,
    /// <summary>The request timed out (client side).</summary>
    RequestTimeout = -122,
    /// <summary>Reconfiguration is disabled.</summary>
    ReconfigDisabled = -123,
    /// <summary>The server requires SASL authentication.</summary>
    SessionClosedRequireSaslAuth = -124,
    /// <summary>A hard quota was exceeded.</summary>
    QuotaExceeded = -125,
    /// <summary>The server throttled the request.</summary>
    Throttled = -127,
}
