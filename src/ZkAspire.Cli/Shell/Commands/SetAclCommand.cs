// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell.Parsing;
using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>
/// <c>setAcl [-s] [-v version] [-R] path acl</c>: sets the ACL; with <c>-R</c> on every node of
/// the subtree, where a node that fails prints the error's message without a line break (zkCli
/// <c>out.print</c>s it) and the walk goes on.
/// </summary>
internal sealed class SetAclCommand() : ShellCommand("setAcl", "[-s] [-v version] [-R] path acl")
{
    private static readonly OptionSet Options = new OptionSet()
        .Add("s", false, "stats")
        .Add("v", true, "version")
        .Add("R", false, "recursive");

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
        var acl = AclParser.Parse(_parsed.Args[2], context.Output);
        var version = ParseVersion(_parsed);
        ValidatePath(path);
        try
        {
            if (_parsed.Has("R"))
            {
                await Subtree.VisitDepthFirstAsync(context, path, watch: false, async node =>
                {
                    try
                    {
                        await SetAsync(context, node, acl, version).ConfigureAwait(false);
                    }
                    catch (KeeperException e)
                    {
                        context.Output.OutRaw(KeeperException.FormatMessage(e.Code, e.Path));
                    }
                }).ConfigureAwait(false);
                return;
            }

            var stat = await SetAsync(context, path, acl, version).ConfigureAwait(false);
            if (_parsed.Has("s"))
            {
                StatPrinter.Print(context.Output, stat);
            }
        }
        catch (KeeperException e)
        {
            throw CliException.FromKeeper(e.Code, e.Path, e);
        }
    }

    private static Task<Stat> SetAsync(ShellContext context, string path, List<ACL> acl, int version)
    {
        // The Java client rejects an empty ACL itself, with an InvalidACLException without a path.
        if (acl.Count == 0)
        {
            throw new KeeperException(KeeperErrorCode.InvalidACL);
        }

        return context.Connection.CallAsync(path, ct => context.Client.SetAclAsync(path, acl, version, ct));
    }
}
