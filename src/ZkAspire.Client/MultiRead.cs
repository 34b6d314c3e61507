// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>
/// A batch of reads sent as one request (multiRead, 3.6 and later); each op succeeds or fails on
/// its own. Build it with <see cref="ZooKeeperClient.MultiRead"/>, add ops, then <see cref="ExecuteAsync"/>.
/// </summary>
public sealed class MultiRead
{
    private readonly ZooKeeperClient _client;
    private readonly List<MultiOp> _ops = [];
    private readonly List<string> _paths = [];

    internal MultiRead(ZooKeeperClient client)
    {
        _client = client;
    }

    /// <summary>Gets how many ops the batch holds.</summary>
    public int Count => _ops.Count;

    /// <summary>Adds a getData.</summary>
    /// <param name="path">The node.</param>
    /// <returns>This batch.</returns>
    public MultiRead GetData(string path) => Add(OpCode.GetData, new GetDataRequest(_client.MapPath(path), false), path);

    /// <summary>Adds a getChildren.</summary>
    /// <param name="path">The node.</param>
    /// <returns>This batch.</returns>
    public MultiRead GetChildren(string path) => Add(OpCode.GetChildren, new GetChildrenRequest(_client.MapPath(path), false), path);

    /// <summary>Sends the batch.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>One result per op, in order: <see cref="GetDataResult"/>, <see cref="GetChildrenResult"/> or <see cref="ErrorResult"/>.</returns>
    public Task<IReadOnlyList<OperationResult>> ExecuteAsync(CancellationToken cancellationToken = default) =>
        _client.MultiAsync(OpCode.MultiRead, [.. _ops], [.. _paths], cancellationToken);

    private MultiRead Add(OpCode opCode, IJuteRecord record, string path)
    {
        _ops.Add(new MultiOp(opCode, record));
        _paths.Add(path);
        return this;
    }
}
