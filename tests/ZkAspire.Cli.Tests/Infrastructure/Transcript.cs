// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text.RegularExpressions;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Cli.Tests.Infrastructure;

/// <summary>
/// A shell session's output split per command, normalized for comparison between zkCli and
/// ours: masked (times, zxids, session ids, the test's root path), with the watcher's event
/// blocks taken out of the command output and kept as one sequence (events are printed from the
/// client's event thread, so their place among the command output may vary in either shell; their
/// order does not).
/// </summary>
public sealed partial record Transcript(IReadOnlyList<IReadOnlyList<string>> Commands, IReadOnlyList<string> Events)
{
    /// <summary>Runs a script through Apache's Java zkCli.</summary>
    public static async Task<Transcript> JavaAsync(string connectString, IReadOnlyList<string> commands, string root) =>
        Normalize(await JavaZkCli.RunScriptAsync(connectString, commands, CliRun.Limit, TestContext.Current.CancellationToken), root);

    /// <summary>
    /// Runs a script through our shell the way <see cref="JavaZkCli.RunScriptAsync"/> runs it
    /// through zkCli: one session, a read of a missing marker node after each command to split
    /// the output.
    /// </summary>
    public static async Task<Transcript> OursAsync(string connectString, IReadOnlyList<string> commands, string root)
    {
        var marker = "/zkaspire-marker-" + Guid.NewGuid().ToString("n");
        string Marker(int i) => string.Create(CultureInfo.InvariantCulture, $"{marker}-{i}");
        var script = new System.Text.StringBuilder().Append("get ").Append(Marker(0)).Append('\n');
        for (var i = 0; i < commands.Count; i++)
        {
            script.Append(commands[i]).Append('\n').Append("get ").Append(Marker(i + 1)).Append('\n');
        }

        var run = await CliRun.RunAsync(["-server", connectString], script.ToString());
        var outputs = new List<IReadOnlyList<string>>();
        List<string>? current = null;
        var next = 0;
        foreach (var line in run.Merged.Split('\n')[..^1])
        {
            if (line == "Node does not exist: " + Marker(next))
            {
                if (current is not null)
                {
                    outputs.Add(current);
                }

                current = [];
                next++;
                continue;
            }

            current?.Add(line);
        }

        Assert.True(outputs.Count == commands.Count, $"ours answered {outputs.Count} of {commands.Count} commands:\n{run.Merged}");
        return Normalize(outputs, root);
    }

    /// <summary>Masks and splits each command's lines.</summary>
    private static Transcript Normalize(IReadOnlyList<IReadOnlyList<string>> outputs, string root)
    {
        var commands = new List<IReadOnlyList<string>>();
        var events = new List<string>();
        foreach (var output in outputs)
        {
            var lines = new List<string>();
            for (var i = 0; i < output.Count; i++)
            {
                // The watcher prints "\nWATCHER::" and "\nWatchedEvent …" with two printlns, and
                // zkCli's main thread may print between them: take each pair out on its own.
                if (output[i].Length == 0 && i + 1 < output.Count && output[i + 1] == "WATCHER::")
                {
                    i++;
                    continue;
                }

                if (output[i].Length == 0 && i + 1 < output.Count && output[i + 1].StartsWith("WatchedEvent ", StringComparison.Ordinal))
                {
                    events.Add(output[++i].Replace(root, "<root>", StringComparison.Ordinal));
                    continue;
                }

                lines.Add(CliRun.Mask(output[i]).Replace(root, "<root>", StringComparison.Ordinal));
            }

            commands.Add(lines);
        }

        return new Transcript(commands, events);
    }
}
