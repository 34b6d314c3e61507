// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Storage;

/// <summary>
/// Read-only inspection of storage files, for the CLI (ZooKeeper's LogFormatter,
/// SnapshotFormatter and TxnLogToolkit): dump a log segment or a snapshot as text, or verify one
/// file or a whole data directory. Nothing here changes a file.
/// </summary>
public static class StorageTools
{
    /// <summary>Prints every txn of a log segment, one line each, and checks the segment.</summary>
    /// <param name="path">The segment.</param>
    /// <param name="lineSink">Receives the lines as they are made; <see langword="null"/> to collect them in the report.</param>
    /// <param name="fileSystem">The file system; <see cref="LocalFileSystem"/> by default.</param>
    /// <returns>The lines and problems.</returns>
    public static StorageToolReport DumpLog(string path, Action<string>? lineSink = null, IStorageFileSystem? fileSystem = null) =>
        InspectLog(path, dump: true, lineSink, fileSystem);

    /// <summary>Checks a log segment: header, every batch and record checksum, zxid order, and how it ends.</summary>
    /// <param name="path">The segment.</param>
    /// <param name="fileSystem">The file system; <see cref="LocalFileSystem"/> by default.</param>
    /// <returns>A summary line and the problems.</returns>
    public static StorageToolReport VerifyLog(string path, IStorageFileSystem? fileSystem = null) =>
        InspectLog(path, dump: false, null, fileSystem);

    /// <summary>Prints a snapshot: its header, sessions and every znode with all its metadata.</summary>
    /// <param name="path">The snapshot.</param>
    /// <param name="lineSink">Receives the lines as they are made; <see langword="null"/> to collect them in the report.</param>
    /// <param name="fileSystem">The file system; <see cref="LocalFileSystem"/> by default.</param>
    /// <returns>The lines and problems.</returns>
    public static StorageToolReport DumpSnapshot(string path, Action<string>? lineSink = null, IStorageFileSystem? fileSystem = null) =>
        InspectSnapshot(path, dump: true, lineSink, fileSystem);

    /// <summary>Checks a snapshot: header, every chunk checksum, the trailer, and that its records load.</summary>
    /// <param name="path">The snapshot.</param>
    /// <param name="fileSystem">The file system; <see cref="LocalFileSystem"/> by default.</param>
    /// <returns>A summary line and the problems.</returns>
    public static StorageToolReport VerifySnapshot(string path, IStorageFileSystem? fileSystem = null) =>
        InspectSnapshot(path, dump: false, null, fileSystem);

    /// <summary>
    /// Checks a data directory without changing it: every snapshot, every segment, and that the
    /// segments follow each other without gaps; says what startup recovery would do.
    /// </summary>
    /// <param name="options">Where the files are.</param>
    /// <param name="fileSystem">The file system; <see cref="LocalFileSystem"/> by default.</param>
    /// <returns>One line per file and the problems.</returns>
    public static StorageToolReport VerifyDataDirectory(StorageOptions options, IStorageFileSystem? fileSystem = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fs = fileSystem ?? LocalFileSystem.Instance;
        var lines = new List<string>();
        var problems = new List<string>();
        foreach (var (_, path) in StorageRecovery.ListSnapshots(fs, options))
        {
            var report = VerifySnapshot(path, fs);
            lines.AddRange(report.Lines);
            problems.AddRange(report.Problems);
        }

        var segments = StorageRecovery.ListSegments(fs, options);
        var previous = -1L;
        for (var i = 0; i < segments.Count; i++)
        {
            var (zxid, path) = segments[i];
            var isLast = i == segments.Count - 1;
            var scan = TxnLogSegmentScan.Read(fs, path, zxid, previous, isLast ? long.MaxValue : segments[i + 1].Zxid, null);
            lines.Add(Summarize(scan));
            problems.AddRange(ProblemsOf(scan, isLast));
            if (scan.LastZxid > 0)
            {
                previous = scan.LastZxid;
            }
        }

        return new StorageToolReport(lines, problems);
    }

    private static StorageToolReport InspectLog(string path, bool dump, Action<string>? lineSink, IStorageFileSystem? fileSystem)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fs = fileSystem ?? LocalFileSystem.Instance;
        var lines = new List<string>();
        var emit = lineSink ?? lines.Add;
        var problems = new List<string>();
        if (!StorageLayout.TryParse(Path.GetFileName(path), StorageLayout.LogPrefix, out var nameZxid))
        {
            nameZxid = -1;
        }

        TxnLogSegmentScan scan;
        try
        {
            scan = TxnLogSegmentScan.Read(fs, path, nameZxid, -1, long.MaxValue, dump ? (entry, offset) => emit(FormatTxn(entry, offset)) : null);
        }
        catch (IOException e)
        {
            return new StorageToolReport(lines, [$"{path}: cannot be read: {e.Message}"]);
        }

