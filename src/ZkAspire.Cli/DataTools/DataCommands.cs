// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.Cli.Shell;
using ZkAspire.Server.Storage;

namespace ZkAspire.Cli.DataTools;

/// <summary>
/// The data-directory tools, over the server's storage library: <c>zkaspire dump</c> prints a txn
/// log segment or a snapshot (ZooKeeper's <c>LogFormatter</c> / <c>TxnLogToolkit</c> and
/// <c>SnapshotFormatter</c>), <c>zkaspire verify</c> checks a file or a whole data directory
/// without changing it, and <c>zkaspire purge</c> deletes old snapshots and the log segments only
/// they need (ZooKeeper's <c>PurgeTxnLog</c>, <c>zkCleanup.sh</c>).
/// </summary>
/// <remarks>
/// Exit codes: 0 when the files are sound (or the purge succeeded), 1 when a problem was found or
/// a file cannot be read, 2 for bad arguments. Dumps go to stdout as they are read, so a large file
/// is not held in memory; problems go to stderr.
/// </remarks>
internal sealed class DataCommands(ShellOutput output)
{
    /// <summary>How <c>dump</c> is called.</summary>
    public const string DumpUsage = "Usage: zkaspire dump <log.* or snapshot.* file>";

    /// <summary>How <c>verify</c> is called.</summary>
    public const string VerifyUsage = "Usage: zkaspire verify <log.* or snapshot.* file | dataDir [dataLogDir]>";

    /// <summary>How <c>purge</c> is called.</summary>
    public const string PurgeUsage = "Usage: zkaspire purge <dataDir> [dataLogDir] -n <count>";

    private enum FileKind
    {
        Log,
        Snapshot,
    }

    /// <summary><c>zkaspire dump &lt;file&gt;</c>.</summary>
    /// <param name="args">The arguments after <c>dump</c>.</param>
    /// <returns>The exit code.</returns>
    public int Dump(IReadOnlyList<string> args)
    {
        if (args.Count != 1 || args[0].StartsWith('-'))
        {
            output.Err(DumpUsage);
            return ExitCodes.InvalidInvocation;
        }

        if (Identify(args[0]) is not { } kind)
        {
            return ExitCodes.Failure;
        }

        var report = kind == FileKind.Log
            ? StorageTools.DumpLog(args[0], output.Out)
            : StorageTools.DumpSnapshot(args[0], output.Out);
        return Finish(report);
    }

    /// <summary><c>zkaspire verify &lt;file | dataDir [dataLogDir]&gt;</c>.</summary>
    /// <param name="args">The arguments after <c>verify</c>.</param>
    /// <returns>The exit code.</returns>
    public int Verify(IReadOnlyList<string> args)
    {
        if (args.Count is 0 or > 2 || args.Any(a => a.StartsWith('-')))
        {
            output.Err(VerifyUsage);
            return ExitCodes.InvalidInvocation;
        }

        if (File.Exists(args[0]))
        {
            if (args.Count > 1)
            {
                output.Err(VerifyUsage);
                return ExitCodes.InvalidInvocation;
            }

            if (Identify(args[0]) is not { } kind)
            {
                return ExitCodes.Failure;
            }

            return Finish(kind == FileKind.Log ? StorageTools.VerifyLog(args[0]) : StorageTools.VerifySnapshot(args[0]));
        }

        if (OpenDataDirectory(args, out var options) is { } failure)
        {
            return failure;
        }

        var report = StorageTools.VerifyDataDirectory(options);
        foreach (var line in report.Lines)
        {
            output.Out(line);
        }

        if (report.IsValid)
        {
            var snapshots = report.Lines.Count(l => l.Contains(": snapshot format ", StringComparison.Ordinal));
            output.Out(string.Create(CultureInfo.InvariantCulture, $"OK: {snapshots} snapshots and {report.Lines.Count - snapshots} log segments verified."));
            return ExitCodes.Success;
        }

        foreach (var problem in report.Problems)
        {
            output.Err(problem);
        }

        output.Err(string.Create(CultureInfo.InvariantCulture, $"{report.Problems.Count} problems found."));
        return ExitCodes.Failure;
    }

