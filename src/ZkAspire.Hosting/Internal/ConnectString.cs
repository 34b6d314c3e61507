// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Hosting.Internal;

/// <summary>
/// The servers of a ZooKeeper connect string, <c>host:port[,host:port...][/chroot]</c>, read as
/// ZooKeeper's <c>ConnectStringParser</c> reads it: the chroot starts at the first <c>/</c>, a
/// host without a port means 2181, and an IPv6 address is written in brackets.
/// </summary>
internal static class ConnectString
{
    /// <summary>ZooKeeper's default client port.</summary>
    public const int DefaultPort = 2181;

    /// <summary>Reads the servers of <paramref name="connectString"/>.</summary>
    /// <param name="connectString">The connect string.</param>
    /// <returns>The servers, in order.</returns>
    /// <exception cref="FormatException">The connect string names no server, or a port is not a number from 1 to 65535.</exception>
    public static IReadOnlyList<(string Host, int Port)> ParseServers(string connectString)
    {
        ArgumentNullException.ThrowIfNull(connectString);
        var chroot = connectString.IndexOf('/', StringComparison.Ordinal);
        var servers = chroot < 0 ? connectString : connectString[..chroot];
        var result = new List<(string, int)>();
        foreach (var raw in servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string host;
            string? port;
            if (raw.StartsWith('['))
            {
                var end = raw.IndexOf(']', StringComparison.Ordinal);
                if (end < 0)
                {
                    throw new FormatException($"'{raw}' in the connect string opens an IPv6 address with '[' and does not close it.");
                }

                host = raw[1..end];
                port = end + 1 < raw.Length && raw[end + 1] == ':' ? raw[(end + 2)..] : null;
            }
            else
            {
                var colon = raw.LastIndexOf(':');
                host = colon < 0 ? raw : raw[..colon];
                port = colon < 0 ? null : raw[(colon + 1)..];
            }

            if (host.Length == 0)
            {
                throw new FormatException($"'{raw}' in the connect string has no host.");
            }

            var portNumber = DefaultPort;
            if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535))
            {
                throw new FormatException($"'{raw}' in the connect string has a port that is not a number from 1 to 65535.");
            }

            result.Add((host, portNumber));
        }

        return result.Count > 0 ? result : throw new FormatException($"The connect string '{connectString}' names no server.");
    }
}
