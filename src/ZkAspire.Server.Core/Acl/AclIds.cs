// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Server.Core;

/// <summary>Java parsing rules that ACL id validation depends on, reproduced exactly.</summary>
internal static class AclIds
{
    /// <summary>
    /// The length of Java's <c>text.split(separator)</c>: the pieces between separators, with
    /// trailing empty pieces dropped (so <c>"a:b:"</c> has 2 and <c>":"</c> has 0), and
    /// <c>[text]</c> when there is no separator at all.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="separator">The separator.</param>
    /// <returns>The number of pieces.</returns>
    public static int JavaSplitCount(string text, char separator)
    {
        if (!text.Contains(separator, StringComparison.Ordinal))
        {
            return 1;
        }

        var count = 0;
        var pending = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != separator)
            {
                continue;
            }

            if (i > start)
            {
                count += pending + 1;
                pending = 0;
            }
            else
            {
                // Empty pieces count only if a non-empty piece follows them.
                pending++;
            }

            start = i + 1;
        }

        return count;
    }

    /// <summary>Parses a decimal int as Java's <c>Integer.parseInt</c> does (optional sign, no spaces).</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> if it parsed.</returns>
    public static bool TryParseJavaInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
