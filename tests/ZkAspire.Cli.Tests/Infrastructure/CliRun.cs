// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using System.Text.RegularExpressions;
using ZkAspire.Cli;

namespace ZkAspire.Cli.Tests.Infrastructure;

/// <summary>What one run of <c>zkaspire</c> printed: stdout, stderr, and both merged in the order written.</summary>
public sealed partial record CliRun(int ExitCode, string Output, string Error, string Merged)
{
    /// <summary>How long a run may take before the test fails.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Runs <c>zkaspire</c> in-process with a script on stdin.</summary>
    public static async Task<CliRun> RunAsync(IReadOnlyList<string> args, string input = "", bool interactive = false)
    {
        var capture = new Capture();
        var exitCode = await ZkAspireCommandLine.RunAsync(args, new StringReader(input), capture.Out, capture.Err, interactive, TestContext.Current.CancellationToken)
            .WaitAsync(Limit, TestContext.Current.CancellationToken);
        return capture.ToRun(exitCode);
    }

    /// <summary>Runs the shell against a server: <c>zkaspire -server host:port command…</c>.</summary>
    public static Task<CliRun> ShellAsync(string connectString, params string[] command) =>
        RunAsync(["-server", connectString, .. command]);

    /// <summary>Runs the shell against a server with a script of lines.</summary>
    public static Task<CliRun> ScriptAsync(string connectString, params string[] lines) =>
        RunAsync(["-server", connectString], string.Concat(lines.Select(l => l + "\n")));

    /// <summary>
    /// The merged output with what varies from run to run masked: times, zxids, session ids,
    /// connection strings and the build stamp.
    /// </summary>
    public string Masked => Mask(Merged);

    /// <summary>
    /// Gets the merged output, masked, without the watcher's event blocks: those are printed from
    /// the client's event loop as they arrive, so their place among the command output may vary
    /// (in zkCli too), while everything else is in a fixed order.
    /// </summary>
    public string Transcript => EventBlock().Replace(Masked, string.Empty);

    /// <summary>Gets the events the watcher printed, in order (their order is fixed).</summary>
    public IReadOnlyList<string> Events => EventBlock().Matches(Merged).Select(m => m.Groups[1].Value).ToList();

    /// <summary>Masks the varying parts of zkCli output.</summary>
    public static string Mask(string text)
    {
        text = TimeLine().Replace(text, "$1 = <time>");
        text = HexLine().Replace(text, "$1 = 0x<hex>");
        text = ConnectingLine().Replace(text, "Connecting to <server>");
        return text;
    }

    /// <summary>The lines a one-shot run prints before its command's output: the server and the connection event.</summary>
    public static string Preamble(string connectString) =>
        $"Connecting to {connectString}\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n";

    /// <summary>The lines an interactive run prints before its first command's output.</summary>
    public static string InteractivePreamble(string connectString) =>
        $"Connecting to {connectString}\nWelcome to ZooKeeper!\nJLine support is disabled\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n";

    [GeneratedRegex("\nWATCHER::\n\n(WatchedEvent [^\n]*)\n")]
    private static partial Regex EventBlock();

    [GeneratedRegex("^([cm]time) = .*$", RegexOptions.Multiline)]
    private static partial Regex TimeLine();

    [GeneratedRegex("^([cmp]Zxid|ephemeralOwner) = 0x[0-9a-f]+$", RegexOptions.Multiline)]
    private static partial Regex HexLine();

    [GeneratedRegex("^Connecting to .*$", RegexOptions.Multiline)]
    private static partial Regex ConnectingLine();

    /// <summary>Two writers that also write to one merged buffer, in call order.</summary>
    private sealed class Capture
    {
        private readonly StringBuilder _merged = new();
        private readonly StringWriter _out = new();
        private readonly StringWriter _err = new();

        public Capture()
        {
            Out = new Tee(_out, _merged);
            Err = new Tee(_err, _merged);
        }

        public TextWriter Out { get; }

        public TextWriter Err { get; }

        public CliRun ToRun(int exitCode)
        {
            lock (_merged)
            {
                return new CliRun(exitCode, _out.ToString(), _err.ToString(), _merged.ToString());
            }
        }

        private sealed class Tee(StringWriter own, StringBuilder merged) : TextWriter
        {
            public override Encoding Encoding => Encoding.UTF8;

            public override void Write(char value) => Write(value.ToString());

            public override void Write(string? value)
            {
                lock (merged)
                {
                    own.Write(value);
                    merged.Append(value);
                }
            }
        }
    }
}
