// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// A fuzzy snapshot of a replica in progress (ZooKeeper's <c>FileTxnSnapLog.save</c> /
/// <c>DataTree.serialize</c>): the host writes it out a chunk at a time between requests, on the
/// replica's loop, while writes go on. Sessions are copied when it begins; znodes are serialized
/// depth first as they are when reached, so the result mixes states from the start zxid up to the
/// zxid applied when it ends. Restoring loads it and replays every logged txn after
/// <see cref="StartZxid"/>; <see cref="ReplicaRecovery"/> tolerates the overlap so that the result
/// is the state an unbroken run reaches.
/// </summary>
/// <remarks>
/// Not thread-safe, and tied to its replica: call <see cref="WriteChunk"/> only from the loop that
/// drives the replica, never concurrently with it. Each chunk holds whole records.
/// </remarks>
public sealed class ReplicaSnapshot
{
    private readonly DataTree _tree;
    private readonly (long Id, int TimeoutMs)[] _sessions;
    private readonly Dictionary<IReadOnlyList<ACL>, (int Id, IReadOnlyList<ACL> Shared)> _aclIds = new(AclListComparer.Instance);
    private readonly Stack<Frame> _stack = new();
    private int _sessionsWritten;
    private bool _begun;
    private bool _rootWritten;
    private char[] _path = new char[256];
    private IReadOnlyList<ACL>? _lastAcl;
    private int _lastAclId;

    internal ReplicaSnapshot(DataTree tree, (long Id, int TimeoutMs)[] sessions)
    {
        _tree = tree;
        _sessions = sessions;
        StartZxid = tree.LastProcessedZxid;
        NodeCountAtStart = tree.MapCount;
    }

    /// <summary>Gets the zxid of the last txn applied when the snapshot began; the log is replayed from the next one. Snapshot files are named by it.</summary>
    public long StartZxid { get; }

    /// <summary>Gets the number of znodes when the snapshot began.</summary>
    public long NodeCountAtStart { get; }

    /// <summary>Gets the number of sessions copied when the snapshot began.</summary>
    public int SessionCount => _sessions.Length;

    /// <summary>Gets the number of znodes written so far.</summary>
    public long NodesWritten { get; private set; }

    /// <summary>Gets whether every record, the End record included, has been written.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>
    /// Writes the next records: at most <paramref name="maxRecords"/> sessions and znodes (plus the
    /// ACL records they need), and no more once <paramref name="maxBytes"/> are in the writer, so
    /// that one call never holds the loop for long and a chunk stays small whatever the data
    /// sizes (a record is at most one znode's data, bounded by jute.maxbuffer, past the limit).
    /// </summary>
    /// <param name="writer">Where the records go; they are appended to what it holds.</param>
    /// <param name="maxRecords">The most sessions and znodes to write in this call; at least 1.</param>
    /// <param name="maxBytes">The writer length after which no further record is started.</param>
    /// <returns><see langword="true"/> once the snapshot is complete (the End record was written).</returns>
    public bool WriteChunk(JuteWriter writer, int maxRecords, int maxBytes = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        if (IsComplete)
        {
            return true;
        }

        var budget = maxRecords;
        var start = writer.Length;
        if (!_begun)
        {
            writer.WriteByte((byte)SnapshotRecordKind.Begin);
            writer.WriteInt(SnapshotRecords.FormatVersion);
            writer.WriteLong(StartZxid);
            writer.WriteInt(_sessions.Length);
            writer.WriteLong(NodeCountAtStart);
            _begun = true;
        }

        // ZooKeeper writes the sessions first, then the tree (FileSnap.serialize).
        while (_sessionsWritten < _sessions.Length && budget > 0 && writer.Length - start < maxBytes)
        {
            var (id, timeoutMs) = _sessions[_sessionsWritten++];
            writer.WriteByte((byte)SnapshotRecordKind.Session);
            writer.WriteLong(id);
            writer.WriteInt(timeoutMs);
            budget--;
        }

        if (!_rootWritten && budget > 0 && _sessionsWritten == _sessions.Length && writer.Length - start < maxBytes)
        {
            WriteNode(writer, PathUtils.Root, _tree.GetNodeForSnapshot(PathUtils.Root)!);
            _rootWritten = true;
            budget--;
        }

        // Depth first from the root, as DataTree.serializeNode: each node as it is now, then its
        // children as they are when reached. A child deleted meanwhile is skipped; one created
        // after its parent was passed is not in this snapshot (its create is in the log).
        while (budget > 0 && writer.Length - start < maxBytes && _stack.TryPeek(out var frame))
        {
            if (frame.Next >= frame.Names.Length)
            {
                _stack.Pop();
                continue;
            }

            // The child is found in its parent's node, which the frame holds, not by its full
            // path in the tree's map (a cache miss on the map's entry and on the key string per
            // znode). A parent deleted meanwhile lost its children first, so they are skipped
            // as the map would skip them; a parent deleted and made again is a new node, whose
            // children are created after this snapshot began and are in the log. The child's path
            // is built in a buffer reused for every znode (a string is made only for a znode with
            // children, which its frame keeps): a snapshot visits every znode.
            var name = frame.Names[frame.Next++];
            if (frame.Node.TryGetChild(name, out var node))
            {
                WriteNode(writer, ChildPath(frame, name), node);
                budget--;
            }
        }

        if (budget > 0 && _stack.Count == 0 && _rootWritten && _sessionsWritten == _sessions.Length)
        {
            writer.WriteByte((byte)SnapshotRecordKind.End);
            writer.WriteLong(NodesWritten);
            writer.WriteInt(_sessions.Length);
            writer.WriteInt(_aclIds.Count);
            IsComplete = true;
        }

        return IsComplete;
    }

