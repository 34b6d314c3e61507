// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Bench.Workloads;

/// <summary>A watch the watch workload waited on was ended by a connection event instead of firing.</summary>
internal sealed class WatchLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="what">The event that ended the watch.</param>
    public WatchLostException(string what)
        : base("the watch ended with " + what)
    {
        What = what;
    }

    /// <summary>Gets the event that ended the watch.</summary>
    public string What { get; }
}
