// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Transport;

/// <summary>A request handed to the core and not answered yet. Replies are FIFO per connection, so the next reply matches the oldest entry.</summary>
/// <param name="Xid">The request's xid.</param>
/// <param name="Type">The opcode as sent.</param>
/// <param name="ReceivedTimestamp">When its frame was read, in <see cref="TimeProvider.GetTimestamp"/> units.</param>
/// <param name="Body">The decoded body, for the span's path attribute.</param>
/// <param name="Trace">The client's trace context, when it sent one over the negotiated extension.</param>
internal readonly record struct PendingRequest(int Xid, int Type, long ReceivedTimestamp, IJuteRecord? Body, TraceContextHeader? Trace = null)
{
    /// <summary>Gets the path of a read whose body the transport held inline (<see cref="Core.ClientRequest.Path"/>).</summary>
    public string? InlinePath { get; init; }

    /// <summary>The znode path a request names, if any.</summary>
    /// <returns>The path, or <see langword="null"/>.</returns>
    public string? Path() => InlinePath ?? Body switch
    {
        CreateRequest r => r.Path,
        CreateTTLRequest r => r.Path,
        DeleteRequest r => r.Path,
        ExistsRequest r => r.Path,
        GetDataRequest r => r.Path,
        SetDataRequest r => r.Path,
        GetACLRequest r => r.Path,
        SetACLRequest r => r.Path,
        GetChildrenRequest r => r.Path,
        GetChildren2Request r => r.Path,
        GetAllChildrenNumberRequest r => r.Path,
        GetEphemeralsRequest r => r.PrefixPath,
        SyncRequest r => r.Path,
        AddWatchRequest r => r.Path,
        CheckWatchesRequest r => r.Path,
        RemoveWatchesRequest r => r.Path,
        CheckVersionRequest r => r.Path,
        _ => null,
    };

    /// <summary>ZooKeeper's short name of the operation for cons (<c>lop</c>), as <c>FinalRequestProcessor</c> sets it.</summary>
    /// <param name="type">The opcode.</param>
    /// <returns>The short name.</returns>
    public static string ShortName(int type) => (OpCode)type switch
    {
        OpCode.Ping => "PING",
        OpCode.CreateSession => "SESS",
        OpCode.CloseSession => "CLOS",
        OpCode.Create or OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTTL => "CREA",
        OpCode.Delete or OpCode.DeleteContainer => "DELE",
        OpCode.SetData => "SETD",
        OpCode.Reconfig => "RECO",
        OpCode.SetACL => "SETA",
        OpCode.Multi => "MULT",
        OpCode.MultiRead => "MLTR",
        OpCode.Sync => "SYNC",
        OpCode.Check => "CHEC",
        OpCode.Exists => "EXIS",
        OpCode.GetData => "GETD",
        OpCode.GetACL => "GETA",
        OpCode.GetChildren or OpCode.GetChildren2 => "GETC",
        OpCode.GetAllChildrenNumber => "GETACN",
        OpCode.SetWatches => "SETW",
        OpCode.SetWatches2 => "STW2",
        OpCode.AddWatch => "ADDW",
        OpCode.CheckWatches => "CHKW",
        OpCode.RemoveWatches => "REMW",
        OpCode.GetEphemerals => "GETE",
        OpCode.WhoAmI => "HOMI",
        _ => "NA",
    };
}