    private ReadOnlySpan<char> ChildPath(Frame frame, string name)
    {
        // The root's children are "/name"; any other's "parent/name".
        var parent = frame.Path == PathUtils.Root ? string.Empty : frame.Path;
        var length = parent.Length + 1 + name.Length;
        if (_path.Length < length)
        {
            _path = new char[Math.Max(length, _path.Length * 2)];
        }

        parent.CopyTo(_path);
        _path[parent.Length] = '/';
        name.CopyTo(_path.AsSpan(parent.Length + 1));
        return _path.AsSpan(0, length);
    }

    private void WriteNode(JuteWriter writer, ReadOnlySpan<char> path, DataNode node)
    {
        var acl = node.Acl;
        int aclId;
        if (ReferenceEquals(acl, _lastAcl))
        {
            aclId = _lastAclId;
        }
        else
        {
            // The tree shares one list per distinct ACL (DataTree.Share), so this is mostly the
            // first znode of each list. Past the tree's table (1,024 lists) znodes made alike hold
            // equal lists that are not the same object, and comparing them reads five objects per
            // znode: such a znode is given the list this snapshot met first with that content, so
            // the next snapshot finds it by reference, and the duplicate is garbage.
            IReadOnlyList<ACL> shared;
            if (_lastAcl is not null && AclListComparer.Instance.Equals(acl, _lastAcl))
            {
                (aclId, shared) = (_lastAclId, _lastAcl);
            }
            else if (_aclIds.TryGetValue(acl, out var known))
            {
                (aclId, shared) = known;
            }
            else
            {
                (aclId, shared) = (_aclIds.Count, acl);
                _aclIds.Add(acl, (aclId, acl));
                writer.WriteByte((byte)SnapshotRecordKind.Acl);
                writer.WriteInt(aclId);
                writer.WriteVector(acl);
            }

            node.Acl = shared;
            _lastAcl = shared;
            _lastAclId = aclId;
        }

        // The record as WriteByte, WriteString, WriteBuffer, WriteInt and StatPersisted.Write
        // would write it, into one span: the kind, the path (length and UTF-8), the data (length,
        // -1 for none, and bytes), the ACL id and the 60-byte persisted Stat.
        var data = node.Data;
        var dataLength = data?.Length ?? 0;
        var span = writer.GetSpan(1 + 4 + Encoding.UTF8.GetMaxByteCount(path.Length) + 4 + dataLength + 4 + StatPersisted.EncodedSize);
        span[0] = (byte)SnapshotRecordKind.Node;
        if (Utf8.FromUtf16(path, span[5..], out _, out var pathBytes, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            // Paths are validated when created (§18), so this is a corrupt tree, not bad input.
            throw new ProtocolException("A path holds an unpaired surrogate and cannot be encoded as UTF-8.");
        }

        BinaryPrimitives.WriteInt32BigEndian(span[1..], pathBytes);
        var at = 5 + pathBytes;
        BinaryPrimitives.WriteInt32BigEndian(span[at..], data is null ? -1 : dataLength);
        at += 4;
        data.AsSpan().CopyTo(span[at..]);
        at += dataLength;
        BinaryPrimitives.WriteInt32BigEndian(span[at..], aclId);
        at += 4;
        node.Stat.Write(span[at..]);
        writer.Advance(at + StatPersisted.EncodedSize);
        NodesWritten++;
        if (node.ChildCount > 0)
        {
            _stack.Push(new Frame(path.ToString(), node, node.CopyChildren()));
        }
    }

    private sealed class Frame(string path, DataNode node, string[] names)
    {
        public string Path { get; } = path;

        public DataNode Node { get; } = node;

        public string[] Names { get; } = names;

        public int Next { get; set; }
    }
}
