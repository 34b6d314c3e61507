// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Reflection;

namespace ZkAspire.Cli;

/// <summary>
/// The version the CLI reports, in ZooKeeper's shape (<c>Version.getFullVersion()</c>) as the server
/// reports its own: <c>3.9.3-zkaspire-0.1.0, built on 2026-01-01 12:00 UTC</c>.
/// </summary>
internal static class CliVersion
{
    private static readonly Assembly Assembly = typeof(CliVersion).Assembly;

    /// <summary>Gets the full version string: the ZooKeeper protocol level, our version where ZooKeeper puts its git hash, the build date.</summary>
    public static string FullVersion { get; } =
        $"{Metadata("ZooKeeperCompatVersion") ?? "3.9.3"}-zkaspire-{Metadata("ZkAspireVersion") ?? "0.0.0"}, built on {Metadata("BuildDate") ?? "unknown"}";

    private static string? Metadata(string key) =>
        Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}
