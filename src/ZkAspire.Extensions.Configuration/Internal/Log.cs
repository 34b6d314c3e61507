// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Logging;

namespace ZkAspire.Extensions.Configuration.Internal;

/// <summary>The provider's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Reading the ZooKeeper configuration under {Root} failed; the last good values stay and the read is retried.")]
    public static partial void ReloadFailed(ILogger logger, string root, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "{Message}; the source is optional, so the configuration starts without it and loads it when ZooKeeper answers.")]
    public static partial void StartedWithout(ILogger logger, string message);

    [LoggerMessage(3, LogLevel.Warning, "A read of the ZooKeeper configuration under {Root} saw zxid 0x{SnapshotZxid:x}, older than the applied 0x{AppliedZxid:x}; it is discarded and read again.")]
    public static partial void StaleRead(ILogger logger, string root, long snapshotZxid, long appliedZxid);

    [LoggerMessage(4, LogLevel.Error, "The ZooKeeper node {Path} holds invalid JSON; its last good keys stay.")]
    public static partial void InvalidJson(ILogger logger, string path, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "The ZooKeeper node {Path} is not readable with the client's credentials (NoAuth); it and its subtree are left out of the configuration.")]
    public static partial void Unreadable(ILogger logger, string path);

    [LoggerMessage(6, LogLevel.Information, "The ZooKeeper server has no persistent recursive watches (addWatch, ZooKeeper 3.6 and later); the configuration under {Root} is watched with one-time watches.")]
    public static partial void FallingBackToOneTimeWatches(ILogger logger, string root, Exception exception);
}