        if (nameZxid < 0 && scan.HeaderProblem?.StartsWith("the header names", StringComparison.Ordinal) == true)
        {
            // A segment renamed by hand: judge it by its header alone.
            scan = TxnLogSegmentScan.Read(fs, path, ParseHeaderZxid(fs, path), -1, long.MaxValue, dump ? (entry, offset) => emit(FormatTxn(entry, offset)) : null);
        }

        emit(Summarize(scan));
        problems.AddRange(ProblemsOf(scan, isLast: true));
        return new StorageToolReport(lines, problems);
    }

    private static long ParseHeaderZxid(IStorageFileSystem fs, string path)
    {
        using var file = fs.Open(path, StorageFileMode.Read);
        var header = new byte[TxnLogFormat.HeaderSize];
        file.Read(header, 0);
        return TxnLogFormat.ReadSegmentHeader(header, out var parsed) is null ? parsed.FirstZxid : -1;
    }

    private static StorageToolReport InspectSnapshot(string path, bool dump, Action<string>? lineSink, IStorageFileSystem? fileSystem)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fs = fileSystem ?? LocalFileSystem.Instance;
        var lines = new List<string>();
        var emit = lineSink ?? lines.Add;
        var problems = new List<string>();
        var acls = new Dictionary<int, IReadOnlyList<ACL>>();
        var recovery = new ReplicaRecovery(new ReplicaOptions());
        try
        {
            var header = SnapshotFileReader.Read(fs, path, (records, offset) =>
            {
                try
                {
                    recovery.LoadSnapshotChunk(records);
                }
                catch (SnapshotFormatException e)
                {
                    throw new StorageCorruptionException($"the chunk's records are malformed: {e.Message}", path, offset);
                }

                if (!dump)
                {
                    return;
                }

                var reader = new SnapshotRecordReader(records, int.MaxValue);
                while (reader.TryRead(out var kind))
                {
                    switch (kind)
                    {
                        case SnapshotRecordKind.Begin:
                            emit(string.Create(CultureInfo.InvariantCulture, $"begin: record version {reader.FormatVersion}, start zxid 0x{reader.StartZxid:x}, {reader.SessionCount} sessions, {reader.NodeCount} znodes when it began"));
                            break;
                        case SnapshotRecordKind.Session:
                            emit(string.Create(CultureInfo.InvariantCulture, $"session 0x{reader.SessionId:x} timeout {reader.TimeoutMs} ms"));
                            break;
                        case SnapshotRecordKind.Acl:
                            acls[reader.AclId] = reader.Acl;
                            break;
                        case SnapshotRecordKind.Node:
                            emit(FormatNode(reader.Path, reader.Data, acls.GetValueOrDefault(reader.AclId) ?? [], reader.Stat));
                            break;
                        case SnapshotRecordKind.End:
                            emit(string.Create(CultureInfo.InvariantCulture, $"end: {reader.NodeCount} znodes, {reader.SessionCount} sessions, {reader.AclCount} distinct ACLs"));
                            break;
                        default:
                            break;
                    }
                }
            });
            recovery.EndSnapshot();
            emit(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: snapshot format {header.Version}, server {header.ServerId}, start zxid 0x{header.StartZxid:x}, created {DateTimeOffset.FromUnixTimeMilliseconds(header.CreatedMs):O}, {recovery.NodeCount} znodes, {recovery.SessionCount} sessions: OK"));
        }
        catch (Exception e) when (e is StorageCorruptionException or SnapshotFormatException)
        {
            problems.Add(e.Message);
        }
        catch (IOException e)
        {
            problems.Add($"{path}: cannot be read: {e.Message}");
        }

        return new StorageToolReport(lines, problems);
    }

    private static string Summarize(TxnLogSegmentScan scan)
    {
        if (scan.HeaderProblem is not null)
        {
            return $"{scan.Path}: {scan.HeaderProblem}";
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{scan.Path}: log format {scan.Header.Version}, server {scan.Header.ServerId}, first zxid 0x{scan.Header.FirstZxid:x}, created {DateTimeOffset.FromUnixTimeMilliseconds(scan.Header.CreatedMs):O}");
        if (scan.Header.WrittenWithoutSync)
        {
            text.Append(", written with forceSync=no");
        }

        text.Append(CultureInfo.InvariantCulture, $"; {scan.Records} txns in {scan.Batches} batches");
        if (scan.Records > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", zxids 0x{scan.FirstZxid:x} to 0x{scan.LastZxid:x}");
        }

        text.Append(CultureInfo.InvariantCulture, $"; data ends at offset {scan.DataEnd} of {scan.FileLength}");
        return text.ToString();
    }

    private static List<string> ProblemsOf(TxnLogSegmentScan scan, bool isLast)
    {
        var problems = new List<string>();
        if (scan.HeaderProblem is not null)
        {
            problems.Add($"{scan.Path} at offset 0: {scan.HeaderProblem}");
        }

        if (scan.GapBefore)
        {
            problems.Add($"{scan.Path}: does not continue from the previous segment (a gap in zxids)");
        }

        if (scan.DamageOffset is { } offset)
        {
            var kind = scan.ValidBatchAfterDamage is { } after
                ? string.Create(CultureInfo.InvariantCulture, $"damage in the middle: a good batch follows at offset {after}; startup stops here")
                : isLast ? "a torn tail: startup truncates it (those txns were never acknowledged)" : "a torn tail in a segment followed by another: acceptable only if the next segment continues from the last good txn";
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{scan.Path} at offset {offset}: {scan.DamageReason}; {kind}"));
        }

        return problems;
    }

    private static string FormatTxn(TxnLogEntry entry, long offset)
    {
        var h = entry.Header;
        var text = new StringBuilder(128);
        text.Append(CultureInfo.InvariantCulture, $"0x{h.Zxid:x} {DateTimeOffset.FromUnixTimeMilliseconds(h.Time):O} session 0x{h.ClientId:x} cxid 0x{h.Cxid:x} {h.OpCode}");
        AppendTxn(text, entry.Txn);
        text.Append(CultureInfo.InvariantCulture, $" @{offset}");
        return text.ToString();
    }

    private static void AppendTxn(StringBuilder text, IJuteRecord txn)
    {
        switch (txn)
        {
            case CreateTxn create:
                text.Append(CultureInfo.InvariantCulture, $" {create.Path} data={Hex(create.Data)} acl={Acl(create.Acl)} ephemeral={create.Ephemeral} parentCVersion={create.ParentCVersion}");
                break;
            case CreateContainerTxn container:
                text.Append(CultureInfo.InvariantCulture, $" {container.Path} data={Hex(container.Data)} acl={Acl(container.Acl)} parentCVersion={container.ParentCVersion}");
                break;
            case CreateTTLTxn ttl:
                text.Append(CultureInfo.InvariantCulture, $" {ttl.Path} data={Hex(ttl.Data)} acl={Acl(ttl.Acl)} parentCVersion={ttl.ParentCVersion} ttl={ttl.Ttl}");
                break;
            case DeleteTxn delete:
                text.Append(' ').Append(delete.Path);
                break;
            case SetDataTxn setData:
                text.Append(CultureInfo.InvariantCulture, $" {setData.Path} data={Hex(setData.Data)} version={setData.Version}");
                break;
            case SetACLTxn setAcl:
                text.Append(CultureInfo.InvariantCulture, $" {setAcl.Path} acl={Acl(setAcl.Acl)} aversion={setAcl.Version}");
                break;
            case CheckVersionTxn check:
                text.Append(CultureInfo.InvariantCulture, $" {check.Path} version={check.Version}");
                break;
            case CreateSessionTxn session:
                text.Append(CultureInfo.InvariantCulture, $" timeout={session.TimeOut}");
                break;
            case CloseSessionTxn close:
                text.Append(" ephemerals=[").AppendJoin(',', close.Paths2Delete).Append(']');
                break;
            case ErrorTxn error:
                text.Append(CultureInfo.InvariantCulture, $" {error.Error}");
                break;
            case MultiTxn multi:
                text.Append(" [");
                for (var i = 0; i < multi.Txns.Count; i++)
                {
                    text.Append(i == 0 ? string.Empty : "; ").Append(multi.Txns[i].OpCode);
                    AppendTxn(text, multi.Txns[i].Record);
                }

                text.Append(']');
                break;
            default:
                break;
        }
    }

    private static string FormatNode(string path, byte[]? data, IReadOnlyList<ACL> acl, StatPersisted s) => string.Create(
        CultureInfo.InvariantCulture,
        $"{path} data={Hex(data)} acl={Acl(acl)} czxid=0x{s.Czxid:x} mzxid=0x{s.Mzxid:x} pzxid=0x{s.Pzxid:x} ctime={s.Ctime} mtime={s.Mtime} version={s.Version} cversion={s.Cversion} aversion={s.Aversion} ephemeralOwner=0x{s.EphemeralOwner:x}");

    private static string Hex(byte[]? data) => data is null ? "null" : data.Length <= 64 ? Convert.ToHexString(data) : Convert.ToHexString(data.AsSpan(0, 64)) + string.Create(CultureInfo.InvariantCulture, $"…({data.Length} bytes)");

    private static string Acl(IReadOnlyList<ACL> acl)
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < acl.Count; i++)
        {
            text.Append(i == 0 ? string.Empty : ",").Append(CultureInfo.InvariantCulture, $"{acl[i].Id?.Scheme}:{acl[i].Id?.Identity}:{(int)acl[i].Perms}");
        }

        return text.Append(']').ToString();
    }
}
