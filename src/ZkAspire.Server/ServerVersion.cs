// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Reflection;

namespace ZkAspire.Server;

/// <summary>
/// The version this server reports, in ZooKeeper's shape (<c>Version.getFullVersion()</c>):
/// <c>3.9.3-zkaspire-0.1.0, built on 2026-01-01 12:00 UTC</c>. Tools parse the leading
/// <c>major.minor.patch</c> after <c>Zookeeper version: </c>, so it names the ZooKeeper protocol
/// level we implement, and our own version stands where ZooKeeper puts its git hash.
/// </summary>
public static class ServerVersion
{
    private static readonly Assembly Assembly = typeof(ServerVersion).Assembly;

    /// <summary>Gets the ZooKeeper version whose client protocol the server speaks, e.g. <c>3.9.3</c>.</summary>
    public static string ZooKeeperVersion { get; } = Metadata("ZooKeeperCompatVersion") ?? "3.9.3";

    /// <summary>Gets ZkAspire's own version, e.g. <c>0.1.0</c>.</summary>
    public static string ZkAspireVersion { get; } = Metadata("ZkAspireVersion") ?? "0.0.0";

    /// <summary>Gets when the server was built, e.g. <c>2026-01-01 12:00 UTC</c>.</summary>
    public static string BuildDate { get; } = Metadata("BuildDate") ?? "unknown";

    /// <summary>Gets the full version string, as srvr, stat, envi and mntr print it.</summary>
    public static string FullVersion { get; } = $"{ZooKeeperVersion}-zkaspire-{ZkAspireVersion}, built on {BuildDate}";

    private static string? Metadata(string key) =>
        Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}