    /// <summary><c>zkaspire purge &lt;dataDir&gt; [dataLogDir] -n &lt;count&gt;</c>.</summary>
    /// <param name="args">The arguments after <c>purge</c>.</param>
    /// <returns>The exit code.</returns>
    public int Purge(IReadOnlyList<string> args)
    {
        var directories = new List<string>();
        int? count = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "-n")
            {
                if (i + 1 >= args.Count || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    output.Err("zkaspire purge: -n needs a number of snapshots to keep.");
                    output.Err(PurgeUsage);
                    return ExitCodes.InvalidInvocation;
                }

                count = n;
                i++;
            }
            else if (args[i].StartsWith('-'))
            {
                output.Err($"zkaspire purge: unknown option {args[i]}.");
                output.Err(PurgeUsage);
                return ExitCodes.InvalidInvocation;
            }
            else
            {
                directories.Add(args[i]);
            }
        }

        if (count is null || directories.Count is 0 or > 2)
        {
            output.Err(PurgeUsage);
            return ExitCodes.InvalidInvocation;
        }

        // PurgeTxnLog: "snapRetainCount must be >= 3" (a damaged newest snapshot needs an older one).
        if (count < StoragePurge.MinRetainCount)
        {
            output.Err(string.Create(CultureInfo.InvariantCulture, $"zkaspire purge: -n must be at least {StoragePurge.MinRetainCount}: recovery falls back to an older snapshot when the newest is damaged."));
            return ExitCodes.InvalidInvocation;
        }

        if (OpenDataDirectory(directories, out var options) is { } failure)
        {
            return failure;
        }

        options.SnapRetainCount = count.Value;
        PurgeResult result;
        try
        {
            result = StoragePurge.Purge(options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Err($"zkaspire purge: {e.Message}");
            return ExitCodes.Failure;
        }

        foreach (var path in result.DeletedSnapshots.Concat(result.DeletedLogs))
        {
            // PurgeTxnLog prints each file it removes.
            output.Out("Removing file: " + path);
        }

        output.Out(result.OldestRetainedSnapshotZxid < 0
            ? string.Create(CultureInfo.InvariantCulture, $"Nothing to purge: there are no more than {count} snapshots.")
            : string.Create(CultureInfo.InvariantCulture, $"Kept the newest {count} snapshots (the oldest starts at zxid 0x{result.OldestRetainedSnapshotZxid:x}) and the log from there; removed {result.DeletedSnapshots.Count} snapshots and {result.DeletedLogs.Count} log segments."));
        return ExitCodes.Success;
    }

    private int? OpenDataDirectory(IReadOnlyList<string> directories, out StorageOptions options)
    {
        // Accept the layout directory itself too: 'zkaspire verify /var/zk/zkaspire-1'.
        var dataDir = Unwrap(directories[0]);
        var dataLogDir = directories.Count > 1 ? Unwrap(directories[1]) : null;
        options = new StorageOptions { DataDir = dataDir, DataLogDir = dataLogDir };
        foreach (var (directory, layout, key) in new[] { (dataDir, options.SnapshotDirectory, "dataDir"), (dataLogDir ?? dataDir, options.LogDirectory, "dataLogDir") })
        {
            if (!Directory.Exists(directory))
            {
                output.Err($"zkaspire: {directory}: no such directory.");
                return ExitCodes.Failure;
            }

            if (!Directory.Exists(layout))
            {
                output.Err($"zkaspire: {directory} is not a ZkAspire {key}: it has no {StorageLayout.VersionDirectory} directory.");
                return ExitCodes.Failure;
            }
        }

        return null;

        static string Unwrap(string directory)
        {
            var full = Path.TrimEndingDirectorySeparator(directory);
            return Path.GetFileName(full) == StorageLayout.VersionDirectory ? Path.GetDirectoryName(full) ?? full : full;
        }
    }

    private FileKind? Identify(string path)
    {
        // By the magic, so that a renamed or copied file is still recognized.
        var magic = new byte[4];
        try
        {
            using var file = File.OpenRead(path);
            file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Err($"zkaspire: {path}: cannot be read: {e.Message}");
            return null;
        }

        switch (Encoding.ASCII.GetString(magic))
        {
            case "ZKAL":
                return FileKind.Log;
            case "ZKAS":
                return FileKind.Snapshot;
            case "ZKLG" or "ZKSN":
                output.Err($"zkaspire: {path} is an Apache ZooKeeper {(magic[3] == (byte)'G' ? "txn log" : "snapshot")}; ZkAspire reads its own format only (docs/storage-format.md). Use ZooKeeper's zkTxnLogToolkit.sh or zkSnapShotToolkit.sh.");
                return null;
            default:
                // A damaged header: go by the name, and let the tool report what it finds.
                var name = Path.GetFileName(path);
                if (name.StartsWith(StorageLayout.LogPrefix, StringComparison.Ordinal))
                {
                    return FileKind.Log;
                }

                if (name.StartsWith(StorageLayout.SnapshotPrefix, StringComparison.Ordinal))
                {
                    return FileKind.Snapshot;
                }

                output.Err($"zkaspire: {path} is neither a ZkAspire txn log segment nor a snapshot (it does not start with ZKAL or ZKAS).");
                return null;
        }
    }

    private int Finish(StorageToolReport report)
    {
        foreach (var line in report.Lines)
        {
            output.Out(line);
        }

        foreach (var problem in report.Problems)
        {
            output.Err(problem);
        }

        return report.IsValid ? ExitCodes.Success : ExitCodes.Failure;
    }
}
