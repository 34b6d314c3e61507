// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Cli.Shell.Parsing;
using ZkAspire.Client;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>
/// <c>sync path</c>: prints <c>Sync is OK</c>, or <c>Sync has failed. rc=N</c> with the error
/// code (on stdout, and the command succeeds: zkCli's async callback only reports the code).
/// </summary>
internal sealed class SyncCommand() : ShellCommand("sync", "path")
{
    /// <summary>zkCli's <c>SYNC_TIMEOUT</c>.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly OptionSet Options = new();

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
        try
        {
            await context.Connection.CallAsync(path, ct => context.Client.SyncAsync(path, ct)).WaitAsync(Timeout).ConfigureAwait(false);
            context.Output.Out("Sync is OK");
        }
        catch (KeeperException e)
        {
            context.Output.Out("Sync has failed. rc=" + ((int)e.Code).ToString(CultureInfo.InvariantCulture));
        }
        catch (TimeoutException e)
        {
            // zkCli wraps the TimeoutException, whose message is null, and prints that.
            throw new CliException("null", e);
        }
    }
}
