// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Cli.Shell.Commands;
using ZkAspire.Cli.Shell.Parsing;
using ZkAspire.Client;

namespace ZkAspire.Cli.Shell;

/// <summary>
/// The zkCli-compatible shell, a port of zkCli 3.8's <c>ZooKeeperMain</c>: the same banner, the
/// same built-ins (connect, history, redo, printwatches, quit), the same usage on an unknown
/// command, the same "Not connected" once the session is gone, and the same exit codes — a
/// one-shot command's exit code is the command's (0, 1 for a failure, 127 for an unknown
/// command), and an interactive shell exits with its last command's.
/// </summary>
/// <remarks>Differences from zkCli, all deliberate, are listed in docs/cli.md.</remarks>
internal sealed class ZooKeeperShell
{
    /// <summary>The built-ins and their usage (zkCli's <c>commandMap</c> entries outside <c>CliCommand</c>).</summary>
    private static readonly Dictionary<string, string> BuiltIns = new(StringComparer.Ordinal)
    {
        ["connect"] = "host:port",
        ["history"] = string.Empty,
        ["redo"] = "cmdno",
        ["printwatches"] = "on|off",
        ["quit"] = string.Empty,
    };

    private static readonly SortedDictionary<string, string> CommandMap = BuildCommandMap();

    private readonly ShellOutput _output;
    private readonly bool _showPrompt;
    private readonly Dictionary<int, string> _history = [];
    private ShellArguments _arguments = new();
    private ShellConnection? _connection;
    private string _host = string.Empty;
    private int _commandCount;
    private volatile bool _printWatches = true;
    private int _exitCode;
    private bool _quit;

    /// <summary>Creates a shell.</summary>
    /// <param name="output">stdout and stderr.</param>
    /// <param name="showPrompt">Whether to print zkCli's prompt before each line (when stdin is a terminal).</param>
    public ZooKeeperShell(ShellOutput output, bool showPrompt)
    {
        _output = output;
        _showPrompt = showPrompt;
    }

