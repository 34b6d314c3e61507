// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>The server rejected credentials; it then closes the connection and the client stops, as the Java client does.</summary>
public sealed class AuthFailedException : KeeperException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The client path of the operation, if any.</param>
    /// <param name="message">A message; by default the Java client's.</param>
    /// <param name="innerException">The cause, if any.</param>
    public AuthFailedException(string? path = null, string? message = null, Exception? innerException = null)
        : base(KeeperErrorCode.AuthFailed, path, message, innerException)
    {
    }
}
