// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.DataTools;
using ZkAspire.Cli.ServerControl;
using ZkAspire.Cli.Shell;

namespace ZkAspire.Cli;

/// <summary>
/// The <c>zkaspire</c> program: <c>zkaspire [shell] [zkCli arguments]</c> runs the zkCli-compatible
/// shell, <c>zkaspire server start|start-foreground|stop|restart|status [zoo.cfg]</c> controls a
/// server as zkServer.sh does, <c>zkaspire dump|verify|purge</c> inspect and clean a data
/// directory, and <c>zkaspire bench</c> loads any ZooKeeper server (docs/performance.md). Callable in-process, with any streams, for tests and embedding.
/// </summary>
public static class ZkAspireCommandLine
{
    private const string Usage = """
        Usage:
          zkaspire [shell] [-server host:port[,host:port...][/chroot]] [-timeout ms] [-r] [-waitforconnection] [command [args...]]
              The zkCli-compatible shell. Without a command it reads commands from stdin
              (interactively with a prompt when stdin is a terminal). 'zkaspire -server ... ls /'
              works as 'zkCli.sh -server ... ls /' does.
          zkaspire server {start|start-foreground|stop|restart|status} [path/to/zoo.cfg]
              Controls a zkaspire-server process as zkServer.sh does.
          zkaspire dump <log.* or snapshot.* file>
              Prints every txn of a log segment, or every session and znode of a snapshot.
          zkaspire verify <log.* or snapshot.* file | dataDir [dataLogDir]>
              Checks a file or a whole data directory without changing it.
          zkaspire purge <dataDir> [dataLogDir] -n <count>
              Deletes all but the newest count snapshots and the log segments only they need.
          zkaspire bench [-server host:port[,...]] [--workload create,set,get,mixed,watch,lock,mutex,failover] [options]
              Loads any ZooKeeper server; 'zkaspire bench --help' lists the options.
          zkaspire --version
        See docs/cli.md.
        """;

    /// <summary>Runs the program with the process's console.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args) =>
        RunAsync(args, Console.In, Console.Out, Console.Error, interactive: !Console.IsInputRedirected, CancellationToken.None);

    /// <summary>Runs the program with the given streams; stdin is read as a script (no prompt).</summary>
    /// <param name="args">The arguments, as on the command line.</param>
    /// <param name="input">The shell's input.</param>
    /// <param name="output">stdout.</param>
    /// <param name="error">stderr.</param>
    /// <param name="cancellationToken">Stops reading input, and stops waiting in server commands.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(args, input, output, error, interactive: false, cancellationToken);

    /// <summary>Runs the program; <paramref name="interactive"/> says whether to print the shell's prompt.</summary>
    internal static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var console = new ShellOutput(output, error);
        switch (args.Count > 0 ? args[0] : null)
        {
            case "-h" or "--help" or "-?":
                console.Out(Usage.ReplaceLineEndings("\n"));
                return ExitCodes.Success;
            case "--version":
                console.Out("zkaspire " + CliVersion.FullVersion);
                return ExitCodes.Success;
            case "server":
                return await new ServerCommand(console).RunAsync(args.Skip(1).ToArray(), cancellationToken).ConfigureAwait(false);
            case "dump":
                return new DataCommands(console).Dump(args.Skip(1).ToArray());
            case "verify":
                return new DataCommands(console).Verify(args.Skip(1).ToArray());
            case "purge":
                return new DataCommands(console).Purge(args.Skip(1).ToArray());
            case "bench":
                return await new Bench.BenchCommand(output, error).RunAsync(args.Skip(1).ToArray(), cancellationToken).ConfigureAwait(false);
            case "shell":
                return await new ZooKeeperShell(console, interactive).RunAsync(args.Skip(1).ToArray(), input, cancellationToken).ConfigureAwait(false);
            default:
                // zkCli's own command line: 'zkaspire -server host:port ls /'.
                return await new ZooKeeperShell(console, interactive).RunAsync(args, input, cancellationToken).ConfigureAwait(false);
        }
    }
}
