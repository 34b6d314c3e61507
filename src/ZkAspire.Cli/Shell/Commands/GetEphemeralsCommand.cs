// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell.Parsing;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>
/// <c>getEphemerals path</c>: the session's ephemeral nodes whose path starts with the given one
/// (all of them without a path), as a Java list in the server's order.
/// </summary>
internal sealed class GetEphemeralsCommand() : ShellCommand("getEphemerals", "path")
{
    private static readonly OptionSet Options = new();

    private ParsedCommand _parsed = null!;

    public override void Parse(IReadOnlyList<string> words, ShellOutput output) => _parsed = ParseOptions(Options, words);

    public override async Task ExecuteAsync(ShellContext context)
    {
        var path = _parsed.Args.Count < 2 ? PathUtils.Root : _parsed.Args[1];
        ValidatePath(path);
        var ephemerals = await CallAsync(context, path, (client, ct) => client.GetEphemeralsAsync(path, ct)).ConfigureAwait(false);
        context.Output.Out(JavaText.List(ephemerals));
    }
}
