// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>
/// An error answered by a ZooKeeper server or detected by the client, carrying ZooKeeper's
/// <see cref="KeeperErrorCode"/> and the path of the operation (<c>KeeperException</c>).
/// </summary>
/// <remarks>
/// Each common code has its own subclass (<see cref="NoNodeException"/>, <see cref="BadVersionException"/>,
/// …), so callers catch the cases they handle. <see cref="Create(KeeperErrorCode, string?)"/> maps a
/// code to its subclass. The message is the Java client's (<c>KeeperErrorCode = NoNode for /a</c>),
/// so tools that print it read the same as zkCli.
/// </remarks>
public class KeeperException : Exception
{
    /// <summary>Creates an exception for a code.</summary>
    /// <param name="code">The error code.</param>
    /// <param name="path">The client path of the operation, if any.</param>
    /// <param name="message">A message; by default the Java client's.</param>
    /// <param name="innerException">The cause, if any.</param>
    public KeeperException(KeeperErrorCode code, string? path = null, string? message = null, Exception? innerException = null)
        : base(message ?? FormatMessage(code, path), innerException)
    {
        Code = code;
        Path = path;
    }

    /// <summary>Gets the error code.</summary>
    public KeeperErrorCode Code { get; }

    /// <summary>Gets the client path of the failed operation, if any.</summary>
    public string? Path { get; }

    /// <summary>
    /// Gets, for a failed <see cref="Transaction"/>, the result of every op in order: ops before the
    /// failing one report <see cref="KeeperErrorCode.Ok"/>, the failing op its code and the ops after
    /// it <see cref="KeeperErrorCode.RuntimeInconsistency"/> (the wire-protocol reference, §14.3).
    /// </summary>
    public IReadOnlyList<OperationResult>? Results { get; internal set; }

    /// <summary>Creates the exception subclass for a code.</summary>
    /// <param name="code">The error code; must not be <see cref="KeeperErrorCode.Ok"/>.</param>
    /// <param name="path">The client path of the operation, if any.</param>
    /// <returns>The exception.</returns>
    public static KeeperException Create(KeeperErrorCode code, string? path = null) => code switch
    {
        KeeperErrorCode.SystemError => new SystemErrorException(path),
        KeeperErrorCode.RuntimeInconsistency => new RuntimeInconsistencyException(path),
        KeeperErrorCode.DataInconsistency => new DataInconsistencyException(path),
        KeeperErrorCode.ConnectionLoss => new ConnectionLossException(path, requestSent: true),
        KeeperErrorCode.MarshallingError => new MarshallingErrorException(path),
        KeeperErrorCode.Unimplemented => new UnimplementedException(path),
        KeeperErrorCode.OperationTimeout => new OperationTimeoutException(path),
        KeeperErrorCode.BadArguments => new BadArgumentsException(path),
        KeeperErrorCode.NewConfigNoQuorum => new NewConfigNoQuorumException(path),
        KeeperErrorCode.ReconfigInProgress => new ReconfigInProgressException(path),
        KeeperErrorCode.NoNode => new NoNodeException(path),
        KeeperErrorCode.NoAuth => new NoAuthException(path),
        KeeperErrorCode.BadVersion => new BadVersionException(path),
        KeeperErrorCode.NoChildrenForEphemerals => new NoChildrenForEphemeralsException(path),
        KeeperErrorCode.NodeExists => new NodeExistsException(path),
        KeeperErrorCode.NotEmpty => new NotEmptyException(path),
        KeeperErrorCode.SessionExpired => new SessionExpiredException(path),
        KeeperErrorCode.InvalidACL => new InvalidAclException(path),
        KeeperErrorCode.AuthFailed => new AuthFailedException(path),
        KeeperErrorCode.SessionMoved => new SessionMovedException(path),
        KeeperErrorCode.NotReadOnly => new NotReadOnlyException(path),
        KeeperErrorCode.EphemeralOnLocalSession => new EphemeralOnLocalSessionException(path),
        KeeperErrorCode.NoWatcher => new NoWatcherException(path),
        KeeperErrorCode.RequestTimeout => new RequestTimeoutException(path),
        KeeperErrorCode.ReconfigDisabled => new ReconfigDisabledException(path),
        KeeperErrorCode.SessionClosedRequireSaslAuth => new SessionClosedRequireSaslAuthException(path),
        KeeperErrorCode.QuotaExceeded => new QuotaExceededException(path),
        KeeperErrorCode.Throttled => new ThrottledException(path),
        KeeperErrorCode.Ok => throw new ArgumentException("Ok is not an error.", nameof(code)),
        _ => new KeeperException(code, path),
    };

