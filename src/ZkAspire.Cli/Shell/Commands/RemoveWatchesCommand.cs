// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell.Parsing;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>
/// <c>removewatches path [-c|-d|-a] [-l]</c>: removes the shell's child, data or all watches on a
/// path (all by default); the watcher prints a *WatchRemoved event for each kind removed. With
/// <c>-l</c> they are removed locally even when the server cannot be asked.
/// </summary>
internal sealed class RemoveWatchesCommand() : ShellCommand("removewatches", "path [-c|-d|-a] [-l]")
{
    private static readonly OptionSet Options = new OptionSet()
        .Add("c", false, "child watcher type")
        .Add("d", false, "data watcher type")
        .Add("a", false, "any watcher type")
        .Add("l", false, "remove locally when there is no server connection");

    private static readonly TimeSpan EventWait = TimeSpan.FromSeconds(5);

    private static readonly (WatcherType Kind, EventType Removed)[] RemovedEvents =
    [
        (WatcherType.Data, EventType.DataWatchRemoved),
        (WatcherType.Children, EventType.ChildWatchRemoved),
        (WatcherType.Persistent, EventType.PersistentWatchRemoved),
        (WatcherType.PersistentRecursive, EventType.PersistentWatchRemoved),
    ];

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
        var type = _parsed.Has("c") ? WatcherType.Children
            : _parsed.Has("d") ? WatcherType.Data
            : WatcherType.Any;
        var local = _parsed.Has("l");
        ValidatePath(path);

        // One *WatchRemoved event comes for each kind of watch removed; wait for them, so that
        // they are printed before whatever the next command prints, as zkCli's usually are.
        var expected = new List<EventType>();
        foreach (var (kind, removed) in RemovedEvents)
        {
            if ((type == WatcherType.Any || type == kind) && await context.Client.CheckWatchesAsync(path, kind, local: true).ConfigureAwait(false))
            {
                expected.Add(removed);
            }
        }

        using var events = context.Connection.Expect(path, expected.Distinct());
        await CallAsync(context, path, (client, ct) => client.RemoveAllWatchesAsync(path, type, local, ct)).ConfigureAwait(false);
        await events.WaitAsync(EventWait).ConfigureAwait(false);
    }
}
