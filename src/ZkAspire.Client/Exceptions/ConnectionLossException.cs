// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>
/// The connection to the server was lost, or none could be made in time, before the operation
/// completed (<c>ConnectionLoss</c>).
/// </summary>
/// <remarks>
/// <see cref="RequestSent"/> says whether the outcome is unknown: a request that never left the
/// client was certainly not applied and is always safe to retry, while one that was written to a
/// connection that then broke may or may not have been applied. The retry loop uses this to retry
/// writes only when that is safe (see <see cref="IRetryPolicy"/>).
/// </remarks>
public sealed class ConnectionLossException : KeeperException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The client path of the operation, if any.</param>
    /// <param name="requestSent">Whether the request had been written to the connection.</param>
    /// <param name="message">A message; by default the Java client's.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ConnectionLossException(string? path = null, bool requestSent = true, string? message = null, Exception? innerException = null)
        : base(KeeperErrorCode.ConnectionLoss, path, message, innerException)
    {
        RequestSent = requestSent;
    }

    /// <summary>
    /// Gets whether the request had been written to a connection before it broke; if
    /// <see langword="false"/>, the server never saw it.
    /// </summary>
    public bool RequestSent { get; }
}
