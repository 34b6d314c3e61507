// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell;

/// <summary>Prints a Stat as zkCli's <c>StatPrinter</c> does: eleven <c>name = value</c> lines.</summary>
internal static class StatPrinter
{
    public static void Print(ShellOutput output, Stat stat)
    {
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"""
            cZxid = 0x{JavaText.Hex(stat.Czxid)}
            ctime = {JavaText.FormatDate(stat.Ctime)}
            mZxid = 0x{JavaText.Hex(stat.Mzxid)}
            mtime = {JavaText.FormatDate(stat.Mtime)}
            pZxid = 0x{JavaText.Hex(stat.Pzxid)}
            cversion = {stat.Cversion}
            dataVersion = {stat.Version}
            aclVersion = {stat.Aversion}
            ephemeralOwner = 0x{JavaText.Hex(stat.EphemeralOwner)}
            dataLength = {stat.DataLength}
            numChildren = {stat.NumChildren}
            """);
        output.Out(text.ReplaceLineEndings("\n"));
    }
}
