// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Cli.Shell.Parsing;
using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>
/// A zkCli command (<c>org.apache.zookeeper.cli.CliCommand</c>): parse the words, then run. Each
/// invocation gets a new instance (zkCli reuses one, so that e.g. addWatch's <c>-m</c> sticks to
/// later invocations; we do not copy that).
/// </summary>
/// <param name="name">The command's name.</param>
/// <param name="optionString">What its usage line shows after the name.</param>
internal abstract class ShellCommand(string name, string optionString)
{
    /// <summary>Gets the command's name, e.g. <c>ls</c>.</summary>
    public string Name { get; } = name;

    /// <summary>Gets the usage after the name, e.g. <c>[-s] [-w] [-R] path</c>.</summary>
    public string OptionString { get; } = optionString;

    /// <summary>Gets the usage line zkCli prints on bad arguments (<c>getUsageStr</c>).</summary>
    public string Usage => Name + " " + OptionString;

    /// <summary>Parses the words (the name first).</summary>
    /// <param name="words">The words.</param>
    /// <param name="output">Where deprecation warnings and help go.</param>
    /// <exception cref="CliException">Bad arguments.</exception>
    public abstract void Parse(IReadOnlyList<string> words, ShellOutput output);

    /// <summary>Runs the command.</summary>
    /// <param name="context">The connection and the output.</param>
    /// <returns>A task that completes when done.</returns>
    /// <exception cref="CliException">The command failed.</exception>
    public abstract Task ExecuteAsync(ShellContext context);

    /// <summary>Parses with commons-cli's rules.</summary>
    protected static ParsedCommand ParseOptions(OptionSet options, IReadOnlyList<string> words) => OptionParser.Parse(options, words);

    /// <summary>
    /// The old <c>cmd path watch</c> form (zkCli's <c>retainCompatibility</c>): with more than two
    /// arguments, the third word becomes <c>-w</c> and the words are parsed again. The word replaced
    /// is the third of the original words, options included, exactly as zkCli replaces it.
    /// </summary>
    protected static ParsedCommand RewriteWatchArgument(OptionSet options, IReadOnlyList<string> words, ParsedCommand parsed, ShellOutput output, string warning)
    {
        if (parsed.Args.Count <= 2)
        {
            return parsed;
        }

        var rewritten = words.ToArray();
        rewritten[2] = "-w";
        output.Err(warning);
        return ParseOptions(options, rewritten);
    }

    /// <summary>Checks a path as the Java client does before sending (<c>PathUtils.validatePath</c>).</summary>
    /// <exception cref="CliException">The path is invalid (zkCli's <c>MalformedPathException</c>).</exception>
    protected static void ValidatePath(string path, bool isSequential = false)
    {
        if (PathUtils.Validate(path, isSequential) is { } reason)
        {
            throw new CliException(reason);
        }
    }

    /// <summary>Runs a call and words its failure as zkCli does (<c>CliWrapperException</c>).</summary>
    protected static async Task<T> CallAsync<T>(ShellContext context, string? path, Func<ZooKeeperClient, CancellationToken, Task<T>> operation)
    {
        try
        {
            return await context.Connection.CallAsync(path, ct => operation(context.Client, ct)).ConfigureAwait(false);
        }
        catch (KeeperException e)
        {
            throw CliException.FromKeeper(e.Code, e.Path, e);
        }
    }

    /// <summary>Runs a call without a result; see <see cref="CallAsync{T}"/>.</summary>
    protected static Task CallAsync(ShellContext context, string? path, Func<ZooKeeperClient, CancellationToken, Task> operation) =>
        CallAsync(context, path, async (client, ct) =>
        {
            await operation(client, ct).ConfigureAwait(false);
            return true;
        });

    /// <summary>
    /// Parses a <c>-v</c> version as <c>Integer.parseInt</c> does. zkCli lets the
    /// NumberFormatException escape and the shell dies; we report it like deleteall's <c>-b</c>.
    /// </summary>
    protected static int ParseVersion(ParsedCommand parsed)
    {
        if (parsed.Value("v") is not { } text)
        {
            return -1;
        }

        return TryParseJavaInt(text, out var version)
            ? version
            : throw new CliException("-v argument must be an int value");
    }

    /// <summary><c>Integer.parseInt</c>: an optional sign and decimal digits, within int range.</summary>
    protected static bool TryParseJavaInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
