// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Tests;

/// <summary>Java's renderings zkCli prints: Date.toString, Long.toHexString, jute record toString, permission strings.</summary>
public sealed class JavaTextTests
{
    // java.util.Date's toString for these instants, from Java 17 with TZ set to each zone.
    [Theory]
    [InlineData(0L, "UTC", "Thu Jan 01 00:00:00 UTC 1970")]
    [InlineData(1782400000000L, "UTC", "Thu Jun 25 15:06:40 UTC 2026")]
    [InlineData(0L, "Europe/Berlin", "Thu Jan 01 01:00:00 CET 1970")]
    [InlineData(1782400000000L, "Europe/Berlin", "Thu Jun 25 17:06:40 CEST 2026")]
    [InlineData(1782400000000L, "America/New_York", "Thu Jun 25 11:06:40 EDT 2026")]
    [InlineData(1767225600000L, "America/New_York", "Wed Dec 31 19:00:00 EST 2025")]
    [InlineData(1782400000000L, "Asia/Kolkata", "Thu Jun 25 20:36:40 IST 2026")]
    [InlineData(1782400000000L, "Etc/GMT+5", "Thu Jun 25 10:06:40 GMT-05:00 2026")]
    public void FormatsDatesAsJavaDateToString(long milliseconds, string zone, string expected) =>
        Assert.Equal(expected, JavaText.FormatDate(milliseconds, TimeZoneInfo.FindSystemTimeZoneById(zone)));

    [Fact]
    public void NumericZoneAbbreviationsBecomeGmtOffsets() =>

        // Java names this zone TRT from its own tables; the tz database only has "+03".
        Assert.Equal("Thu Jun 25 18:06:40 GMT+03:00 2026", JavaText.FormatDate(1782400000000L, TimeZoneInfo.FindSystemTimeZoneById("Europe/Istanbul")));

    [Fact]
    public void AnOutOfRangeTimeIsPrintedAsANumber() =>
        Assert.Equal(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), JavaText.FormatDate(long.MaxValue, TimeZoneInfo.Utc));

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(0x1f4L, "1f4")]
    [InlineData(-1L, "ffffffffffffffff")]
    [InlineData(0x100000123456789L, "100000123456789")]
    public void FormatsHexAsLongToHexString(long value, string expected) => Assert.Equal(expected, JavaText.Hex(value));

    [Fact]
    public void FormatsAnIdAsAJuteRecord()
    {
        Assert.Equal("'world,'anyone\n", JavaText.IdRecord(Id.AnyoneIdUnsafe));
        Assert.Equal("'digest,'user:smGaoVKd/cQkjm7b88GyorAUz20=\n", JavaText.IdRecord(new Id("digest", "user:smGaoVKd/cQkjm7b88GyorAUz20=")));
        Assert.Equal("'x,'a%2Cb%25c%7Dd%0Ae%0Df%00\n", JavaText.IdRecord(new Id("x", "a,b%c}d\ne\rf\0")));
        Assert.Equal(",\n", JavaText.IdRecord(new Id(null, null)));
    }

    [Theory]
    [InlineData(Perms.All, "cdrwa")]
    [InlineData(Perms.Read | Perms.Write | Perms.Admin, "rwa")]
    [InlineData(Perms.None, "")]
    [InlineData(Perms.Create, "c")]
    public void FormatsPermissionsInZkUtilOrder(Perms perms, string expected) => Assert.Equal(expected, JavaText.Permissions(perms));
}
