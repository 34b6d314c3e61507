// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>Creates: every mode, TTLs, parents, protection.</summary>
public sealed partial class ZooKeeperClient
{
    /// <summary>The largest TTL ZooKeeper accepts: 2^40 − 1 ms (EphemeralType.TTL).</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromMilliseconds((1L << 40) - 1);

    /// <summary>Curator's prefix of protected node names (<c>ProtectedUtils.PROTECTED_PREFIX</c>).</summary>
    private const string ProtectedPrefix = "_c_";

    /// <summary>How often a create with parents re-creates parents that vanished meanwhile (containers may be reaped).</summary>
    private const int MaxParentRounds = 3;

    /// <summary>Creates a node with data.</summary>
    /// <param name="path">The node, or for sequential modes the prefix of its name (which may end in <c>/</c>).</param>
    /// <param name="data">The data; <see langword="null"/> stores null.</param>
    /// <param name="options">Mode, ACL, TTL, parents, protection; <see cref="CreateOptions.Persistent"/> by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The actual client path, with the sequence suffix of sequential modes.</returns>
    /// <exception cref="NodeExistsException">The node exists.</exception>
    /// <exception cref="NoNodeException">The parent does not exist (and <see cref="CreateOptions.Parents"/> is None).</exception>
    /// <exception cref="NoChildrenForEphemeralsException">The parent is ephemeral.</exception>
    /// <exception cref="UnimplementedException">A TTL mode, and the server does not enable TTLs.</exception>
    public async Task<string> CreateAsync(string path, byte[]? data, CreateOptions? options = null, CancellationToken cancellationToken = default) =>
        (await CreateCoreAsync(path, data, options ?? CreateOptions.Persistent, wantStat: false, cancellationToken).ConfigureAwait(false)).Path;

    /// <summary>Creates a node with the client's <see cref="ZooKeeperClientOptions.DefaultData"/>.</summary>
    /// <param name="path">The node, or for sequential modes the prefix of its name.</param>
    /// <param name="options">Mode, ACL, TTL, parents, protection.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The actual client path.</returns>
    public Task<string> CreateAsync(string path, CreateOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateAsync(path, DefaultData(), options, cancellationToken);

    /// <summary>Creates a node with data and returns its Stat too (create2).</summary>
    /// <param name="path">The node, or for sequential modes the prefix of its name.</param>
    /// <param name="data">The data; <see langword="null"/> stores null.</param>
    /// <param name="options">Mode, ACL, TTL, parents, protection.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The actual client path and the new node's Stat.</returns>
    public Task<CreatedNode> CreateWithStatAsync(string path, byte[]? data, CreateOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateCoreAsync(path, data, options ?? CreateOptions.Persistent, wantStat: true, cancellationToken);

    /// <summary>Creates a node with the default data and returns its Stat too (create2).</summary>
    /// <param name="path">The node, or for sequential modes the prefix of its name.</param>
    /// <param name="options">Mode, ACL, TTL, parents, protection.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The actual client path and the new node's Stat.</returns>
    public Task<CreatedNode> CreateWithStatAsync(string path, CreateOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateWithStatAsync(path, DefaultData(), options, cancellationToken);

    /// <summary>Checks a create's arguments as the Java client does, before anything is sent.</summary>
    internal static void ValidateCreate(string path, CreateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!CreateModes.TryFromFlag((int)options.Mode, out _))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "Unknown create mode.");
        }

        if (options.Mode.IsTtl())
        {
            if (options.Ttl is not { } ttl || ttl < TimeSpan.FromMilliseconds(1) || ttl > MaxTtl)
            {
                throw new ArgumentOutOfRangeException(nameof(options), options.Ttl, $"{options.Mode} needs a TTL between 1 ms and {MaxTtl.TotalMilliseconds} ms.");
            }
        }
        else if (options.Ttl is not null)
        {
            throw new ArgumentException($"A TTL cannot be set for {options.Mode}; use PersistentWithTtl or PersistentSequentialWithTtl.", nameof(options));
        }

        if (options.Acl is { Count: 0 })
        {
            throw new ArgumentException("The ACL is empty; ZooKeeper rejects it with InvalidACL. Pass null for the default ACL.", nameof(options));
        }
    }

