// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>The session moved to another server; the request was not applied.</summary>
public sealed class SessionMovedException : KeeperException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The client path of the operation, if any.</param>
    /// <param name="message">A message; by default the Java client's.</param>
    /// <param name="innerException">The cause, if any.</param>
    public SessionMovedException(string? path = null, string? message = null, Exception? innerException = null)
        : base(KeeperErrorCode.SessionMoved, path, message, innerException)
    {
    }
}
