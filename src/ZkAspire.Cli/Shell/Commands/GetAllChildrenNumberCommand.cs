// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Cli.Shell.Parsing;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary><c>getAllChildrenNumber path</c>: the number of descendants.</summary>
internal sealed class GetAllChildrenNumberCommand() : ShellCommand("getAllChildrenNumber", "path")
{
    private static readonly OptionSet Options = new();

    private ParsedCommand _parsed = null!;

    public override void Parse(IReadOnlyList<string> words, ShellOutput output) => _parsed = ParseOptions(Options, words);

    public override async Task ExecuteAsync(ShellContext context)
    {
        if (_parsed.Args.Count < 2)
        {
            throw new CliException(Usage);
        }

        var path = _parsed.Args[1];
        ValidatePath(path);
        var count = await CallAsync(context, path, (client, ct) => client.GetAllChildrenNumberAsync(path, ct)).ConfigureAwait(false);
        context.Output.Out(count.ToString(CultureInfo.InvariantCulture));
    }
}
