// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Bench;

/// <summary>A workload could not run at all: no connection, or its setup failed.</summary>
internal sealed class BenchRunException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public BenchRunException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
