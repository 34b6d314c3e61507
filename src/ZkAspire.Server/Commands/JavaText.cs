// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Server.Commands;

/// <summary>Formats numbers and dates the way Java prints them, for output that tools parse as ZooKeeper's.</summary>
internal static class JavaText
{
    private static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary><c>Long.toHexString</c>: lower-case hex of the two's complement, no padding.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The hex digits.</returns>
    public static string Hex(long value) => value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>
    /// <c>Double.toString</c>: the shortest digits that round-trip, always with a fraction
    /// (<c>1.0</c>), and computerized scientific notation below 10⁻³ or from 10⁷ (<c>1.0E-4</c>).
    /// </summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string Double(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        var magnitude = Math.Abs(value);
        if (magnitude is >= 1e-3 and < 1e7)
        {
            var text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
        }

        var scientific = value.ToString("E16", CultureInfo.InvariantCulture);
        var exponentAt = scientific.IndexOf('E', StringComparison.Ordinal);
        var exponent = int.Parse(scientific.AsSpan(exponentAt + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = value / Math.Pow(10, exponent);
        var mantissaText = Math.Round(mantissa, 15).ToString("R", CultureInfo.InvariantCulture);
        if (!mantissaText.Contains('.', StringComparison.Ordinal))
        {
            mantissaText += ".0";
        }

        return mantissaText + "E" + exponent.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// ZooKeeper's average latency: the mean rounded half-up to four decimals
    /// (<c>AvgMinMaxCounter.getAvg</c>), printed as Java prints a double.
    /// </summary>
    /// <param name="total">The sum.</param>
    /// <param name="count">The number of samples.</param>
    /// <returns>The text, <c>0.0</c> with no samples.</returns>
    public static string Average(long total, long count) =>
        count == 0 ? "0.0" : Double((double)Math.Round((decimal)total / count, 4, MidpointRounding.AwayFromZero));

    /// <summary><c>java.util.Date.toString</c> in UTC: <c>Wed Nov 25 14:37:39 UTC 2026</c>.</summary>
    /// <param name="unixMs">Milliseconds since the Unix epoch.</param>
    /// <returns>The text.</returns>
    public static string Date(long unixMs)
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Days[(int)t.DayOfWeek]} {Months[t.Month - 1]} {t.Day:00} {t.Hour:00}:{t.Minute:00}:{t.Second:00} UTC {t.Year}");
    }
}
