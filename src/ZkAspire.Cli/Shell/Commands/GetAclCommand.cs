// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell.Parsing;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>
/// <c>getAcl [-s] path</c>: prints each entry as zkCli does, the id as a jute record (which ends in a
/// line break) then the permissions: <c>'world,'anyone</c> / <c>: cdrwa</c>.
/// </summary>
internal sealed class GetAclCommand() : ShellCommand("getAcl", "[-s] path")
{
    private static readonly OptionSet Options = new OptionSet().Add("s", false, "stats");

    private ParsedCommand _parsed = null!;

    public override void Parse(IReadOnlyList<string> words, ShellOutput output)
    {
        _parsed = ParseOptions(Options, words);
        if (_parsed.Args.Count < 2)
        {
            throw new CliException(Usage);
        }
    }

    public override async Task ExecuteAsync(ShellContext context)
    {
        var path = _parsed.Args[1];
        ValidatePath(path);
        var result = await CallAsync(context, path, (client, ct) => client.GetAclAsync(path, ct)).ConfigureAwait(false);
        foreach (var entry in result.Acl)
        {
            context.Output.Out(JavaText.IdRecord(entry.Id) + ": " + JavaText.Permissions(entry.Perms));
        }

        if (_parsed.Has("s"))
        {
            StatPrinter.Print(context.Output, result.Stat);
        }
    }
}
