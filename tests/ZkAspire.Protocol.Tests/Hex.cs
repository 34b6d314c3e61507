// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;

namespace ZkAspire.Protocol.Tests;

/// <summary>Hex dumps as the wire-protocol doc writes them.</summary>
internal static class Hex
{
    /// <summary>
    /// Parses hex pairs, ignoring whitespace and the <c>|</c> separators the doc uses between fields.
    /// </summary>
    public static byte[] Parse(string text)
    {
        var digits = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (Uri.IsHexDigit(c))
            {
                digits.Append(c);
            }
            else if (!char.IsWhiteSpace(c) && c != '|')
            {
                throw new ArgumentException($"Unexpected character '{c}' in hex text.", nameof(text));
            }
        }

        if (digits.Length % 2 != 0)
        {
            throw new ArgumentException("Odd number of hex digits.", nameof(text));
        }

        var bytes = new byte[digits.Length / 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = byte.Parse(digits.ToString(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }

        return bytes;
    }

    /// <summary>Parses a dump whose lines start with an offset (<c>0000:</c>) and may end with a comment.</summary>
    /// <remarks>
    /// The doc's dumps put a description after the hex bytes; a token is taken as a byte only while
    /// it is exactly two hex digits, so descriptions such as <c>ab</c> could confuse it: the dumps
    /// used here are written so they don't.
    /// </remarks>
    public static byte[] ParseDump(string dump)
    {
        var bytes = new List<byte>();
        foreach (var rawLine in dump.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon != 4)
            {
                throw new ArgumentException($"A dump line must start with a 4-digit offset: '{line}'.", nameof(dump));
            }

            var expectedOffset = int.Parse(line.AsSpan(0, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (expectedOffset != bytes.Count)
            {
                throw new ArgumentException($"The dump line at offset {expectedOffset:x4} follows {bytes.Count:x4} bytes.", nameof(dump));
            }

            foreach (var token in line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (token.Length != 2 || !Uri.IsHexDigit(token[0]) || !Uri.IsHexDigit(token[1]))
                {
                    break;
                }

                bytes.Add(byte.Parse(token, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }

        return [.. bytes];
    }

    /// <summary>Formats bytes as space-separated lower-case hex, for failure messages.</summary>
    public static string Format(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            text.Append(CultureInfo.InvariantCulture, $"{b:x2} ");
        }

        return text.ToString().TrimEnd();
    }
}
