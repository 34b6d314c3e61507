// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Server.Storage;

/// <summary>
/// File names: log segments <c>log.&lt;zxid&gt;</c> named by their first txn, snapshots
/// <c>snapshot.&lt;zxid&gt;</c> named by their start zxid (16 lower-case hex digits, so that names
/// sort by zxid), in a <c>zkaspire-1</c> subdirectory of dataLogDir and dataDir (ZooKeeper uses
/// <c>version-2</c> the same way). docs/storage-format.md describes the contents.
/// </summary>
public static class StorageLayout
{
    /// <summary>The subdirectory of dataDir and dataLogDir; its number is the layout version.</summary>
    public const string VersionDirectory = "zkaspire-1";

    /// <summary>The name prefix of log segments.</summary>
    public const string LogPrefix = "log.";

    /// <summary>The name prefix of snapshots.</summary>
    public const string SnapshotPrefix = "snapshot.";

    /// <summary>The suffix of a snapshot being written.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>The file holding the session-password secret, in the snapshot directory.</summary>
    public const string SecretFile = "session-secret";

    /// <summary>The name of the log segment whose first txn has a zxid.</summary>
    /// <param name="zxid">The zxid.</param>
    /// <returns>The name.</returns>
    public static string LogName(long zxid) => LogPrefix + zxid.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>The name of the snapshot that starts at a zxid.</summary>
    /// <param name="zxid">The zxid.</param>
    /// <returns>The name.</returns>
    public static string SnapshotName(long zxid) => SnapshotPrefix + zxid.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Parses the zxid of a log or snapshot name.</summary>
    /// <param name="name">The file name.</param>
    /// <param name="prefix">The expected prefix.</param>
    /// <param name="zxid">The zxid.</param>
    /// <returns><see langword="false"/> if the name is not of that kind (a temp file, say).</returns>
    public static bool TryParse(string name, string prefix, out long zxid)
    {
        zxid = 0;
        return name.StartsWith(prefix, StringComparison.Ordinal)
            && name.Length == prefix.Length + 16
            && long.TryParse(name.AsSpan(prefix.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out zxid);
    }
}
