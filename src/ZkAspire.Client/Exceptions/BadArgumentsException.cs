// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>Arguments the server rejected: a bad path, bad flags, a bad TTL, or a reserved node.</summary>
public sealed class BadArgumentsException : KeeperException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The client path of the operation, if any.</param>
    /// <param name="message">A message; by default the Java client's.</param>
    /// <param name="innerException">The cause, if any.</param>
    public BadArgumentsException(string? path = null, string? message = null, Exception? innerException = null)
        : base(KeeperErrorCode.BadArguments, path, message, innerException)
    {
    }
}
