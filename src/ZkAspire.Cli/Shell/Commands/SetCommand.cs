// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Cli.Shell.Parsing;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary><c>set [-s] [-v version] path data</c>: sets the data (UTF-8); prints the new Stat with <c>-s</c>.</summary>
internal sealed class SetCommand() : ShellCommand("set", "[-s] [-v version] path data")
{
    private static readonly OptionSet Options = new OptionSet()
        .Add("s", false, "stats")
        .Add("v", true, "version");

    private ParsedCommand _parsed = null!;

    public override void Parse(IReadOnlyList<string> words, ShellOutput output)
    {
        _parsed = ParseOptions(Options, words);
        if (_parsed.Args.Count < 3)
        {
            throw new CliException(Usage);
        }
    }

    public override async Task ExecuteAsync(ShellContext context)
    {
        var path = _parsed.Args[1];
        var data = Encoding.UTF8.GetBytes(_parsed.Args[2]);
        var version = ParseVersion(_parsed);
        ValidatePath(path);
        var stat = await CallAsync(context, path, (client, ct) => client.SetDataAsync(path, data, version, ct)).ConfigureAwait(false);
        if (_parsed.Has("s"))
        {
            StatPrinter.Print(context.Output, stat);
        }
    }
}
