// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Bench;

/// <summary>A bad argument to <c>zkaspire bench</c>; the message says which and why.</summary>
internal sealed class BenchArgumentException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, without the program name.</param>
    public BenchArgumentException(string message)
        : base(message)
    {
    }
}