    /// <summary>
    /// The Java client's text for a code (<c>KeeperException.getCodeMessage</c>), e.g. <c>NoNode</c>
    /// or <c>Directory not empty</c>.
    /// </summary>
    /// <param name="code">The code.</param>
    /// <returns>The text.</returns>
    public static string GetCodeMessage(KeeperErrorCode code) => code switch
    {
        KeeperErrorCode.Ok => "ok",
        KeeperErrorCode.SystemError => "SystemError",
        KeeperErrorCode.RuntimeInconsistency => "RuntimeInconsistency",
        KeeperErrorCode.DataInconsistency => "DataInconsistency",
        KeeperErrorCode.ConnectionLoss => "ConnectionLoss",
        KeeperErrorCode.MarshallingError => "MarshallingError",
        KeeperErrorCode.NewConfigNoQuorum => "NewConfigNoQuorum",
        KeeperErrorCode.ReconfigInProgress => "ReconfigInProgress",
        KeeperErrorCode.Unimplemented => "Unimplemented",
        KeeperErrorCode.OperationTimeout => "OperationTimeout",
        KeeperErrorCode.BadArguments => "BadArguments",
        KeeperErrorCode.APIError => "APIError",
        KeeperErrorCode.NoNode => "NoNode",
        KeeperErrorCode.NoAuth => "NoAuth",
        KeeperErrorCode.BadVersion => "BadVersion",
        KeeperErrorCode.NoChildrenForEphemerals => "NoChildrenForEphemerals",
        KeeperErrorCode.NodeExists => "NodeExists",
        KeeperErrorCode.InvalidACL => "InvalidACL",
        KeeperErrorCode.AuthFailed => "AuthFailed",
        KeeperErrorCode.NotEmpty => "Directory not empty",
        KeeperErrorCode.SessionExpired => "Session expired",
        KeeperErrorCode.InvalidCallback => "Invalid callback",
        KeeperErrorCode.SessionMoved => "Session moved",
        KeeperErrorCode.NotReadOnly => "Not a read-only call",
        KeeperErrorCode.EphemeralOnLocalSession => "Ephemeral node on local session",
        KeeperErrorCode.NoWatcher => "No such watcher",
        KeeperErrorCode.RequestTimeout => "Request timeout",
        KeeperErrorCode.ReconfigDisabled => "Reconfig is disabled",
        KeeperErrorCode.SessionClosedRequireSaslAuth => "Session closed because client failed to authenticate",
        KeeperErrorCode.QuotaExceeded => "Quota has exceeded",
        KeeperErrorCode.Throttled => "Op throttled due to high load",
        _ => "Unknown error " + code,
    };

    /// <summary>The Java client's message: <c>KeeperErrorCode = {code} for {path}</c>.</summary>
    /// <param name="code">The code.</param>
    /// <param name="path">The path, if any.</param>
    /// <returns>The message.</returns>
    public static string FormatMessage(KeeperErrorCode code, string? path) =>
        "KeeperErrorCode = " + GetCodeMessage(code) + (string.IsNullOrEmpty(path) ? string.Empty : " for " + path);
}
