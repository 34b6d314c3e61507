// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Shell.Commands;

/// <summary><c>close</c>: closes the session; later commands print <c>Not connected</c> until <c>connect</c>.</summary>
internal sealed class CloseCommand() : ShellCommand("close", string.Empty)
{
    public override void Parse(IReadOnlyList<string> words, ShellOutput output)
    {
    }

    public override Task ExecuteAsync(ShellContext context) => context.Connection.CloseAsync();
}
