// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// The body of a reply as the core makes it. The bodies of the hottest replies (getData, exists,
/// getChildren, setData, setACL, create) are held inline, so that a host that encodes the reply at
/// once (<see cref="Write"/>) allocates nothing for it; every other body is a record. A host that
/// keeps replies rather than encoding them takes <see cref="ToRecord"/>: the same record types, on
/// the wire byte for byte the same.
/// </summary>
/// <remarks>
/// A getChildren body refers to the znode's live set of child names: it must be encoded (or turned
/// into a record) inside the <see cref="IReplicaOutput"/> call that receives it, before the core
/// runs again, which is what <see cref="IReplicaOutput"/> asks of every host anyway.
/// </remarks>
public readonly struct ReplyBody
{
    private readonly Kind _kind;
    private readonly Stat _stat;
    private readonly object? _value;

    private ReplyBody(Kind kind, object? value, in Stat stat)
    {
        _kind = kind;
        _value = value;
        _stat = stat;
    }

    private enum Kind : byte
    {
        None,
        Record,
        GetData,
        Exists,
        SetData,
        SetAcl,
        Create,
        Create2,
        Children,
        Children2,
    }

    /// <summary>Gets whether there is no body (an error reply, a ping).</summary>
    public bool IsEmpty => _kind == Kind.None;

    /// <summary>A body given as a record (or none, for <see langword="null"/>).</summary>
    /// <param name="record">The record.</param>
    /// <returns>The body.</returns>
    public static ReplyBody FromRecord(IJuteRecord? record) => record is null ? default : new(Kind.Record, record, default);

    /// <summary>The body of a getData reply (<see cref="GetDataResponse"/>).</summary>
    /// <param name="data">The data, which the reply does not copy.</param>
    /// <param name="stat">The node's Stat.</param>
    /// <returns>The body.</returns>
    public static ReplyBody GetData(byte[]? data, in Stat stat) => new(Kind.GetData, data, stat);

    /// <summary>The body of an exists reply (<see cref="ExistsResponse"/>).</summary>
    /// <param name="stat">The node's Stat.</param>
    /// <returns>The body.</returns>
    public static ReplyBody Exists(in Stat stat) => new(Kind.Exists, null, stat);

    /// <summary>The body of a setData reply (<see cref="SetDataResponse"/>).</summary>
    /// <param name="stat">The node's new Stat.</param>
    /// <returns>The body.</returns>
    public static ReplyBody SetData(in Stat stat) => new(Kind.SetData, null, stat);

    /// <summary>The body of a setACL reply (<see cref="SetACLResponse"/>).</summary>
    /// <param name="stat">The node's new Stat.</param>
    /// <returns>The body.</returns>
    public static ReplyBody SetAcl(in Stat stat) => new(Kind.SetAcl, null, stat);

    /// <summary>The body of a create reply (<see cref="CreateResponse"/>).</summary>
    /// <param name="path">The created node's path.</param>
    /// <returns>The body.</returns>
    public static ReplyBody Create(string path) => new(Kind.Create, path, default);

    /// <summary>The body of a create2, createContainer or createTTL reply (<see cref="Create2Response"/>).</summary>
    /// <param name="path">The created node's path.</param>
    /// <param name="stat">The new node's Stat.</param>
    /// <returns>The body.</returns>
    public static ReplyBody Create2(string path, in Stat stat) => new(Kind.Create2, path, stat);

    /// <summary>The body of a getChildren reply (<see cref="GetChildrenResponse"/>) over the znode's own set of names.</summary>
    /// <param name="children">The child names; read when the body is written.</param>
    /// <returns>The body.</returns>
    internal static ReplyBody Children(Dictionary<string, DataNode>.KeyCollection? children) => new(Kind.Children, children, default);

    /// <summary>The body of a getChildren2 reply (<see cref="GetChildren2Response"/>) over the znode's own set of names.</summary>
    /// <param name="children">The child names; read when the body is written.</param>
    /// <param name="stat">The parent's Stat.</param>
    /// <returns>The body.</returns>
    internal static ReplyBody Children2(Dictionary<string, DataNode>.KeyCollection? children, in Stat stat) => new(Kind.Children2, children, stat);

    /// <summary>Writes a whole reply frame: the length prefix, the header, then this body (as <c>Framing.WriteFrame</c> does with a record).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="header">The reply header.</param>
    public void WriteFrame(JuteWriter writer, in ReplyHeader header)
    {
        var mark = writer.BeginFrame();
        header.Write(writer);
        Write(writer);
        writer.EndFrame(mark);
    }

    /// <summary>Writes the body's fields, exactly as its record would (nothing for no body).</summary>
    /// <param name="writer">The writer.</param>
    public void Write(JuteWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (_kind)
        {
            case Kind.Record:
                ((IJuteRecord)_value!).Write(writer);
                break;
            case Kind.GetData:
                writer.WriteBuffer((byte[]?)_value);
                _stat.Write(writer);
                break;
            case Kind.Exists or Kind.SetData or Kind.SetAcl:
                _stat.Write(writer);
                break;
            case Kind.Create:
                writer.WriteString((string)_value!);
                break;
            case Kind.Create2:
                writer.WriteString((string)_value!);
                _stat.Write(writer);
                break;
            case Kind.Children or Kind.Children2:
                // As WriteStringVector over the names in the set's order (the record copies them
                // in that order too).
                if (_value is Dictionary<string, DataNode>.KeyCollection children)
                {
                    writer.WriteInt(children.Count);
                    foreach (var child in children)
                    {
                        writer.WriteString(child);
                    }
                }
                else
                {
                    writer.WriteInt(0);
                }

                if (_kind == Kind.Children2)
                {
                    _stat.Write(writer);
                }

                break;
            default:
                break;
        }
    }

    /// <summary>The body as its record, for a host that keeps it: the same types the core sent before bodies were inline.</summary>
    /// <returns>The record, or <see langword="null"/> for no body.</returns>
    public IJuteRecord? ToRecord() => _kind switch
    {
        Kind.Record => (IJuteRecord)_value!,
        Kind.GetData => new GetDataResponse((byte[]?)_value, _stat),
        Kind.Exists => new ExistsResponse(_stat),
        Kind.SetData => new SetDataResponse(_stat),
        Kind.SetAcl => new SetACLResponse(_stat),
        Kind.Create => new CreateResponse((string)_value!),
        Kind.Create2 => new Create2Response((string)_value!, _stat),
        Kind.Children => new GetChildrenResponse(CopyChildren()),
        Kind.Children2 => new GetChildren2Response(CopyChildren(), _stat),
        _ => null,
    };

    private string[] CopyChildren()
    {
        if (_value is not Dictionary<string, DataNode>.KeyCollection children)
        {
            return [];
        }

        var names = new string[children.Count];
        children.CopyTo(names, 0);
        return names;
    }
}
