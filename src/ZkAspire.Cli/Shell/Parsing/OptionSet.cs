// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Shell.Parsing;

/// <summary>
/// The short options a zkCli command accepts (commons-cli <c>Options</c>, the only kind zkCli
/// defines): a one-character name, with or without an argument.
/// </summary>
internal sealed class OptionSet
{
    private readonly Dictionary<string, OptionSpec> _options = new(StringComparer.Ordinal);

    /// <summary>Adds an option.</summary>
    /// <param name="name">Its name, e.g. <c>s</c> for <c>-s</c>.</param>
    /// <param name="hasArgument">Whether it takes one argument (<c>-v 3</c>).</param>
    /// <param name="description">What <c>-?</c> help prints.</param>
    /// <returns>This set.</returns>
    public OptionSet Add(string name, bool hasArgument, string description)
    {
        _options.Add(name, new OptionSpec(name, hasArgument, description));
        return this;
    }

    /// <summary>Whether an option of that name exists; leading hyphens are ignored, as <c>Options.hasShortOption</c> ignores them.</summary>
    public bool Has(string name) => _options.ContainsKey(StripLeadingHyphens(name));

    /// <summary>Gets an option by name (leading hyphens ignored), or <see langword="null"/>.</summary>
    public OptionSpec? Get(string name) => _options.GetValueOrDefault(StripLeadingHyphens(name));

    /// <summary>commons-cli's <c>Util.stripLeadingHyphens</c>: drops a leading <c>--</c> or <c>-</c>.</summary>
    public static string StripLeadingHyphens(string text) =>
        text.StartsWith("--", StringComparison.Ordinal) ? text[2..]
        : text.StartsWith('-') ? text[1..]
        : text;
}

/// <summary>One option of an <see cref="OptionSet"/>.</summary>
/// <param name="Name">The one-character name.</param>
/// <param name="HasArgument">Whether it takes one argument.</param>
/// <param name="Description">The help text.</param>
internal sealed record OptionSpec(string Name, bool HasArgument, string Description);
