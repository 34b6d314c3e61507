// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell;

/// <summary>
/// Parses <c>scheme:id:perm[,scheme:id:perm…]</c> as zkCli's <c>AclParser</c> does: an entry
/// without two colons is reported and skipped, an unknown permission letter is reported and
/// ignored. The id is everything between the first and the last colon, so digest ids
/// (<c>digest:user:hash:cdrwa</c>) keep theirs.
/// </summary>
internal static class AclParser
{
    /// <summary>Parses an ACL string, reporting malformed parts on stderr.</summary>
    /// <param name="text">The text.</param>
    /// <param name="output">Where problems are reported.</param>
    /// <returns>The entries that parsed; empty when none did (the caller then fails with InvalidACL, as the Java client does).</returns>
    public static List<ACL> Parse(string text, ShellOutput output)
    {
        var acl = new List<ACL>();

        // Java's String.split drops trailing empty strings, unless nothing matched at all ("").
        var parts = text.Split(',').ToList();
        while (text.Length > 0 && parts.Count > 0 && parts[^1].Length == 0)
        {
            parts.RemoveAt(parts.Count - 1);
        }

        foreach (var part in parts)
        {
            var first = part.IndexOf(':', StringComparison.Ordinal);
            var last = part.LastIndexOf(':');
            if (first < 0 || first == last)
            {
                output.Err(part + " does not have the form scheme:id:perm");
                continue;
            }

            acl.Add(new ACL(ParsePermissions(part[(last + 1)..], output), new Id(part[..first], part[(first + 1)..last])));
        }

        return acl;
    }

    private static Perms ParsePermissions(string text, ShellOutput output)
    {
        var perms = Perms.None;
        foreach (var c in text)
        {
            switch (c)
            {
                case 'r':
                    perms |= Perms.Read;
                    break;
                case 'w':
                    perms |= Perms.Write;
                    break;
                case 'c':
                    perms |= Perms.Create;
                    break;
                case 'd':
                    perms |= Perms.Delete;
                    break;
                case 'a':
                    perms |= Perms.Admin;
                    break;
                default:
                    output.Err("Unknown perm type: " + c);
                    break;
            }
        }

        return perms;
    }
}
