// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text.RegularExpressions;

namespace ZkAspire.Cli.Shell.Parsing;

/// <summary>
/// Splits an interactive line into words as zkCli's <c>MyCommandOptions.parseCommand</c> does: a
/// word is a run of non-blanks, or a single- or double-quoted string whose quotes are removed. There
/// are no escapes; an unclosed quote is skipped; quotes inside a word stay (<c>a"b</c>).
/// </summary>
/// <remarks>
/// The pattern is zkCli's <c>ARGS_PATTERN</c> with Java's <c>\s</c> spelled out, because .NET's
/// <c>\s</c> also matches Unicode spaces, which Java's does not.
/// </remarks>
internal static partial class CommandLineSplitter
{
    /// <summary>Splits a line.</summary>
    /// <param name="line">The line.</param>
    /// <returns>The words; empty when the line holds none (e.g. a lone quote).</returns>
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        foreach (Match match in ArgsPattern().Matches(line))
        {
            var value = match.Groups[1].Value;
            if (QuotedPattern().IsMatch(value))
            {
                value = value[1..^1];
            }

            words.Add(value);
        }

        return words;
    }

    [GeneratedRegex("[ \\t\\n\\x0B\\f\\r]*([^\"'][^ \\t\\n\\x0B\\f\\r]*|\"[^\"]*\"|'[^']*')[ \\t\\n\\x0B\\f\\r]*", RegexOptions.CultureInvariant)]
    private static partial Regex ArgsPattern();

    // Java's '.' stops at line terminators; spelled out for the same reason as above.
    [GeneratedRegex("^(['\"])([^\\n\\r\\u0085\\u2028\\u2029]*)(\\1)$", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedPattern();
}
