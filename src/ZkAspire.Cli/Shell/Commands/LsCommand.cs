// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell.Parsing;
using ZkAspire.Client;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary><c>ls [-s] [-w] [-R] path</c>: lists children, sorted; with <c>-s</c> the node's Stat, with <c>-R</c> every descendant.</summary>
internal sealed class LsCommand() : ShellCommand("ls", "[-s] [-w] [-R] path")
{
    // commons-cli's HelpFormatter output for these options, as 'ls -?' prints it.
    private const string Help = """
        usage: ls [options] path
         -?   help
         -R   recurse
         -s   stat
         -w   watch
        """;

    private static readonly OptionSet Options = new OptionSet()
        .Add("?", false, "help")
        .Add("s", false, "stat")
        .Add("w", false, "watch")
        .Add("R", false, "recurse");

    private ParsedCommand _parsed = null!;

    public override void Parse(IReadOnlyList<string> words, ShellOutput output)
    {
        _parsed = ParseOptions(Options, words);
        if (_parsed.Has("?"))
        {
            output.Out(Help.ReplaceLineEndings("\n"));
        }

        _parsed = RewriteWatchArgument(Options, words, _parsed, output, "'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.");
    }

    public override async Task ExecuteAsync(ShellContext context)
    {
        if (_parsed.Args.Count < 2)
        {
            throw new CliException(Usage);
        }

        var path = _parsed.Args[1];
        var watch = _parsed.Has("w");
        ValidatePath(path);
        try
        {
            if (_parsed.Has("R"))
            {
                await Subtree.VisitDepthFirstAsync(context, path, watch, p =>
                {
                    context.Output.Out(p);
                    return Task.CompletedTask;
                }).ConfigureAwait(false);
                return;
            }

            var result = await context.Connection.CallAsync(path, ct => watch
                ? context.Client.GetChildrenWithStatAsync(path, context.Watcher, ct)
                : context.Client.GetChildrenWithStatAsync(path, ct)).ConfigureAwait(false);
            var children = result.Children.ToList();
            children.Sort(StringComparer.Ordinal);
            context.Output.Out(JavaText.List(children));
            if (_parsed.Has("s"))
            {
                StatPrinter.Print(context.Output, result.Stat);
            }
        }
        catch (KeeperException e)
        {
            throw CliException.FromKeeper(e.Code, e.Path, e);
        }
    }
}
