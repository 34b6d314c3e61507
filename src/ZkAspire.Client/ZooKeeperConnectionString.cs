// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Net;
using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>
/// A parsed ZooKeeper connection string: comma-separated <c>host:port</c> entries and an optional
/// chroot, e.g. <c>zk1:2181,zk2:2181,[::1]:2181/app</c>.
/// </summary>
/// <param name="Hosts">The servers, in the order given (the client shuffles them).</param>
/// <param name="ChrootPath">The chroot, or <see langword="null"/>; every path the client sends is under it.</param>
public sealed record ZooKeeperConnectionString(IReadOnlyList<DnsEndPoint> Hosts, string? ChrootPath)
{
    /// <summary>The port used when an entry has none.</summary>
    public const int DefaultPort = 2181;

    /// <summary>Parses a connection string as the Java client does.</summary>
    /// <param name="connectionString">The text.</param>
    /// <returns>The hosts and chroot.</returns>
    /// <exception cref="ArgumentException">The text has no hosts, a bad port or an invalid chroot.</exception>
    public static ZooKeeperConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var text = connectionString.Trim();

        // The chroot starts at the first '/' (ConnectStringParser); a lone '/' means none.
        string? chroot = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            chroot = text[slash..];
            text = text[..slash];
            if (chroot.Length == 1)
            {
                chroot = null;
            }
            else if (PathUtils.Validate(chroot) is { } reason)
            {
                throw new ArgumentException($"Invalid chroot in connection string '{connectionString}': {reason}", nameof(connectionString));
            }
        }

        var hosts = new List<DnsEndPoint>();
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            hosts.Add(ParseHost(raw, connectionString));
        }

        if (hosts.Count == 0)
        {
            throw new ArgumentException($"The connection string '{connectionString}' names no host.", nameof(connectionString));
        }

        return new ZooKeeperConnectionString(hosts, chroot);
    }

    /// <summary>Formats the hosts and chroot back into a connection string.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        string.Join(',', Hosts.Select(h => FormatHost(h))) + (ChrootPath ?? string.Empty);

    /// <summary>Formats one server as a connection string entry, <c>host:port</c>, with an IPv6 address in brackets.</summary>
    /// <param name="host">The server, e.g. <see cref="ZooKeeperClient.Server"/>.</param>
    /// <returns>The entry, e.g. <c>zk1:2181</c> or <c>[::1]:2181</c>.</returns>
    public static string FormatHost(DnsEndPoint host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return (host.Host.Contains(':', StringComparison.Ordinal) ? "[" + host.Host + "]" : host.Host) + ":" + host.Port.ToString(CultureInfo.InvariantCulture);
    }

    private static DnsEndPoint ParseHost(string entry, string connectionString)
    {
        string host;
        string? port = null;
        if (entry.StartsWith('['))
        {
            // [IPv6]:port
            var close = entry.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ArgumentException($"Unclosed '[' in host '{entry}' of connection string '{connectionString}'.", nameof(connectionString));
            }

            host = entry[1..close];
            var rest = entry[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    throw new ArgumentException($"Bad host '{entry}' in connection string '{connectionString}'.", nameof(connectionString));
                }

                port = rest[1..];
            }
        }
        else
        {
            var colon = entry.LastIndexOf(':');
            if (colon >= 0 && entry.IndexOf(':', StringComparison.Ordinal) == colon)
            {
                host = entry[..colon];
                port = entry[(colon + 1)..];
            }
            else
            {
                // No colon, or a bare IPv6 address without a port.
                host = entry;
            }
        }

        if (host.Length == 0)
        {
            throw new ArgumentException($"Empty host in connection string '{connectionString}'.", nameof(connectionString));
        }

        var portNumber = DefaultPort;
        if (port is not null
            && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535))
        {
            throw new ArgumentException($"Bad port '{port}' for host '{host}' in connection string '{connectionString}'.", nameof(connectionString));
        }

        return new DnsEndPoint(host, portNumber);
    }
}
