// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.Cli.Shell.Parsing;
using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>
/// <c>create [-s] [-e] [-c] [-t ttl] path [data] [acl]</c>: prints <c>Created /path</c> (with the
/// sequence suffix) on stderr, as zkCli does. Without data the node stores null; without an ACL
/// it is open to the world.
/// </summary>
internal sealed class CreateCommand() : ShellCommand("create", "[-s] [-e] [-c] [-t ttl] path [data] [acl]")
{
    private static readonly OptionSet Options = new OptionSet()
        .Add("e", false, "ephemeral")
        .Add("s", false, "sequential")
        .Add("c", false, "container")
        .Add("t", true, "ttl");

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
        var (hasE, hasS, hasC, hasT) = (_parsed.Has("e"), _parsed.Has("s"), _parsed.Has("c"), _parsed.Has("t"));
        if (hasC && (hasE || hasS))
        {
            throw new CliException("-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.");
        }

        long ttl = 0;
        if (hasT && !long.TryParse(_parsed.Value("t"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ttl))
        {
            throw new CliException("-t argument must be a long value");
        }

        if (hasT && hasE)
        {
            throw new CliException("TTLs cannot be used with Ephemeral znodes");
        }

        if (hasT && hasC)
        {
            throw new CliException("TTLs cannot be used with Container znodes");
        }

        var mode = (hasE, hasS, hasC) switch
        {
            (true, true, _) => CreateMode.EphemeralSequential,
            (true, false, _) => CreateMode.Ephemeral,
            (false, true, _) => hasT ? CreateMode.PersistentSequentialWithTtl : CreateMode.PersistentSequential,
            (false, false, true) => CreateMode.Container,
            _ => hasT ? CreateMode.PersistentWithTtl : CreateMode.Persistent,
        };

        // EphemeralType.TTL.toEphemeralOwner's range check.
        if (hasT && (ttl <= 0 || ttl > (long)ZooKeeperClient.MaxTtl.TotalMilliseconds))
        {
            throw new CliException("ttl must be positive and cannot be larger than: " + ((long)ZooKeeperClient.MaxTtl.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        }

        var path = _parsed.Args[1];
        var data = _parsed.Args.Count > 2 ? Encoding.UTF8.GetBytes(_parsed.Args[2]) : null;
        var acl = _parsed.Args.Count > 3 ? AclParser.Parse(_parsed.Args[3], context.Output) : [.. Acls.OpenAclUnsafe];

        // The Java client checks the path, then the ACL, before sending anything; its
        // InvalidACLException then carries no path.
        ValidatePath(path, mode.IsSequential());
        try
        {
            if (acl.Count == 0)
            {
                throw new KeeperException(KeeperErrorCode.InvalidACL);
            }

            var options = new CreateOptions { Mode = mode, Acl = acl, Ttl = hasT ? TimeSpan.FromMilliseconds(ttl) : null };
            var created = await context.Connection.CallAsync(path, ct => context.Client.CreateAsync(path, data, options, ct)).ConfigureAwait(false);
            context.Output.Err("Created " + created);
        }
        catch (KeeperException e)
        {
            if (e.Code == KeeperErrorCode.EphemeralOnLocalSession)
            {
                context.Output.Err("Unable to create ephemeral node on a local session");
            }
            else if (e.Code == KeeperErrorCode.InvalidACL)
            {
                context.Output.Err(KeeperException.FormatMessage(e.Code, e.Path));
            }

            throw CliException.FromKeeper(e.Code, e.Path, e);
        }
    }
}
