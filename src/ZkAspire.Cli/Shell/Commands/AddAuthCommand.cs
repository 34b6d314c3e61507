// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using ZkAspire.Cli.Shell.Parsing;
using ZkAspire.Client;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>
/// <c>addauth scheme auth</c>: adds credentials to the session. It prints nothing and never fails,
/// as zkCli's (the Java <c>addAuthInfo</c> does not wait for the answer): credentials the server
/// rejects end the session, and the watcher prints <c>state:AuthFailed</c>.
/// </summary>
internal sealed class AddAuthCommand() : ShellCommand("addauth", "scheme auth")
{
    private static readonly OptionSet Options = new();
    private static readonly TimeSpan DeathWait = TimeSpan.FromSeconds(5);

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
        // zkCli sends null credentials when none are given; the wire has no null here that the
        // server treats differently from empty ones (both fail digest authentication).
        var auth = _parsed.Args.Count >= 3 ? Encoding.UTF8.GetBytes(_parsed.Args[2]) : [];
        var info = new AuthInfo(_parsed.Args[1], auth);
        try
        {
            // As zkCli's, the credentials go out on the session's connection once it is there:
            // wait for it first, so the SyncConnected event is printed before a rejection ends
            // the session.
            await context.Connection.CallAsync(null, _ => Task.FromResult(true)).ConfigureAwait(false);
        }
        catch (KeeperException)
        {
            // Not connected: the client keeps the credentials for the next connection all the same.
        }

        try
        {
            // Waiting for the answer keeps the order with the next command; the client keeps the
            // credentials for later connections even when this one is lost.
            await context.Connection.CallAsync(
                null,
                async ct =>
                {
                    await context.Client.AddAuthAsync(info, ct).ConfigureAwait(false);
                    return true;
                },
                waitForConnection: false).ConfigureAwait(false);
        }
        catch (AuthFailedException)
        {
            // The session is over: let the watcher print AuthFailed, so that the next command
            // says "Not connected" rather than racing the event.
            await context.Connection.WaitUntilDeadAsync(DeathWait).ConfigureAwait(false);
        }
        catch (KeeperException)
        {
            // A lost connection: the next command reports it.
        }
    }
}