    private byte[]? DefaultData() => _options.DefaultData is { } data ? [.. data] : null;

    private async Task<CreatedNode> CreateCoreAsync(string path, byte[]? data, CreateOptions options, bool wantStat, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        ValidateCreate(path, options);
        ToServerPath(path, options.Mode.IsSequential());
        var acl = options.Acl ?? _options.DefaultAcl;

        // Protected mode (Curator): the name carries a GUID, so a create whose reply was lost can
        // be found among the parent's children instead of being made twice.
        var protectedId = options.Protected ? Guid.NewGuid().ToString("D") : null;
        var requestPath = protectedId is null ? path : ToProtectedPath(path, protectedId);
        var started = _time.GetTimestamp();
        var retryCount = 0;
        while (true)
        {
            try
            {
                if (protectedId is not null && retryCount > 0
                    && await FindProtectedNodeAsync(requestPath, protectedId, options.Mode, cancellationToken).ConfigureAwait(false) is { } found)
                {
                    return found;
                }

                return await CreateWithParentsAsync(requestPath, data, acl, options, wantStat, cancellationToken).ConfigureAwait(false);
            }
            catch (KeeperException e)
            {
                // A create is retried when nothing was sent, or when it is protected.
                if (!CanRetry(e, idempotent: protectedId is not null, retryCount, started, out var delay))
                {
                    throw;
                }

                retryCount++;
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task<CreatedNode> CreateWithParentsAsync(
        string path,
        byte[]? data,
        IReadOnlyList<ACL> acl,
        CreateOptions options,
        bool wantStat,
        CancellationToken cancellationToken)
    {
        for (var round = 0; ; round++)
        {
            try
            {
                return await SendCreateAsync(path, data, acl, options.Mode, options.Ttl, wantStat, cancellationToken).ConfigureAwait(false);
            }
            catch (NoNodeException) when (options.Parents != ParentCreation.None && round < MaxParentRounds)
            {
                // As Curator: try the create first, make the parents only when it says NoNode.
                var parentAcl = options.ApplyAclToParents ? acl : _options.DefaultAcl;
                await CreateParentsAsync(PathUtils.GetParent(path), options.Parents, parentAcl, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Makes every missing ancestor, outermost first, with empty data (Curator's
    /// <c>ZKPaths.mkdirs</c>). Each one is checked with exists before its create, so an existing
    /// parent whose own parent denies CREATE is not an error.
    /// </summary>
    private async Task CreateParentsAsync(string parent, ParentCreation mode, IReadOnlyList<ACL> acl, CancellationToken cancellationToken)
    {
        if (parent == PathUtils.Root)
        {
            return;
        }

        var createMode = mode == ParentCreation.Container ? CreateMode.Container : CreateMode.Persistent;
        var end = 0;
        while (end < parent.Length)
        {
            end = parent.IndexOf('/', end + 1);
            if (end < 0)
            {
                end = parent.Length;
            }

            var ancestor = parent[..end];
            if (await ExistsOnceAsync(ancestor, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            try
            {
                await SendCreateAsync(ancestor, [], acl, createMode, ttl: null, wantStat: false, cancellationToken).ConfigureAwait(false);
            }
            catch (NodeExistsException)
            {
                // Someone else made it meanwhile.
            }
        }
    }

    /// <summary>Sends one create, once; the opcode follows the mode (<see cref="CreateModes.ToOpCode"/>).</summary>
    private Task<CreatedNode> SendCreateAsync(
        string path,
        byte[]? data,
        IReadOnlyList<ACL> acl,
        CreateMode mode,
        TimeSpan? ttl,
        bool wantStat,
        CancellationToken cancellationToken)
    {
        var serverPath = ToServerPath(path, mode.IsSequential());
        var opCode = mode.ToOpCode(wantStat);
        return SendAsync(
            OperationName(opCode),
            path,
            (path, serverPath, data, acl, mode, ttl, opCode),
            static (c, s) =>
            {
                IJuteRecord request = s.opCode == OpCode.CreateTTL
                    ? new CreateTTLRequest(s.serverPath, s.data, s.acl, (int)s.mode, (long)s.ttl!.Value.TotalMilliseconds)
                    : new CreateRequest(s.serverPath, s.data, s.acl, (int)s.mode);
                return c.CreatePacket(s.opCode, request, s.path);
            },
            static (c, _, packet, body) =>
            {
                ThrowIfError(packet);
                return body switch
                {
                    Create2Response created => new CreatedNode(c._paths.ToClient(created.Path), created.Stat),
                    CreateResponse created => new CreatedNode(c._paths.ToClient(created.Path), default),
                    _ => throw new ProtocolException("A create reply without a body."),
                };
            },
            cancellationToken).AsTask();
    }

    private Task<Stat?> ExistsOnceAsync(string path, CancellationToken cancellationToken)
    {
        var serverPath = ToServerPath(path);
        return SendAsync(
            "exists",
            path,
            (path, serverPath),
            static (c, s) => c.CreatePacket(OpCode.Exists, new ExistsRequest(s.serverPath, false), s.path),
            static (_, _, packet, body) =>
            {
                if (packet.Error == KeeperErrorCode.NoNode)
                {
                    return (Stat?)null;
                }

                ThrowIfError(packet);
                return ((ExistsResponse)body!).Stat;
            },
            cancellationToken).AsTask();
    }

    private static string ToProtectedPath(string path, string protectedId)
    {
        var parent = PathUtils.GetParent(path);
        var name = PathUtils.GetName(path);
        return PathUtils.Combine(parent, ProtectedPrefix + protectedId + "-" + name);
    }

    /// <summary>
    /// Looks for the node of a protected create among its parent's children. An ephemeral node
    /// found there that belongs to another (earlier) session is deleted and not returned, so the
    /// create is made again in this session (CURATOR-498).
    /// </summary>
    private async Task<CreatedNode?> FindProtectedNodeAsync(string protectedPath, string protectedId, CreateMode mode, CancellationToken cancellationToken)
    {
        var parent = PathUtils.GetParent(protectedPath);
        IReadOnlyList<string> children;
        try
        {
            children = await SendAsync(
                "getChildren",
                parent,
                (parent, serverPath: ToServerPath(parent)),
                static (c, s) => c.CreatePacket(OpCode.GetChildren, new GetChildrenRequest(s.serverPath, false), s.parent),
                static (_, _, packet, body) =>
                {
                    ThrowIfError(packet);
                    return ((GetChildrenResponse)body!).Children ?? [];
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return null;
        }

        var marker = ProtectedPrefix + protectedId + "-";
        var name = children.FirstOrDefault(child => child.StartsWith(marker, StringComparison.Ordinal));
        if (name is null)
        {
            return null;
        }

        var found = PathUtils.Combine(parent, name);
        if (await ExistsOnceAsync(found, cancellationToken).ConfigureAwait(false) is not { } stat)
        {
            return null;
        }

        if (mode.IsEphemeral() && stat.EphemeralOwner != SessionId)
        {
            try
            {
                await DeleteOnceAsync(found, -1, cancellationToken).ConfigureAwait(false);
            }
            catch (NoNodeException)
            {
            }

            return null;
        }

        return new CreatedNode(found, stat);
    }

    private static string OperationName(OpCode opCode) => opCode switch
    {
        OpCode.Create => "create",
        OpCode.Create2 => "create2",
        OpCode.CreateContainer => "createContainer",
        OpCode.CreateTTL => "createTTL",
        _ => opCode.ToString(),
    };
}
