// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Simulation.Tests;

internal enum OpKind
{
    /// <summary>create (create2) of a key.</summary>
    Create,

    /// <summary>setData with version −1.</summary>
    Write,

    /// <summary>setData with an expected version.</summary>
    Cas,

    /// <summary>A plain getData: sequentially consistent only.</summary>
    Read,

    /// <summary>sync, then getData on the same session: linearizable.</summary>
    SyncRead,
}

internal enum Outcome
{
    Pending,
    Ok,
    NodeExists,
    NoNode,
    BadVersion,

    /// <summary>The connection was lost before the reply: the write may or may not have happened.</summary>
    Unknown,

    /// <summary>Another error (SessionExpired, SessionMoved): the write did not happen.</summary>
    Failed,
}

/// <summary>One client operation on a key, as the client saw it (Porcupine's operation).</summary>
internal sealed class Operation
{
    public int Id { get; init; }

    public int ClientId { get; init; }

    public long SessionId { get; init; }

    public OpKind Kind { get; init; }

    public string Key { get; init; } = string.Empty;

    public string? Value { get; init; }

    public int ExpectedVersion { get; init; } = -1;

    public long InvokeMs { get; init; }

    public long ReturnMs { get; set; } = long.MaxValue;

    public Outcome Outcome { get; set; }

    // Reads: what was read. Writes: the version and mzxid the reply's Stat carried.
    public bool ReadExists { get; set; }

    public string? ReadValue { get; set; }

    public int Version { get; set; }

    public long Mzxid { get; set; }

    public long ReplyZxid { get; set; }

    public override string ToString() =>
        $"#{Id} c{ClientId} s0x{SessionId:x} {Kind} {Key} {(Value is null ? string.Empty : "v=" + Value)} {(Kind == OpKind.Cas ? "expect=" + ExpectedVersion : string.Empty)} [{InvokeMs}, {(ReturnMs == long.MaxValue ? "∞" : ReturnMs)}] {Outcome} {(Kind is OpKind.Read or OpKind.SyncRead ? (ReadExists ? $"read={ReadValue}@{Version}" : "read=none") : $"version={Version}")} zxid=0x{ReplyZxid:x}";
}

/// <summary>Every client operation of a run.</summary>
internal sealed class History
{
    public List<Operation> Operations { get; } = [];

    public Operation Add(Operation operation)
    {
        Operations.Add(operation);
        return operation;
    }
}
