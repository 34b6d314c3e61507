// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// ACL rules (wire-protocol doc §10): the permission check every op runs, the fix-up of ACLs
/// sent with create and setACL, and the masking of digests in getACL replies.
/// </summary>
internal sealed class AclChecker
{
    private readonly AuthenticationProviders _providers;

    /// <summary>Creates the checker.</summary>
    /// <param name="providers">The known schemes.</param>
    public AclChecker(AuthenticationProviders providers) => _providers = providers;

    /// <summary>
    /// Whether identities hold a permission on an ACL (<c>ZooKeeperServer.checkACL</c>): an empty
    /// ACL allows all, <c>super</c> allows all, else some entry sharing a bit with
    /// <paramref name="perm"/> must be <c>world:anyone</c> or match an identity of its scheme.
    /// </summary>
    /// <param name="acl">The node's ACL.</param>
    /// <param name="perm">The permissions asked for; any one bit suffices.</param>
    /// <param name="identities">The connection's identities.</param>
    /// <returns><see langword="true"/> if allowed.</returns>
    public bool Check(IReadOnlyList<ACL>? acl, Perms perm, IReadOnlyList<Id> identities)
    {
        if (acl is null || acl.Count == 0)
        {
            return true;
        }

        for (var i = 0; i < identities.Count; i++)
        {
            if (identities[i].Scheme == "super")
            {
                return true;
            }
        }

        for (var a = 0; a < acl.Count; a++)
        {
            var entry = acl[a];
            if ((entry.Perms & perm) == 0)
            {
                continue;
            }

            var id = entry.Id;
            if (id.Scheme == "world" && id.Identity == "anyone")
            {
                return true;
            }

            var provider = _providers.Get(id.Scheme);
            if (provider is null || id.Identity is null)
            {
                continue;
            }

            for (var i = 0; i < identities.Count; i++)
            {
                var identity = identities[i];
                if (identity.Scheme == id.Scheme && identity.Identity is not null && provider.Matches(identity.Identity, id.Identity))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Validates and expands an ACL sent with create or setACL (<c>PrepRequestProcessor.fixupACL</c>):
    /// duplicates go, <c>auth</c> becomes the connection's authenticated identities, and anything
    /// malformed is InvalidACL. Null ids are answered as ZooKeeper answers them (a
    /// NullPointerException there, so MarshallingError) for world/digest/ip, else InvalidACL.
    /// </summary>
    /// <param name="acl">The ACL as sent.</param>
    /// <param name="identities">The connection's identities.</param>
    /// <param name="result">The ACL to store.</param>
    /// <returns><see cref="KeeperErrorCode.Ok"/>, InvalidACL or MarshallingError.</returns>
    public KeeperErrorCode Fixup(IReadOnlyList<ACL>? acl, IReadOnlyList<Id> identities, out IReadOnlyList<ACL> result)
    {
        result = [];
        if (acl is null || acl.Count == 0)
        {
            return KeeperErrorCode.InvalidACL;
        }

        // The common case allocates nothing: the shared open ACL instance is stored as is.
        if (acl.Count == 1 && acl[0] == Acls.OpenAclUnsafe[0])
        {
            result = Acls.OpenAclUnsafe;
            return KeeperErrorCode.Ok;
        }

        var unique = new List<ACL>(acl.Count);
        foreach (var entry in acl)
        {
            if (!unique.Contains(entry))
            {
                unique.Add(entry);
            }
        }

        var fixedUp = new List<ACL>(unique.Count);
        foreach (var entry in unique)
        {
            var id = entry.Id;
            if (id?.Scheme is null)
            {
                return KeeperErrorCode.InvalidACL;
            }

            if (id.Scheme == "world" && id.Identity is null)
            {
                return KeeperErrorCode.MarshallingError;
            }

            if (id.Scheme == "world" && id.Identity == "anyone")
            {
                fixedUp.Add(entry);
            }
            else if (id.Scheme == "auth")
            {
                var any = false;
                foreach (var identity in identities)
                {
                    if (_providers.Get(identity.Scheme) is { IsAuthenticated: true })
                    {
                        any = true;
                        fixedUp.Add(new ACL(entry.Perms, identity));
                    }
                }

                if (!any)
                {
                    return KeeperErrorCode.InvalidACL;
                }
            }
            else
            {
                var provider = _providers.Get(id.Scheme);
                if (provider is null)
                {
                    return KeeperErrorCode.InvalidACL;
                }

                if (id.Identity is null)
                {
                    return KeeperErrorCode.MarshallingError;
                }

                if (!provider.IsValid(id.Identity))
                {
                    return KeeperErrorCode.InvalidACL;
                }

                fixedUp.Add(entry);
            }
        }

        result = fixedUp;
        return KeeperErrorCode.Ok;
    }

    /// <summary>
    /// The ACL a getACL caller without ADMIN sees: digest ids as <c>user:x</c> (ZOOKEEPER-1392).
    /// </summary>
    /// <param name="acl">The node's ACL.</param>
    /// <returns>The masked ACL.</returns>
    public static IReadOnlyList<ACL> MaskDigests(IReadOnlyList<ACL> acl)
    {
        var masked = new List<ACL>(acl.Count);
        foreach (var entry in acl)
        {
            var id = entry.Id;
            if (id.Scheme == "digest" && id.Identity is { } identity && identity.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0)
            {
                masked.Add(new ACL(entry.Perms, new Id(id.Scheme, identity[..colon] + ":x")));
            }
            else
            {
                masked.Add(entry);
            }
        }

        return masked;
    }
}
