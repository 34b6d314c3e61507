// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Cli.Shell.Parsing;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary><c>get [-s] [-w] path</c>: prints the data as UTF-8 (<c>null</c> for null data), then the Stat with <c>-s</c>.</summary>
internal sealed class GetCommand() : ShellCommand("get", "[-s] [-w] path")
{
    private static readonly OptionSet Options = new OptionSet()
        .Add("s", false, "stats")
        .Add("w", false, "watch");

    private ParsedCommand _parsed = null!;

    public override void Parse(IReadOnlyList<string> words, ShellOutput output)
    {
        _parsed = ParseOptions(Options, words);
        if (_parsed.Args.Count < 2)
        {
            throw new CliException(Usage);
        }

        _parsed = RewriteWatchArgument(Options, words, _parsed, output, "'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.");
    }

    public override async Task ExecuteAsync(ShellContext context)
    {
        var watch = _parsed.Has("w");
        var path = _parsed.Args[1];
        ValidatePath(path);
        var node = await CallAsync(context, path, (client, ct) => watch
            ? client.GetDataAsync(path, context.Watcher, ct)
            : client.GetDataAsync(path, ct)).ConfigureAwait(false);
        context.Output.Out(node.Data is null ? "null" : Encoding.UTF8.GetString(node.Data));
        if (_parsed.Has("s"))
        {
            StatPrinter.Print(context.Output, node.Stat);
        }
    }
}
