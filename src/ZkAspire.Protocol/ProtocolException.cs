// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>
/// Bytes that do not form a valid frame or record: a negative or oversized length, a truncated
/// record, invalid UTF-8, an unknown type. The only exception the decoder lets escape.
/// </summary>
public sealed class ProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProtocolException()
        : this("Malformed ZooKeeper protocol data.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong with the bytes.</param>
    public ProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was wrong with the bytes.</param>
    /// <param name="innerException">The cause.</param>
    public ProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
