// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell.Parsing;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>
/// <c>addWatch [-m mode] path</c>: a persistent watch (recursive by default) with the default
/// watcher, so its events are printed until it is removed.
/// </summary>
internal sealed class AddWatchCommand() : ShellCommand("addWatch", "[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE")
{
    private static readonly OptionSet Options = new OptionSet().Add("m", true, string.Empty);

    private ParsedCommand _parsed = null!;
    private AddWatchMode _mode = AddWatchMode.PersistentRecursive;

    public override void Parse(IReadOnlyList<string> words, ShellOutput output)
    {
        _parsed = ParseOptions(Options, words);
        if (_parsed.Args.Count != 2)
        {
            throw new CliException(Usage);
        }

        if (_parsed.Value("m") is { } mode)
        {
            // AddWatchMode.valueOf(mode.toUpperCase()).
            _mode = mode.ToUpperInvariant() switch
            {
                "PERSISTENT" => AddWatchMode.Persistent,
                "PERSISTENT_RECURSIVE" => AddWatchMode.PersistentRecursive,
                _ => throw new CliException(Usage),
            };
        }
    }

    public override async Task ExecuteAsync(ShellContext context)
    {
        var path = _parsed.Args[1];

        // zkCli lets the client's IllegalArgumentException for a bad path escape, and the shell
        // dies; we report it as the other commands do.
        ValidatePath(path);
        await CallAsync(context, path, (client, ct) => client.AddWatchAsync(path, _mode, context.Watcher, ct)).ConfigureAwait(false);
    }
}
