// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>
/// An atomic batch of writes (multi): all succeed or none is applied. Build it with
/// <see cref="ZooKeeperClient.Transaction"/>, add ops, then <see cref="CommitAsync"/>.
/// </summary>
/// <remarks>
/// <c>await client.Transaction().Create("/a", data).SetData("/b", data, 3).Check("/c", 1).Delete("/d").CommitAsync();</c>
/// Ops see the effects of earlier ops of the same transaction (create <c>/a</c> then <c>/a/b</c> works).
/// </remarks>
public sealed class Transaction
{
    private readonly ZooKeeperClient _client;
    private readonly List<MultiOp> _ops = [];
    private readonly List<string> _paths = [];

    internal Transaction(ZooKeeperClient client)
    {
        _client = client;
    }

    /// <summary>Gets how many ops the transaction holds.</summary>
    public int Count => _ops.Count;

    /// <summary>Adds a create (every mode; TTL modes need <see cref="CreateOptions.Ttl"/>; parents and protection are not available inside a transaction).</summary>
    /// <param name="path">The node, or the prefix of a sequential name.</param>
    /// <param name="data">The data; <see langword="null"/> stores null.</param>
    /// <param name="options">Mode, ACL and TTL.</param>
    /// <returns>This transaction.</returns>
    public Transaction Create(string path, byte[]? data, CreateOptions? options = null)
    {
        options ??= CreateOptions.Persistent;
        if (options.Parents != ParentCreation.None || options.Protected)
        {
            throw new ArgumentException("Parents and protected mode are not available inside a transaction.", nameof(options));
        }

        ZooKeeperClient.ValidateCreate(path, options);
        var serverPath = _client.MapPath(path, options.Mode.IsSequential());
        var acl = options.Acl ?? _client.DefaultAcl;

        // The Java client's Op.create: create, createContainer or createTTL. Not create2: Apache
        // ZooKeeper 3.8 answers it inside a multi with an all-zero Stat.
        var opCode = options.Mode.ToOpCode(wantStat: false);
        IJuteRecord record = opCode == OpCode.CreateTTL
            ? new CreateTTLRequest(serverPath, data, acl, (int)options.Mode, (long)options.Ttl!.Value.TotalMilliseconds)
            : new CreateRequest(serverPath, data, acl, (int)options.Mode);
        return Add(opCode, record, path);
    }

    /// <summary>Adds a delete.</summary>
    /// <param name="path">The node.</param>
    /// <param name="version">The expected version, or −1 for any.</param>
    /// <returns>This transaction.</returns>
    public Transaction Delete(string path, int version = -1) =>
        Add(OpCode.Delete, new DeleteRequest(_client.MapPath(path), version), path);

    /// <summary>Adds a setData.</summary>
    /// <param name="path">The node.</param>
    /// <param name="data">The data.</param>
    /// <param name="version">The expected version, or −1 for any.</param>
    /// <returns>This transaction.</returns>
    public Transaction SetData(string path, byte[]? data, int version = -1) =>
        Add(OpCode.SetData, new SetDataRequest(_client.MapPath(path), data, version), path);

    /// <summary>Adds a version check: the transaction fails unless the node exists with this version.</summary>
    /// <param name="path">The node.</param>
    /// <param name="version">The expected version, or −1 for any (then it only checks existence).</param>
    /// <returns>This transaction.</returns>
    public Transaction Check(string path, int version) =>
        Add(OpCode.Check, new CheckVersionRequest(_client.MapPath(path), version), path);

    /// <summary>Sends the transaction.</summary>
    /// <param name="cancellationToken">Stops waiting (the transaction may still be applied if it was sent).</param>
    /// <returns>One result per op, in order.</returns>
    /// <exception cref="KeeperException">
    /// An op failed and nothing was applied: the exception for the failing op's code (e.g.
    /// <see cref="BadVersionException"/>), whose <see cref="KeeperException.Results"/> holds every
    /// op's result.
    /// </exception>
    public Task<IReadOnlyList<OperationResult>> CommitAsync(CancellationToken cancellationToken = default) =>
        _client.MultiAsync(OpCode.Multi, [.. _ops], [.. _paths], cancellationToken);

    private Transaction Add(OpCode opCode, IJuteRecord record, string path)
    {
        _ops.Add(new MultiOp(opCode, record));
        _paths.Add(path);
        return this;
    }
}
