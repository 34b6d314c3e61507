// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Cli.Shell;

/// <summary>
/// The shell's command line, read as zkCli's <c>MyCommandOptions.parseOptions</c> reads it:
/// <c>-server</c>, <c>-timeout</c>, <c>-r</c>, <c>-waitforconnection</c> and
/// <c>-client-configuration</c> in any order, other words starting with <c>-</c> ignored, and the
/// first other word starting the command to run once.
/// </summary>
internal sealed record ShellArguments
{
    /// <summary>zkCli's default server.</summary>
    public const string DefaultServer = "localhost:2181";

    /// <summary>zkCli's default session timeout.</summary>
    public const int DefaultTimeoutMs = 30_000;

    /// <summary>Gets the connection string.</summary>
    public string Server { get; init; } = DefaultServer;

    /// <summary>Gets the session timeout.</summary>
    public int TimeoutMs { get; init; } = DefaultTimeoutMs;

    /// <summary>Gets whether a read-only server will do (<c>-r</c>).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Gets whether to wait for the connection before anything else (<c>-waitforconnection</c>).</summary>
    public bool WaitForConnection { get; init; }

    /// <summary>Gets the <c>-client-configuration</c> file, if given.</summary>
    public string? ClientConfiguration { get; init; }

    /// <summary>Gets the command to run once and its arguments (the name first), or <see langword="null"/> for an interactive shell.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>Parses the arguments.</summary>
    /// <param name="args">The arguments after <c>zkaspire [shell]</c>.</param>
    /// <param name="arguments">The result.</param>
    /// <param name="error">The error message, when parsing failed.</param>
    /// <returns><see langword="true"/> if the arguments are usable.</returns>
    public static bool TryParse(IReadOnlyList<string> args, out ShellArguments arguments, out string? error)
    {
        arguments = new ShellArguments();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var option = args[i];
            switch (option)
            {
                case "-server" or "-timeout" or "-client-configuration" when i + 1 >= args.Count:
                    error = "Error: no argument found for option " + option;
                    return false;
                case "-server":
                    arguments = arguments with { Server = args[++i] };
                    break;
                case "-timeout":
                    var text = args[++i];
                    if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var timeout) || timeout <= 0)
                    {
                        error = "Error: the timeout must be a positive number of milliseconds: " + text;
                        return false;
                    }

                    arguments = arguments with { TimeoutMs = timeout };
                    break;
                case "-r":
                    arguments = arguments with { ReadOnly = true };
                    break;
                case "-waitforconnection":
                    arguments = arguments with { WaitForConnection = true };
                    break;
                case "-client-configuration":
                    arguments = arguments with { ClientConfiguration = args[++i] };
                    break;
                default:
                    if (!option.StartsWith('-'))
                    {
                        arguments = arguments with { Command = args.Skip(i).ToArray() };
                        return true;
                    }

                    // zkCli ignores options it does not know.
                    break;
            }
        }

        return true;
    }
}
