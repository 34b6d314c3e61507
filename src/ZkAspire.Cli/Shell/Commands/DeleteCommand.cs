// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell.Parsing;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary><c>delete [-v version] path</c>: deletes a node without children.</summary>
internal sealed class DeleteCommand() : ShellCommand("delete", "[-v version] path")
{
    private static readonly OptionSet Options = new OptionSet().Add("v", true, "version");

    private ParsedCommand _parsed = null!;

    public override void Parse(IReadOnlyList<string> words, ShellOutput output)
    {
        _parsed = ParseOptions(Options, words);
        if (_parsed.Args.Count < 2)
        {
            throw new CliException(Usage);
        }

        if (_parsed.Args.Count > 2)
        {
            // zkCli warns about the old 'delete path version' form, parses the same words again,
            // and ignores the version: so do we.
            output.Err("'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.");
            _parsed = ParseOptions(Options, words);
        }
    }

    public override async Task ExecuteAsync(ShellContext context)
    {
        var path = _parsed.Args[1];
        var version = ParseVersion(_parsed);
        ValidatePath(path);
        await CallAsync(context, path, (client, ct) => client.DeleteAsync(path, version, ct)).ConfigureAwait(false);
    }
}
