// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell.Parsing;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary><c>stat [-w] path</c>: prints the Stat (exists); with <c>-w</c> the watch is left even when the node does not exist.</summary>
internal sealed class StatCommand() : ShellCommand("stat", "[-w] path")
{
    private static readonly OptionSet Options = new OptionSet().Add("w", false, "watch");

    private ParsedCommand _parsed = null!;

    public override void Parse(IReadOnlyList<string> words, ShellOutput output)
    {
        _parsed = ParseOptions(Options, words);
        if (_parsed.Args.Count < 2)
        {
            throw new CliException(Usage);
        }

        _parsed = RewriteWatchArgument(Options, words, _parsed, output, "'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.");
    }

    public override async Task ExecuteAsync(ShellContext context)
    {
        var path = _parsed.Args[1];
        var watch = _parsed.Has("w");
        ValidatePath(path);
        var stat = await CallAsync(context, path, (client, ct) => watch
            ? client.ExistsAsync(path, context.Watcher, ct)
            : client.ExistsAsync(path, ct)).ConfigureAwait(false);
        if (stat is not { } found)
        {
            throw CliException.FromKeeper(KeeperErrorCode.NoNode, path);
        }

        StatPrinter.Print(context.Output, found);
    }
}
