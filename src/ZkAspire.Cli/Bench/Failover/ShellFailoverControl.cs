// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Bench.Failover;

/// <summary>Kills and restarts servers with the user's <c>--kill-command</c> and <c>--restart-command</c>.</summary>
/// <param name="killCommand">The kill command, with placeholders.</param>
/// <param name="restartCommand">The restart command, with placeholders; null when none was given.</param>
internal sealed class ShellFailoverControl(string killCommand, string? restartCommand) : IFailoverControl
{
    /// <inheritdoc/>
    public bool CanRestart => restartCommand is not null;

    /// <inheritdoc/>
    public Task KillAsync(FailoverServer server, CancellationToken cancellationToken) =>
        FailoverCommand.RunAsync("kill", FailoverCommand.Expand(killCommand, server), cancellationToken);

    /// <inheritdoc/>
    public Task RestartAsync(FailoverServer server, CancellationToken cancellationToken) =>
        FailoverCommand.RunAsync("restart", FailoverCommand.Expand(restartCommand ?? throw new InvalidOperationException("No restart command."), server), cancellationToken);
}
