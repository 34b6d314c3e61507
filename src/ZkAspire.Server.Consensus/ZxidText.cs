// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Server.Consensus;

/// <summary>Zxids as people read them: <c>epoch.counter</c> in decimal (0x100000002 is <c>1.2</c>).</summary>
public static class ZxidText
{
    /// <summary>Formats a zxid.</summary>
    /// <param name="zxid">The zxid.</param>
    /// <returns><c>epoch.counter</c>.</returns>
    public static string Format(long zxid) => string.Create(CultureInfo.InvariantCulture, $"{zxid >>> 32}.{(uint)zxid}");

    /// <summary>Builds a zxid from its epoch and counter.</summary>
    /// <param name="epoch">The epoch.</param>
    /// <param name="counter">The counter.</param>
    /// <returns>The zxid.</returns>
    public static long Make(int epoch, uint counter) => ((long)epoch << 32) | counter;

    /// <summary>Gets the epoch of a zxid.</summary>
    /// <param name="zxid">The zxid.</param>
    /// <returns>Its high 32 bits.</returns>
    public static int EpochOf(long zxid) => (int)(zxid >>> 32);

    /// <summary>Parses <c>epoch.counter</c> (or a plain or 0x-prefixed number).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The zxid.</returns>
    /// <exception cref="FormatException">The text is neither form.</exception>
    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            return Make(
                int.Parse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture),
                uint.Parse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture));
        }

        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
