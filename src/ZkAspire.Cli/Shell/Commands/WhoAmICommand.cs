// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Shell.Commands;

/// <summary><c>whoami</c>: the identities the server knows the session by, one <c>scheme: user</c> line each.</summary>
internal sealed class WhoAmICommand() : ShellCommand("whoami", string.Empty)
{
    public override void Parse(IReadOnlyList<string> words, ShellOutput output)
    {
    }

    public override async Task ExecuteAsync(ShellContext context)
    {
        var identities = await CallAsync(context, null, (client, ct) => client.WhoAmIAsync(ct)).ConfigureAwait(false);
        context.Output.Out("Auth scheme: User");
        foreach (var identity in identities)
        {
            context.Output.Out((identity.AuthScheme ?? "null") + ": " + (identity.User ?? "null"));
        }
    }
}
