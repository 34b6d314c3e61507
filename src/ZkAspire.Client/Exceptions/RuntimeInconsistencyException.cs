// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>A runtime inconsistency; in a failed transaction, the code of the ops after the failing one.</summary>
public sealed class RuntimeInconsistencyException : KeeperException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The client path of the operation, if any.</param>
    /// <param name="message">A message; by default the Java client's.</param>
    /// <param name="innerException">The cause, if any.</param>
    public RuntimeInconsistencyException(string? path = null, string? message = null, Exception? innerException = null)
        : base(KeeperErrorCode.RuntimeInconsistency, path, message, innerException)
    {
    }
}
