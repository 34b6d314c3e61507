// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Bench.Failover;

/// <summary>
/// How the failover workload kills a server and brings it back: shell commands on the command line
/// (<see cref="ShellFailoverControl"/>); the side-by-side run passes its process harness instead.
/// </summary>
internal interface IFailoverControl
{
    /// <summary>Gets whether <see cref="RestartAsync"/> can bring a killed server back (needed for more than one round).</summary>
    bool CanRestart { get; }

    /// <summary>Kills a server; returns once it is killed (for <c>kill -9</c>: once the signal is sent).</summary>
    /// <param name="server">The leader.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task.</returns>
    /// <exception cref="BenchRunException">The kill failed.</exception>
    Task KillAsync(FailoverServer server, CancellationToken cancellationToken);

    /// <summary>Starts a killed server again on its ports and data; returns once it is started (not yet serving).</summary>
    /// <param name="server">The server killed before.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task.</returns>
    /// <exception cref="BenchRunException">The restart failed.</exception>
    Task RestartAsync(FailoverServer server, CancellationToken cancellationToken);
}
