// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// Reads snapshot records (<see cref="SnapshotRecordKind"/>) from a block of bytes holding whole
/// records, as <see cref="ReplicaSnapshot.WriteChunk"/> wrote them. After <see cref="TryRead"/>
/// returns a kind, the properties of that kind hold the record's fields.
/// </summary>
public ref struct SnapshotRecordReader
{
    private JuteReader _reader;

    /// <summary>Creates a reader.</summary>
    /// <param name="records">Whole records.</param>
    /// <param name="maxBufferBytes">The largest data or string length accepted.</param>
    public SnapshotRecordReader(ReadOnlySpan<byte> records, int maxBufferBytes = JuteLimits.DefaultMaxBuffer * 2)
    {
        _reader = new JuteReader(records, maxBufferBytes);
        Acl = [];
        Path = string.Empty;
    }

    /// <summary>Gets the format version of a Begin record.</summary>
    public int FormatVersion { get; private set; }

    /// <summary>Gets the start zxid of a Begin record.</summary>
    public long StartZxid { get; private set; }

    /// <summary>Gets the session count of a Begin record, or the sessions written of an End record.</summary>
    public int SessionCount { get; private set; }

    /// <summary>Gets the node count of a Begin record (when the snapshot began), or the nodes written of an End record.</summary>
    public long NodeCount { get; private set; }

    /// <summary>Gets the ACL count of an End record.</summary>
    public int AclCount { get; private set; }

    /// <summary>Gets the session id of a Session record.</summary>
    public long SessionId { get; private set; }

    /// <summary>Gets the timeout of a Session record.</summary>
    public int TimeoutMs { get; private set; }

    /// <summary>Gets the ACL id of an Acl or Node record.</summary>
    public int AclId { get; private set; }

    /// <summary>Gets the ACL of an Acl record.</summary>
    public IReadOnlyList<ACL> Acl { get; private set; }

    /// <summary>Gets the path of a Node record.</summary>
    public string Path { get; private set; }

    /// <summary>Gets the data of a Node record.</summary>
    public byte[]? Data { get; private set; }

    /// <summary>Gets the metadata of a Node record.</summary>
    public StatPersisted Stat { get; private set; }

    /// <summary>Gets the offset of the next record in the block.</summary>
    public readonly int Position => _reader.Position;

    /// <summary>Reads the next record.</summary>
    /// <param name="kind">The record's kind.</param>
    /// <returns><see langword="false"/> at the end of the block.</returns>
    /// <exception cref="SnapshotFormatException">The bytes are not a record.</exception>
    public bool TryRead(out SnapshotRecordKind kind)
    {
        kind = default;
        if (_reader.IsAtEnd)
        {
            return false;
        }

        var offset = _reader.Position;
        try
        {
            kind = (SnapshotRecordKind)_reader.ReadByte();
            switch (kind)
            {
                case SnapshotRecordKind.Begin:
                    FormatVersion = _reader.ReadInt();
                    StartZxid = _reader.ReadLong();
                    SessionCount = _reader.ReadInt();
                    NodeCount = _reader.ReadLong();
                    break;
                case SnapshotRecordKind.Session:
                    SessionId = _reader.ReadLong();
                    TimeoutMs = _reader.ReadInt();
                    break;
                case SnapshotRecordKind.Acl:
                    AclId = _reader.ReadInt();
                    Acl = _reader.ReadVector<ACL>() ?? [];
                    break;
                case SnapshotRecordKind.Node:
                    Path = _reader.ReadRequiredString("path");
                    Data = _reader.ReadBuffer();
                    AclId = _reader.ReadInt();
                    Stat = _reader.ReadRecord<StatPersisted>();
                    break;
                case SnapshotRecordKind.End:
                    NodeCount = _reader.ReadLong();
                    SessionCount = _reader.ReadInt();
                    AclCount = _reader.ReadInt();
                    break;
                default:
                    throw new SnapshotFormatException($"Unknown snapshot record tag {(byte)kind} at offset {offset}.");
            }
        }
        catch (ProtocolException e)
        {
            throw new SnapshotFormatException($"A malformed {kind} record at offset {offset}: {e.Message}", e);
        }

        return true;
    }
}
