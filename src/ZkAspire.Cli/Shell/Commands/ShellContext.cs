// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>What a command runs with: the live handle and the output.</summary>
/// <param name="Connection">The handle.</param>
/// <param name="Output">stdout and stderr.</param>
internal sealed record ShellContext(ShellConnection Connection, ShellOutput Output)
{
    /// <summary>Gets the client.</summary>
    public ZooKeeperClient Client => Connection.Client;

    /// <summary>Gets zkCli's default watcher, which prints the events.</summary>
    public Action<WatchedEvent> Watcher => Connection.Watcher;
}
