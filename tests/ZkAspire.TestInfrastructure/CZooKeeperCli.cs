// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// The shell of ZooKeeper's C client from Debian's <c>zookeeper-bin</c> package
/// (<c>/usr/lib/zookeeper/bin/cli_mt</c>, the multi-threaded build of <c>cli.c</c>), driven
/// through a script of commands with each command's output separated out.
/// </summary>
/// <remarks>
/// <para>
/// cli_mt runs most commands asynchronously and exits as soon as stdin ends, so the script is
/// fed one command at a time. After each command it sends <c>sync</c> of a unique path that
/// nothing uses (the server does not look the path up): the C client completes requests in the
/// order of their replies, which the server sends in request order, so the sync's completion
/// (<c>[path]: rc = 0</c>, <c>\tname = path</c>) marks where the command's output ends.
/// Notifications that arrived before that are in the output too, printed by the shell's watcher.
/// </para>
/// <para>
/// The shell prints everything but <c>myid</c> on stderr; stdout and stderr are merged.
/// </para>
/// </remarks>
public static class CZooKeeperCli
{
    /// <summary>Where Debian installs the C client's shell.</summary>
    public const string Path = "/usr/lib/zookeeper/bin/cli_mt";

    /// <summary>
    /// How the last line the shell's watcher prints once the session is established starts
    /// (after <c>Watcher SESSION_EVENT state = CONNECTED_STATE</c>).
    /// </summary>
    public const string NewSessionLine = "Got a new session id: 0x";

    /// <summary>Gets whether the C client's shell is installed.</summary>
    public static bool IsInstalled => File.Exists(Path);

    /// <summary>Runs the commands in one session and returns what each printed.</summary>
    /// <param name="connectString">The server list, e.g. <c>127.0.0.1:2181</c>.</param>
    /// <param name="commands">The command lines (create, create2, get, set, ls, ls2, delete, sync, exists, wexists…).</param>
    /// <param name="timeout">How long the session may take in all; the shell is killed after that.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The output lines of each command, in order.</returns>
    /// <exception cref="TimeoutException">The shell did not connect or a command did not complete in time.</exception>
    public static async Task<IReadOnlyList<IReadOnlyList<string>>> RunScriptAsync(
        string connectString,
        IReadOnlyList<string> commands,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        if (!IsInstalled)
        {
            throw new InvalidOperationException($"{Path} is missing: run 'apt-get install zookeeper-bin' (.ci/run does).");
        }

        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-c", "exec \"$@\" 2>&1", "sh", Path, connectString })
        {
            start.ArgumentList.Add(argument);
        }

        var lines = Channel.CreateUnbounded<string>();
        var transcript = new List<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                lines.Writer.TryComplete();
            }
            else
            {
                lines.Writer.TryWrite(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await ReadUntilAsync(line => line.StartsWith(NewSessionLine, StringComparison.Ordinal), "the session to connect").ConfigureAwait(false);

            var marker = "/cli-marker-" + Guid.NewGuid().ToString("n");
            var outputs = new List<IReadOnlyList<string>>();
            for (var i = 0; i < commands.Count; i++)
            {
                var sync = string.Create(CultureInfo.InvariantCulture, $"{marker}-{i}");
                await process.StandardInput.WriteAsync($"{commands[i]}\nsync {sync}\n".AsMemory(), cts.Token).ConfigureAwait(false);
                await process.StandardInput.FlushAsync(cts.Token).ConfigureAwait(false);
                var output = await ReadUntilAsync(line => line == $"[{sync}]: rc = 0", $"'{commands[i]}' to complete").ConfigureAwait(false);
                await ReadUntilAsync(line => line == "\tname = " + sync, $"'{commands[i]}' to complete").ConfigureAwait(false);
                outputs.Add(output[..^1]);
            }

            // quit closes the session; then the shell exits.
            await process.StandardInput.WriteAsync("quit\n".AsMemory(), cts.Token).ConfigureAwait(false);
            process.StandardInput.Close();
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return outputs;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"cli_mt did not finish in time and was killed. Its output:\n{string.Join('\n', transcript)}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }

        // Reads lines until one matches; returns them, the matching one last.
        async Task<List<string>> ReadUntilAsync(Func<string, bool> done, string what)
        {
            var read = new List<string>();
            while (true)
            {
                if (!await lines.Reader.WaitToReadAsync(cts.Token).ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"cli_mt exited while waiting for {what}. Its output:\n{string.Join('\n', transcript)}");
                }

                while (lines.Reader.TryRead(out var line))
                {
                    transcript.Add(line);
                    read.Add(line);
                    if (done(line))
                    {
                        return read;
                    }
                }
            }
        }
    }
}
