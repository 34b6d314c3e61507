// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Runtime.InteropServices;

namespace ZkAspire.Cli.ServerControl;

/// <summary>
/// What server control needs to know about a process it did not start in this run, by pid:
/// whether it runs, what its command line is, and how to send it SIGTERM (zkServer.sh's
/// <c>kill -0</c>, <c>ps -p</c> and <c>kill</c>).
/// </summary>
internal static class ProcessProbe
{
    private const int SigTerm = 15;

    /// <summary>Gets whether a process with this pid exists and has not exited (a zombie has).</summary>
    public static bool IsRunning(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        var stat = Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "stat");
        if (Directory.Exists("/proc"))
        {
            string text;
            try
            {
                text = File.ReadAllText(stat);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }

            // "pid (comm) S ...": the state follows the last ')'; Z and X mean it has exited.
            var close = text.LastIndexOf(')');
            return close < 0 || close + 2 >= text.Length || text[close + 2] is not ('Z' or 'X');
        }

        // kill(pid, 0) succeeds, or fails with EPERM, when the process exists.
        return Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1;
    }

    /// <summary>Gets a process's command line, its arguments joined by spaces; <see langword="null"/> when unknown.</summary>
    public static string? CommandLine(int pid)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "cmdline"));
            return text.TrimEnd('\0').Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Sends SIGTERM, the signal on which the server shuts down cleanly.</summary>
    /// <returns><see langword="true"/> if it was sent.</returns>
    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;

    // Blittable arguments only, so no marshalling code (and no unsafe code) is generated.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
