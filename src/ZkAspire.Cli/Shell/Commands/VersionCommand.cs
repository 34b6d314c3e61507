// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell.Parsing;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary><c>version</c>: <c>ZooKeeper CLI version: 3.9.3-zkaspire-0.1.0, built on …</c>.</summary>
internal sealed class VersionCommand() : ShellCommand("version", string.Empty)
{
    private static readonly OptionSet Options = new();

    public override void Parse(IReadOnlyList<string> words, ShellOutput output)
    {
        if (ParseOptions(Options, words).Args.Count > 1)
        {
            throw new CliException(Usage);
        }
    }

    public override Task ExecuteAsync(ShellContext context)
    {
        context.Output.Out("ZooKeeper CLI version: " + CliVersion.FullVersion);
        return Task.CompletedTask;
    }
}
