// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>A request the server could not decode, or one too large to send (larger than <c>jute.maxbuffer</c>).</summary>
public sealed class MarshallingErrorException : KeeperException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The client path of the operation, if any.</param>
    /// <param name="message">A message; by default the Java client's.</param>
    /// <param name="innerException">The cause, if any.</param>
    public MarshallingErrorException(string? path = null, string? message = null, Exception? innerException = null)
        : base(KeeperErrorCode.MarshallingError, path, message, innerException)
    {
    }
}
