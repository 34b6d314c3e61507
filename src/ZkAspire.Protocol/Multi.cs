// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>One op of a multi or multiRead request.</summary>
/// <param name="Type">The op's opcode.</param>
/// <param name="Record">
/// The op's body: <see cref="CreateRequest"/>, <see cref="CreateTTLRequest"/>, <see cref="DeleteRequest"/>,
/// <see cref="SetDataRequest"/>, <see cref="CheckVersionRequest"/>, <see cref="GetDataRequest"/> or
/// <see cref="GetChildrenRequest"/>.
/// </param>
public sealed record MultiOp(OpCode Type, IJuteRecord Record);

/// <summary>
/// Body of multi (14) and multiRead (22): ops each preceded by a <see cref="MultiHeader"/>, then
/// the end marker.
/// </summary>
/// <param name="Ops">The ops, in order.</param>
public sealed record MultiRequest(IReadOnlyList<MultiOp> Ops) : IJuteRecord<MultiRequest>
{
    /// <inheritdoc/>
    public static MultiRequest Read(ref JuteReader reader)
    {
        var ops = new List<MultiOp>();
        while (true)
        {
            var header = reader.ReadRecord<MultiHeader>();
            if (header.Done)
            {
                return new MultiRequest(ops);
            }

            var type = (OpCode)header.Type;
            IJuteRecord record = type switch
            {
                OpCode.Create or OpCode.Create2 or OpCode.CreateContainer => reader.ReadRecord<CreateRequest>(),
                OpCode.CreateTTL => reader.ReadRecord<CreateTTLRequest>(),
                OpCode.Delete => reader.ReadRecord<DeleteRequest>(),
                OpCode.SetData => reader.ReadRecord<SetDataRequest>(),
                OpCode.Check => reader.ReadRecord<CheckVersionRequest>(),
                OpCode.GetChildren => reader.ReadRecord<GetChildrenRequest>(),
                OpCode.GetData => reader.ReadRecord<GetDataRequest>(),
                _ => throw new ProtocolException($"Invalid op type {header.Type} in a multi request."),
            };
            ops.Add(new MultiOp(type, record));
        }
    }

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        foreach (var op in Ops)
        {
            new MultiHeader((int)op.Type, false, -1).Write(writer);
            op.Record.Write(writer);
        }

        MultiHeader.End.Write(writer);
    }
}

/// <summary>The result of one op of a multi or multiRead.</summary>
/// <param name="Type">
/// The result type: the op's opcode (create2 for createContainer and createTTL), or
/// <see cref="OpCode.Error"/> for a failed op.
/// </param>
/// <param name="Err">The error code (also repeated in an <see cref="ErrorResponse"/> body for errors).</param>
/// <param name="Record">The result body, if the type has one.</param>
public sealed record OpResult(OpCode Type, KeeperErrorCode Err, IJuteRecord? Record)
{
    /// <summary>Creates an error result.</summary>
    /// <param name="err">The error code; 0 for ops before the failing one.</param>
    /// <returns>The result.</returns>
    public static OpResult Error(KeeperErrorCode err) => new(OpCode.Error, err, new ErrorResponse((int)err));
}

/// <summary>Body of a multi or multiRead reply: one result per op, then the end marker.</summary>
/// <param name="Results">The results, in op order.</param>
public sealed record MultiResponse(IReadOnlyList<OpResult> Results) : IJuteRecord<MultiResponse>
{
    /// <inheritdoc/>
    public static MultiResponse Read(ref JuteReader reader)
    {
        var results = new List<OpResult>();
        while (true)
        {
            var header = reader.ReadRecord<MultiHeader>();
            if (header.Done)
            {
                return new MultiResponse(results);
            }

            var type = (OpCode)header.Type;
            IJuteRecord? record = type switch
            {
                OpCode.Create => reader.ReadRecord<CreateResponse>(),
                OpCode.Create2 => reader.ReadRecord<Create2Response>(),
                OpCode.Delete or OpCode.Check => null,
                OpCode.SetData => reader.ReadRecord<SetDataResponse>(),
                OpCode.GetChildren => reader.ReadRecord<GetChildrenResponse>(),
                OpCode.GetData => reader.ReadRecord<GetDataResponse>(),
                OpCode.Error => reader.ReadRecord<ErrorResponse>(),
                _ => throw new ProtocolException($"Invalid result type {header.Type} in a multi response."),
            };
            var err = record is ErrorResponse error ? error.Error : (KeeperErrorCode)header.Err;
            results.Add(new OpResult(type, err, record));
        }
    }

    /// <inheritdoc/>
    public void Write(JuteWriter writer)
    {
        foreach (var result in Results)
        {
            new MultiHeader((int)result.Type, false, (int)result.Err).Write(writer);
            result.Record?.Write(writer);
        }

        MultiHeader.End.Write(writer);
    }
}
