// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// The <c>ip</c> scheme (ZooKeeper's <c>IPAuthenticationProvider</c>): every connection has the
/// identity <c>ip:&lt;address&gt;</c>; ACL ids are IPv4 addresses or CIDR blocks <c>addr/bits</c>.
/// As in ZooKeeper, only IPv4 is understood: IPv6 ACL ids are invalid and IPv6 clients match none.
/// </summary>
internal sealed class IpAuthenticationProvider : IAuthenticationProvider
{
    /// <inheritdoc/>
    public string Scheme => "ip";

    /// <inheritdoc/>
    public bool IsAuthenticated => false;

    /// <inheritdoc/>
    public bool Authenticate(ServerConnection connection, byte[]? auth, List<Id> identities)
    {
        identities.Add(new Id(Scheme, connection.RemoteAddress));
        return true;
    }

    /// <inheritdoc/>
    public bool IsValid(string id)
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        if (!TryParseV4(slash < 0 ? id : id[..slash], out _))
        {
            return false;
        }

        return slash < 0 || TryParseBits(id[(slash + 1)..], out _);
    }

    /// <inheritdoc/>
    public bool Matches(string identity, string aclId)
    {
        var slash = aclId.IndexOf('/', StringComparison.Ordinal);
        if (!TryParseV4(slash < 0 ? aclId : aclId[..slash], out var aclAddress))
        {
            return false;
        }

        var bits = 32;
        if (slash >= 0 && !TryParseBits(aclId[(slash + 1)..], out bits))
        {
            return false;
        }

        if (!TryParseV4(identity, out var address))
        {
            return false;
        }

        var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
        return (aclAddress & mask) == (address & mask);
    }

    /// <inheritdoc/>
    public string UserName(string identity) => identity;

    private static bool TryParseBits(string text, out int bits) =>
        AclIds.TryParseJavaInt(text, out bits) && bits is >= 0 and <= 32;

    // Four dot-separated decimal parts 0..255, as Java's Integer.parseInt reads them.
    private static bool TryParseV4(string text, out uint address)
    {
        address = 0;
        var parts = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.')
            {
                continue;
            }

            if (parts == 4 || !AclIds.TryParseJavaInt(text[start..i], out var value) || value is < 0 or > 255)
            {
                return false;
            }

            address = (address << 8) | (uint)value;
            parts++;
            start = i + 1;
        }

        return parts == 4;
    }
}
