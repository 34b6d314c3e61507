// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Cli.Tests.Infrastructure;

/// <summary>Expected zkCli text, masked as <see cref="CliRun.Mask"/> masks output.</summary>
public static class Expected
{
    /// <summary>The start of an interactive transcript (the connection event is not part of a transcript).</summary>
    public const string Banner = "Connecting to <server>\nWelcome to ZooKeeper!\nJLine support is disabled\n";

    /// <summary>The start of a one-shot transcript.</summary>
    public const string OneShot = "Connecting to <server>\n";

    /// <summary>A masked Stat block.</summary>
    public static string Stat(int cversion = 0, int dataVersion = 0, int aclVersion = 0, int dataLength = 0, int numChildren = 0) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            cZxid = 0x<hex>
            ctime = <time>
            mZxid = 0x<hex>
            mtime = <time>
            pZxid = 0x<hex>
            cversion = {cversion}
            dataVersion = {dataVersion}
            aclVersion = {aclVersion}
            ephemeralOwner = 0x<hex>
            dataLength = {dataLength}
            numChildren = {numChildren}

            """).ReplaceLineEndings("\n");

    /// <summary>Lines, each ended by a line break.</summary>
    public static string Lines(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));

    /// <summary>An event line as the watcher prints it.</summary>
    public static string Event(string type, string? path, string state = "SyncConnected") =>
        $"WatchedEvent state:{state} type:{type} path:{path ?? "null"}";

    /// <summary>The connection event.</summary>
    public static string Connected => Event("None", null);
}
