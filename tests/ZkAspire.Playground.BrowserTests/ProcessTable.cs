// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ZkAspire.Playground.BrowserTests;

/// <summary>A process seen in <c>/proc</c>: its id, parent, start time (which tells a reused id apart) and command line.</summary>
/// <param name="Id">The process id.</param>
/// <param name="ParentId">The parent's process id.</param>
/// <param name="StartTicks">Field 22 of <c>/proc/[pid]/stat</c>: clock ticks after boot when it started.</param>
/// <param name="CommandLine">Its arguments, space-separated.</param>
internal sealed record ProcessEntry(int Id, int ParentId, long StartTicks, string CommandLine)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Id} {(CommandLine.Length > 160 ? CommandLine[..160] + "…" : CommandLine)}";
}

/// <summary>
/// Reads the process table of Linux's <c>/proc</c>. The test needs it because the orchestrator the
/// AppHost starts (dcp) leaves the AppHost's process tree: it is re-parented to init and watches
/// the AppHost's pid (<c>--monitor pid</c>), so killing the tree from <c>dotnet run</c> would miss
/// it and every process it runs.
/// </summary>
internal static class ProcessTable
{
    /// <summary>Reads every process now running.</summary>
    public static IReadOnlyDictionary<int, ProcessEntry> Read()
    {
        var table = new Dictionary<int, ProcessEntry>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so the fields
                // are counted from the last ')'. After it come state (field 3), ppid (4), … starttime (22).
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] == "Z")
                {
                    // A zombie has ended; only its parent has yet to read its exit status.
                    continue;
                }

                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                var start = long.Parse(fields[19], CultureInfo.InvariantCulture);
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
                table[id] = new ProcessEntry(id, parent, start, commandLine);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // It ended while being read.
            }
        }

        return table;
    }

    /// <summary>Whether that process (same id and start time) still runs.</summary>
    public static bool IsRunning(ProcessEntry process) =>
        Read().TryGetValue(process.Id, out var now) && now.StartTicks == process.StartTicks;

    /// <summary>The processes of <paramref name="table"/> that descend from any of <paramref name="roots"/>, the roots included.</summary>
    public static IEnumerable<ProcessEntry> Trees(IReadOnlyDictionary<int, ProcessEntry> table, IEnumerable<int> roots)
    {
        var children = table.Values.ToLookup(p => p.ParentId);
        var pending = new Stack<int>(roots.Where(table.ContainsKey));
        var seen = new HashSet<int>();
        while (pending.TryPop(out var id))
        {
            if (seen.Add(id))
            {
                yield return table[id];
                foreach (var child in children[id])
                {
                    pending.Push(child.Id);
                }
            }
        }
    }

    /// <summary>SIGTERM: asks a process to stop (what Ctrl+C's SIGINT does for a .NET host too).</summary>
    public const int SigTerm = 15;

    /// <summary>SIGKILL: ends a process at once.</summary>
    public const int SigKill = 9;

    /// <summary>Sends a signal to the processes that still are the ones seen (same id and start time).</summary>
    public static void Signal(int signal, IEnumerable<ProcessEntry> processes)
    {
        foreach (var process in processes.Where(IsRunning))
        {
            // ESRCH (it ended meanwhile) is fine; nothing else is expected for our own children.
            _ = Kill(process.Id, signal);
        }
    }

    // kill(2) from libc: .NET has no API to send a signal other than SIGKILL (Process.Kill).
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Waits until none of <paramref name="processes"/> runs, or the timeout passes; returns those still running.</summary>
    public static async Task<IReadOnlyList<ProcessEntry>> WaitForExitAsync(IEnumerable<ProcessEntry> processes, TimeSpan timeout)
    {
        var remaining = processes.ToList();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var table = Read();
            remaining = remaining.Where(p => table.TryGetValue(p.Id, out var now) && now.StartTicks == p.StartTicks).ToList();
            if (remaining.Count == 0 || deadline.Elapsed >= timeout)
            {
                return remaining;
            }

            // Processes that are not our children cannot be awaited; /proc is polled, bounded by the timeout.
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
