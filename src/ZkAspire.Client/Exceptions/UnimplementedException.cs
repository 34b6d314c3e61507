// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>An operation the server does not implement or has disabled, e.g. a TTL create without <c>zookeeper.extendedTypesEnabled</c>.</summary>
public sealed class UnimplementedException : KeeperException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The client path of the operation, if any.</param>
    /// <param name="message">A message; by default the Java client's.</param>
    /// <param name="innerException">The cause, if any.</param>
    public UnimplementedException(string? path = null, string? message = null, Exception? innerException = null)
        : base(KeeperErrorCode.Unimplemented, path, message, innerException)
    {
    }
}
