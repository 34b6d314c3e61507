// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server;

/// <summary>
/// The server cannot use its data directory (<c>dataDir</c> or <c>dataLogDir</c>): it cannot be
/// created, read or written, or another server holds it. ZooKeeper's
/// <c>FileTxnSnapLog.DatadirException</c>; the program exits with ZooKeeper's
/// <c>UNABLE_TO_ACCESS_DATADIR</c> (3). Damaged contents are a
/// <see cref="ZkAspire.Server.Storage.StorageCorruptionException"/> instead.
/// </summary>
public sealed class DataDirectoryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DataDirectoryException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    public DataDirectoryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The IO error.</param>
    public DataDirectoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
