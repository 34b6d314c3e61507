// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.TestInfrastructure;

/// <summary>
/// Debian's Java zkCli (<c>org.apache.zookeeper.ZooKeeperMain</c>), for interop tests: one-shot
/// commands, or a script of commands in one interactive session with each command's output
/// separated out.
/// </summary>
public static class JavaZkCli
{
    /// <summary>The classpath: the ZooKeeper jar plus a logging binding.</summary>
    public const string ClassPath = ApacheZooKeeper.ZooKeeperJar + ":/usr/share/java/slf4j-simple.jar";

    /// <summary>Runs one command, as <c>zkCli.sh -server host:port command…</c> does.</summary>
    /// <param name="connectString">The server list, e.g. <c>127.0.0.1:2181</c>.</param>
    /// <param name="command">The command and its arguments.</param>
    /// <param name="timeout">How long it may take; it is killed after that.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code and output (zkCli writes command errors to stderr).</returns>
    public static Task<ExternalProcessResult> RunAsync(string connectString, IReadOnlyList<string> command, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ExternalProcess.RunAsync("/usr/bin/java", [.. JavaArguments(connectString), .. command], timeout: timeout ?? TimeSpan.FromSeconds(60), cancellationToken: cancellationToken);

    /// <summary>
    /// Runs commands in one interactive session (commands read from stdin, no JLine) and returns
    /// what each printed, stdout and stderr together in order.
    /// </summary>
    /// <remarks>
    /// After every command the script reads a node that does not exist, with a unique name;
    /// zkCli's "Node does not exist: …" line for it marks where one command's output ends. That
    /// is a read the server sees; otherwise the session is exactly the given commands.
    /// </remarks>
    /// <param name="connectString">The server list.</param>
    /// <param name="commands">The command lines.</param>
    /// <param name="timeout">How long the whole session may take; it is killed after that.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The output lines of each command, in order.</returns>
    public static async Task<IReadOnlyList<IReadOnlyList<string>>> RunScriptAsync(
        string connectString,
        IReadOnlyList<string> commands,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var marker = "/zkcli-marker-" + Guid.NewGuid().ToString("n");
        string Marker(int i) => string.Create(CultureInfo.InvariantCulture, $"{marker}-{i}");

        var script = new System.Text.StringBuilder();
        script.Append("get ").Append(Marker(0)).Append('\n');
        for (var i = 0; i < commands.Count; i++)
        {
            script.Append(commands[i]).Append('\n');
            script.Append("get ").Append(Marker(i + 1)).Append('\n');
        }

        script.Append("quit\n");

        // sh merges stderr into stdout so that the two keep their order (zkCli prints results
        // on stdout and errors on stderr, a line at a time).
        var result = await ExternalProcess.RunAsync(
            "/bin/sh",
            ["-c", "exec \"$@\" 2>&1", "sh", "/usr/bin/java", .. JavaArguments(connectString)],
            script.ToString(),
            timeout ?? TimeSpan.FromSeconds(60),
            cancellationToken).ConfigureAwait(false);

        var outputs = new List<IReadOnlyList<string>>();
        List<string>? current = null;
        var next = 0;
        foreach (var line in result.OutputLines)
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

        if (outputs.Count != commands.Count)
        {
            throw new InvalidOperationException($"zkCli answered {outputs.Count} of {commands.Count} commands:\n{result}");
        }

        return outputs;
    }

    private static string[] JavaArguments(string connectString) =>
    [
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=off",
        "-Xmx256m",
        "-cp",
        ClassPath,
        "org.apache.zookeeper.ZooKeeperMain",
        "-server",
        connectString,
    ];
}
