// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ZkAspire.Cli.Bench.Failover;

/// <summary>
/// A user's kill or restart command: a <c>/bin/sh -c</c> line with placeholders for the server it
/// acts on, so one line works for every server of any ensemble, ours or Apache ZooKeeper's:
/// <c>{host}</c> and <c>{port}</c> (the client address, as in the connect string), <c>{index}</c>
/// (the server's place in the connect string, from 1: with servers listed in order of their ids,
/// the <c>myid</c>) and <c>{pid}</c> (the process listening on the client port, found through
/// <c>/proc</c>: servers on this machine only).
/// </summary>
internal static partial class FailoverCommand
{
    /// <summary>The placeholders a command may use.</summary>
    public static readonly IReadOnlyList<string> Placeholders = ["{host}", "{port}", "{index}", "{pid}"];

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Checks a command line: not empty, and no placeholder other than <see cref="Placeholders"/>.</summary>
    /// <param name="option">The option, for the message.</param>
    /// <param name="command">The command.</param>
    /// <returns>The command.</returns>
    /// <exception cref="BenchArgumentException">It is empty or names an unknown placeholder.</exception>
    public static string Validate(string option, string command)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            throw new BenchArgumentException($"{option} needs a command");
        }

        foreach (Match match in PlaceholderPattern().Matches(command))
        {
            if (!Placeholders.Contains(match.Value))
            {
                throw new BenchArgumentException($"{option}: unknown placeholder {match.Value} (use {string.Join(", ", Placeholders)})");
            }
        }

        return command;
    }

    /// <summary>Replaces the placeholders for a server.</summary>
    /// <param name="command">The command.</param>
    /// <param name="server">The server.</param>
    /// <returns>The command to run.</returns>
    /// <exception cref="BenchRunException"><c>{pid}</c> is used and no process of this machine listens on the port.</exception>
    public static string Expand(string command, FailoverServer server)
    {
        var expanded = command
            .Replace("{host}", server.Host, StringComparison.Ordinal)
            .Replace("{port}", server.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{index}", server.Index.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        if (expanded.Contains("{pid}", StringComparison.Ordinal))
        {
            var pid = ListeningProcess.Find(server.Port)
                ?? throw new BenchRunException($"{{pid}}: no process of this machine (readable by this user) listens on port {server.Port} for {server}; {{pid}} works for servers on this machine only (use {{host}} and {{port}} otherwise)");
            expanded = expanded.Replace("{pid}", pid.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return expanded;
    }

    /// <summary>Runs an expanded command with <c>/bin/sh -c</c> and waits for it.</summary>
    /// <param name="what">What the command is for, for messages (<c>kill</c>, <c>restart</c>).</param>
    /// <param name="command">The expanded command.</param>
    /// <param name="cancellationToken">Stops waiting; the command is killed.</param>
    /// <returns>A task.</returns>
    /// <exception cref="BenchRunException">It could not start, exited with a code other than 0, or ran longer than a minute.</exception>
    /// <remarks>
    /// The command's output goes to a temporary file, not to a pipe: a restart command that starts
    /// a server in the background leaves it holding the command's stdout and stderr, and a pipe
    /// would then never reach its end. The file is read for the message when the command fails.
    /// </remarks>
    public static async Task RunAsync(string what, string command, CancellationToken cancellationToken)
    {
        var outputFile = Path.Combine(Path.GetTempPath(), "zkaspire-bench-" + what + "-" + Guid.NewGuid().ToString("n")[..8] + ".out");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };

        // $0 is the output file, $1 the command: the shell sends everything to the file, reads
        // nothing, and runs the command as sh -c would.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec >\"$0\" 2>&1 </dev/null; eval \"$1\"");
        start.ArgumentList.Add(outputFile);
        start.ArgumentList.Add(command);
        try
        {
            using var process = new Process { StartInfo = start };
            try
            {
                process.Start();
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                throw new BenchRunException($"the {what} command '{command}' could not start: {e.Message}", e);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CommandTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested();
                throw new BenchRunException($"the {what} command '{command}' did not finish within {CommandTimeout.TotalSeconds:0} s");
            }

            if (process.ExitCode != 0)
            {
                var said = (await ReadStartAsync(outputFile).ConfigureAwait(false)).Trim();
                throw new BenchRunException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"the {what} command '{command}' failed with exit code {process.ExitCode}{(said.Length > 0 ? ": " + said : string.Empty)}"));
            }
        }
        finally
        {
            try
            {
                File.Delete(outputFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A temporary file; a leftover is harmless.
            }
        }
    }

    /// <summary>Reads the first 4 KiB of what a command printed: enough to say what went wrong.</summary>
    private static async Task<string> ReadStartAsync(string path)
    {
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[4096];
                var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false).ConfigureAwait(false);
                return Encoding.UTF8.GetString(buffer, 0, read);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    [GeneratedRegex(@"\{[A-Za-z_]+\}")]
    private static partial Regex PlaceholderPattern();
}
