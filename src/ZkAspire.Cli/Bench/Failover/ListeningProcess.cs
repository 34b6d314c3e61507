// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Cli.Bench.Failover;

/// <summary>
/// Finds the process that listens on a TCP port of this machine, as <c>ss -ltnp</c> or
/// <c>fuser PORT/tcp</c> would: the listening socket's inode from <c>/proc/net/tcp</c> and
/// <c>/proc/net/tcp6</c>, then the process whose <c>/proc/PID/fd</c> holds <c>socket:[inode]</c>.
/// Only processes this user may inspect are seen (all of them for root).
/// </summary>
internal static class ListeningProcess
{
    // The TCP state column of /proc/net/tcp: 0A is TCP_LISTEN (include/net/tcp_states.h).
    private const string ListenState = "0A";

    /// <summary>Finds the process listening on <paramref name="port"/>.</summary>
    /// <param name="port">The port.</param>
    /// <returns>The pid; null when none is found (no listener, not this machine, not this user's, no /proc).</returns>
    /// <exception cref="BenchRunException">More than one process listens on the port.</exception>
    public static int? Find(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(table);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var line in lines.Skip(1))
            {
                // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ..."
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != ListenState)
                {
                    continue;
                }

                var colon = fields[1].LastIndexOf(':');
                if (colon > 0 && int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var listening) && listening == port)
                {
                    inodes.Add("socket:[" + fields[9] + "]");
                }
            }
        }

        if (inodes.Count == 0)
        {
            return null;
        }

        var pids = new SortedSet<int>();
        foreach (var directory in EnumerateOrEmpty("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            foreach (var fd in EnumerateOrEmpty(Path.Combine(directory, "fd")))
            {
                string? target;
                try
                {
                    target = new FileInfo(fd).LinkTarget;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                if (target is not null && inodes.Contains(target))
                {
                    pids.Add(pid);
                    break;
                }
            }
        }

        return pids.Count switch
        {
            0 => null,
            1 => pids.Min,
            _ => throw new BenchRunException($"{{pid}}: several processes listen on port {port.ToString(CultureInfo.InvariantCulture)} ({string.Join(", ", pids)}); name the process in the command instead"),
        };
    }

    private static IEnumerable<string> EnumerateOrEmpty(string directory)
    {
        try
        {
            // Materialized: a process that exits while we look must not end the enumeration.
            return Directory.GetFileSystemEntries(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