    /// <summary>Runs the shell: one command from the arguments, or every line of <paramref name="input"/>.</summary>
    /// <param name="args">The arguments after <c>zkaspire [shell]</c>.</param>
    /// <param name="input">The lines to run when no command is given.</param>
    /// <param name="cancellationToken">Stops reading input.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextReader input, CancellationToken cancellationToken)
    {
        if (!ShellArguments.TryParse(args, out _arguments, out var error))
        {
            _output.Err(error!);
            return ExitCodes.InvalidInvocation;
        }

        if (_arguments.ClientConfiguration is { } configuration)
        {
            if (!File.Exists(configuration))
            {
                _output.Err($"Error: the client configuration file '{configuration}' does not exist.");
                return ExitCodes.InvalidInvocation;
            }

            _output.Err($"zkaspire: -client-configuration is not supported; '{configuration}' is ignored.");
        }

        _output.Out("Connecting to " + _arguments.Server);
        try
        {
            try
            {
                await ConnectAsync(_arguments.Server).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                // zkCli dies here with the exception; we print its message.
                _output.Err(e.Message);
                return e.ExitCode;
            }

            if (_arguments.Command is { } command)
            {
                await ProcessCommandAsync(command).ConfigureAwait(false);
                return _exitCode;
            }

            _output.Out("Welcome to ZooKeeper!");
            if (!_showPrompt)
            {
                // What zkCli prints when it reads a plain stream; with a terminal we print a prompt instead.
                _output.Out("JLine support is disabled");
            }

            while (!_quit)
            {
                if (_showPrompt)
                {
                    _output.OutRaw(Prompt);
                }

                var line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is null)
                {
                    break;
                }

                await ExecuteLineAsync(line).ConfigureAwait(false);
            }

            return _exitCode;
        }
        finally
        {
            if (_connection is not null)
            {
                // zkCli exits without closing its session; we close it, so its ephemeral nodes go at once.
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Gets zkCli's prompt: <c>[zk: 127.0.0.1:2181(CONNECTED) 0] </c>.</summary>
    internal string Prompt => string.Create(
        CultureInfo.InvariantCulture,
        $"[zk: {_host}({_connection?.StateName ?? "CLOSED"}) {_commandCount}] ");

    private static SortedDictionary<string, string> BuildCommandMap()
    {
        // Java sorts the names with String.compareTo: ordinal, so addWatch comes before addauth.
        var map = new SortedDictionary<string, string>(BuiltIns, StringComparer.Ordinal);
        foreach (var name in ShellCommands.Names)
        {
            ShellCommands.TryCreate(name, out var command);
            map[name] = command.OptionString;
        }

        return map;
    }

    private async Task ExecuteLineAsync(string line)
    {
        if (line.Length == 0)
        {
            return;
        }

        _history[_commandCount] = line;
        await ProcessCommandAsync(CommandLineSplitter.Split(line)).ConfigureAwait(false);
        _commandCount++;
    }

    /// <summary><c>processCmd</c>: runs a command and keeps its exit code; a failure is printed, never thrown.</summary>
    private async Task ProcessCommandAsync(IReadOnlyList<string> words)
    {
        try
        {
            await ProcessZooKeeperCommandAsync(words).ConfigureAwait(false);
            if (!_quit)
            {
                _exitCode = ExitCodes.Success;
            }
        }
        catch (CliException e)
        {
            _exitCode = e.ExitCode;
            _output.Err(e.Message);
        }
        catch (KeeperException e)
        {
            // A server error a command did not word itself: worded as zkCli's wrapper words it.
            _exitCode = ExitCodes.Failure;
            _output.Err(CliException.FromKeeper(e.Code, e.Path).Message);
        }
#pragma warning disable CA1031 // The shell never dies of a command: zkCli would, with a stack trace.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            _exitCode = ExitCodes.Failure;
            _output.Err($"zkaspire: the command failed: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary><c>processZKCmd</c>.</summary>
    private async Task ProcessZooKeeperCommandAsync(IReadOnlyList<string> words)
    {
        if (words.Count < 1)
        {
            PrintUsage();
            throw new CliException("No command entered");
        }

        var name = words[0];
        if (!CommandMap.ContainsKey(name))
        {
            PrintUsage();
            throw CliException.CommandNotFound(name);
        }

        switch (name)
        {
            case "quit":
                // zkCli exits with the exit code of the command before quit.
                if (_connection is not null)
                {
                    await _connection.CloseAsync().ConfigureAwait(false);
                }

                _quit = true;
                return;
            case "redo" when words.Count >= 2:
                await RedoAsync(words[1]).ConfigureAwait(false);
                break;
            case "history":
                for (var i = _commandCount - 10; i <= _commandCount; i++)
                {
                    if (i >= 0)
                    {
                        _output.Out(string.Create(CultureInfo.InvariantCulture, $"{i} - {_history.GetValueOrDefault(i) ?? "null"}"));
                    }
                }

                break;
            case "printwatches":
                if (words.Count == 1)
                {
                    _output.Out("printwatches is " + (_printWatches ? "on" : "off"));
                }
                else
                {
                    _printWatches = words[1] == "on";
                }

                break;
            case "connect":
                await ConnectAsync(words.Count >= 2 ? words[1] : _host).ConfigureAwait(false);
                break;
            default:
                break;
        }

        // As in zkCli, even the built-ins above end here, and print this when the session is gone.
        if (_connection is not { IsAlive: true } connection)
        {
            _output.Out("Not connected");
            return;
        }

        if (ShellCommands.TryCreate(name, out var command))
        {
            command.Parse(words, _output);
            await command.ExecuteAsync(new ShellContext(connection, _output)).ConfigureAwait(false);
        }
    }

    private async Task RedoAsync(string index)
    {
        if (!TryDecodeJavaInt(index, out var i))
        {
            // zkCli's Integer.decode throws, and the shell dies.
            throw new CliException("Command index is not a number: " + index);
        }

        if (_commandCount <= i || i < 0)
        {
            throw new CliException("Command index out of range");
        }

        var words = CommandLineSplitter.Split(_history[i]);
        if (words.Count > 0 && words[0] == "redo")
        {
            throw new CliException("No redoing redos");
        }

        _history[_commandCount] = _history[i];
        await ProcessCommandAsync(words).ConfigureAwait(false);
    }

    /// <summary><c>connectToZK</c>: closes the live handle (printing its Closed event) and opens another.</summary>
    private async Task ConnectAsync(string host)
    {
        if (_connection is not null)
        {
            if (_connection.IsAlive)
            {
                await _connection.CloseAsync().ConfigureAwait(false);
            }
            else
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        _host = host;
        _connection = null;
        try
        {
            _connection = ShellConnection.Open(host, TimeSpan.FromMilliseconds(_arguments.TimeoutMs), _arguments.ReadOnly, PrintEvent);
        }
        catch (ArgumentException e)
        {
            // zkCli dies with the connection string parser's exception.
            throw new CliException(e.ParamName is { } parameter ? e.Message.Replace($" (Parameter '{parameter}')", string.Empty, StringComparison.Ordinal) : e.Message);
        }

        if (_arguments.WaitForConnection && !await _connection.WaitUntilConnectedAsync(TimeSpan.FromMilliseconds(_arguments.TimeoutMs)).ConfigureAwait(false))
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            throw new CliException(KeeperException.FormatMessage(Protocol.KeeperErrorCode.ConnectionLoss, null));
        }
    }

    /// <summary>zkCli's default watcher: prints every event while printwatches is on.</summary>
    private void PrintEvent(WatchedEvent watchedEvent)
    {
        if (_printWatches)
        {
            _output.Messages("WATCHER::", watchedEvent.ToString());
        }
    }

    private void PrintUsage()
    {
        _output.Err("ZooKeeper -server host:port -client-configuration properties-file cmd args");
        foreach (var (name, options) in CommandMap)
        {
            _output.Err("\t" + name + " " + options);
        }
    }

    /// <summary><c>Integer.decode</c>: an optional sign, then decimal, <c>0x</c>/<c>#</c> hex or <c>0</c> octal.</summary>
    internal static bool TryDecodeJavaInt(string text, out int value)
    {
        value = 0;
        var index = 0;
        var negative = false;
        if (text.Length > 0 && text[0] is '-' or '+')
        {
            negative = text[0] == '-';
            index = 1;
        }

        var radix = 10;
        if (string.CompareOrdinal(text, index, "0x", 0, 2) == 0 || string.CompareOrdinal(text, index, "0X", 0, 2) == 0)
        {
            radix = 16;
            index += 2;
        }
        else if (string.CompareOrdinal(text, index, "#", 0, 1) == 0)
        {
            radix = 16;
            index++;
        }
        else if (string.CompareOrdinal(text, index, "0", 0, 1) == 0 && text.Length > index + 1)
        {
            radix = 8;
            index++;
        }

        var digits = text[index..];
        if (digits.Length == 0 || digits[0] is '-' or '+')
        {
            return false;
        }

        long result = 0;
        foreach (var c in digits)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                >= 'A' and <= 'Z' => c - 'A' + 10,
                _ => int.MaxValue,
            };
            if (digit >= radix)
            {
                return false;
            }

            result = (result * radix) + digit;
            if (result > (long)int.MaxValue + 1)
            {
                return false;
            }
        }

        result = negative ? -result : result;
        if (result is < int.MinValue or > int.MaxValue)
        {
            return false;
        }

        value = (int)result;
        return true;
    }
}
