// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;

namespace ZkAspire.Server.Configuration;

/// <summary>
/// Reads the Java properties syntax that ZooKeeper reads zoo.cfg with (<c>java.util.Properties.load</c>):
/// <c>key=value</c>, <c>key: value</c> or <c>key value</c>; <c>#</c> and <c>!</c> comment lines;
/// a backslash at the end of a line continues it; <c>\t</c>, <c>\n</c>, <c>\r</c>, <c>\f</c>,
/// <c>\uXXXX</c> escapes and a backslash before any other character stand for that character.
/// </summary>
/// <remarks>
/// Two differences from <c>Properties.load(InputStream)</c>, both on purpose: the file is read as
/// UTF-8 rather than ISO-8859-1 (paths with non-ASCII characters survive), and keys and values
/// are trimmed, as ZooKeeper's <c>QuorumPeerConfig.parseProperties</c> trims them afterwards.
/// </remarks>
internal static class JavaProperties
{
    /// <summary>Parses properties text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The entries in file order, with the line each starts on; a later duplicate overrides an earlier one.</returns>
    /// <exception cref="FormatException">A malformed <c>\uXXXX</c> escape.</exception>
    public static IReadOnlyList<(string Key, string Value, int Line)> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<(string, string, int)>();
        var lines = SplitLines(text);
        for (var i = 0; i < lines.Count; i++)
        {
            var startLine = i + 1;
            var line = lines[i].TrimStart(' ', '\t', '\f');
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }

            // A logical line continues while it ends in an odd number of backslashes; leading
            // whitespace of continuation lines is dropped.
            var logical = new StringBuilder();
            while (true)
            {
                if (EndsWithContinuation(line) && i + 1 < lines.Count)
                {
                    logical.Append(line, 0, line.Length - 1);
                    i++;
                    line = lines[i].TrimStart(' ', '\t', '\f');
                    continue;
                }

                logical.Append(EndsWithContinuation(line) ? line[..^1] : line);
                break;
            }

            var (key, value) = SplitKeyValue(logical.ToString(), startLine);
            entries.Add((key.Trim(), value.Trim(), startLine));
        }

        return entries;
    }

    private static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '\n' or '\r')
            {
                lines.Add(text[start..i]);
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }

        return lines;
    }

    private static bool EndsWithContinuation(string line)
    {
        var backslashes = 0;
        for (var i = line.Length - 1; i >= 0 && line[i] == '\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 1;
    }

    private static (string Key, string Value) SplitKeyValue(string line, int lineNumber)
    {
        // The key ends at the first unescaped '=', ':' or whitespace; then whitespace, at most one
        // '=' or ':', and whitespace again separate it from the value.
        var keyEnd = 0;
        while (keyEnd < line.Length)
        {
            var c = line[keyEnd];
            if (c == '\\')
            {
                keyEnd += 2;
                continue;
            }

            if (c is '=' or ':' or ' ' or '\t' or '\f')
            {
                break;
            }

            keyEnd++;
        }

        keyEnd = Math.Min(keyEnd, line.Length);
        var valueStart = keyEnd;
        while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f')
        {
            valueStart++;
        }

        if (valueStart < line.Length && line[valueStart] is '=' or ':')
        {
            valueStart++;
        }

        while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f')
        {
            valueStart++;
        }

        return (Unescape(line[..keyEnd], lineNumber), Unescape(line[valueStart..], lineNumber));
    }

    private static string Unescape(string text, int lineNumber)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 >= text.Length)
            {
                result.Append(c);
                continue;
            }

            c = text[++i];
            switch (c)
            {
                case 't': result.Append('\t'); break;
                case 'n': result.Append('\n'); break;
                case 'r': result.Append('\r'); break;
                case 'f': result.Append('\f'); break;
                case 'u':
                    if (text.Length - i - 1 < 4
                        || !ushort.TryParse(text.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Malformed \\uXXXX escape on line {lineNumber}."));
                    }

                    result.Append((char)code);
                    i += 4;
                    break;
                default: result.Append(c); break;
            }
        }

        return result.ToString();
    }
}
