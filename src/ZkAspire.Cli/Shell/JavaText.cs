// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell;

/// <summary>How Java prints the values zkCli shows: dates, hex numbers, jute records, permissions.</summary>
internal static class JavaText
{
    private static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>
    /// <c>new java.util.Date(ms).toString()</c>: <c>EEE MMM dd HH:mm:ss zzz yyyy</c> in the local
    /// time zone, e.g. <c>Wed Nov 25 15:12:56 UTC 2026</c>.
    /// </summary>
    /// <remarks>
    /// The zone name is the tz database abbreviation (CET, CEST, EST, IST…), which is what Java
    /// prints for most zones. Where the database has only a numeric one (+03), Java prints a name
    /// of its own (TRT) and we print Java's fallback form, GMT+03:00.
    /// </remarks>
    /// <param name="milliseconds">Milliseconds since the Unix epoch.</param>
    /// <param name="zone">The time zone; the local one by default.</param>
    /// <returns>The text.</returns>
    public static string FormatDate(long milliseconds, TimeZoneInfo? zone = null)
    {
        zone ??= TimeZoneInfo.Local;
        DateTimeOffset instant;
        try
        {
            instant = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        }
        catch (ArgumentOutOfRangeException)
        {
            // Beyond year 9999: only a broken server sends that; print the number rather than fail.
            return milliseconds.ToString(CultureInfo.InvariantCulture);
        }

        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Days[(int)local.DayOfWeek]} {Months[local.Month - 1]} {local.Day:00} {local.Hour:00}:{local.Minute:00}:{local.Second:00} {ZoneName(zone, instant, local.Offset)} {local.Year}");
    }

    /// <summary><c>Long.toHexString</c>: lower case, no leading zeros, two's complement for negatives.</summary>
    public static string Hex(long value) => value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>
    /// A jute record's <c>toString()</c> for an <see cref="Id"/> (<c>ToStringOutputArchive</c>):
    /// <c>'world,'anyone</c> and a line end; strings start with a quote and have <c>,</c>, <c>%</c>,
    /// <c>}</c>, NUL, CR and LF escaped as <c>%2C</c> and so on.
    /// </summary>
    public static string IdRecord(Id id) => JuteString(id.Scheme) + "," + JuteString(id.Identity) + "\n";

    /// <summary><c>ZKUtil.getPermString</c>: the granted permissions as <c>cdrwa</c>, in that order.</summary>
    public static string Permissions(Perms perms)
    {
        var text = new StringBuilder(5);
        if ((perms & Perms.Create) != 0)
        {
            text.Append('c');
        }

        if ((perms & Perms.Delete) != 0)
        {
            text.Append('d');
        }

        if ((perms & Perms.Read) != 0)
        {
            text.Append('r');
        }

        if ((perms & Perms.Write) != 0)
        {
            text.Append('w');
        }

        if ((perms & Perms.Admin) != 0)
        {
            text.Append('a');
        }

        return text.ToString();
    }

    /// <summary><c>List.toString()</c>: <c>[a, b]</c>.</summary>
    public static string List(IEnumerable<string> items) => "[" + string.Join(", ", items) + "]";

    private static string JuteString(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var text = new StringBuilder(value.Length + 1).Append('\'');
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '\0' => "%00",
                '\n' => "%0A",
                '\r' => "%0D",
                ',' => "%2C",
                '}' => "%7D",
                '%' => "%25",
                _ => c.ToString(),
            });
        }

        return text.ToString();
    }

    private static string ZoneName(TimeZoneInfo zone, DateTimeOffset instant, TimeSpan offset)
    {
        if (offset == TimeSpan.Zero && IsUtc(zone))
        {
            return "UTC";
        }

        // With invariant globalization (our setting) .NET reports the tz database abbreviations
        // here; a name with spaces would be a display name, which Java never prints.
        var name = zone.IsDaylightSavingTime(instant) ? zone.DaylightName : zone.StandardName;
        if (name.Length > 0 && name.All(char.IsAsciiLetter))
        {
            return name;
        }

        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var magnitude = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"GMT{sign}{magnitude.Hours:00}:{magnitude.Minutes:00}");
    }

    private static bool IsUtc(TimeZoneInfo zone) =>
        zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime
        && (zone == TimeZoneInfo.Utc || zone.Id is "UTC" or "Etc/UTC" or "Etc/UCT" or "UCT" or "Universal" or "Etc/Universal" or "Zulu" or "Etc/Zulu");
}
