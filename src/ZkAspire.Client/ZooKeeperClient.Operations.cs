// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client.Internal;
using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>Reads and simple writes.</summary>
public sealed partial class ZooKeeperClient
{
    /// <summary>Gets a node's Stat (exists).</summary>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The Stat, or <see langword="null"/> if the node does not exist.</returns>
    public Task<Stat?> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        ExistsCoreAsync(path, null, cancellationToken);

    /// <summary>
    /// Gets a node's Stat and leaves a one-time watch, whether or not the node exists: it fires
    /// on NodeCreated, NodeDataChanged or NodeDeleted.
    /// </summary>
    /// <param name="path">The node.</param>
    /// <param name="watcher">The callback; the same callback registered twice on a path is called once.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The Stat, or <see langword="null"/> if the node does not exist.</returns>
    public Task<Stat?> ExistsAsync(string path, Action<WatchedEvent> watcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return ExistsCoreAsync(path, new CallbackWatcher(watcher), cancellationToken);
    }

    /// <summary>Gets a node's Stat and leaves a one-time watch, returned as a task.</summary>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Stops waiting for the reply (not for the watch).</param>
    /// <returns>The Stat (or <see langword="null"/>) and the watch.</returns>
    public async Task<Watched<Stat?>> ExistsAndWatchAsync(string path, CancellationToken cancellationToken = default)
    {
        var watcher = new AwaitableWatcher();
        var stat = await ExistsCoreAsync(path, watcher, cancellationToken).ConfigureAwait(false);
        return new Watched<Stat?>(stat, watcher.Triggered);
    }

    /// <summary>Gets a node's data and Stat (getData).</summary>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The data and Stat.</returns>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="NoAuthException">The ACL does not grant READ.</exception>
    public Task<NodeData> GetDataAsync(string path, CancellationToken cancellationToken = default) =>
        GetDataCoreAsync(path, null, cancellationToken);

    /// <summary>Gets a node's data and leaves a one-time watch: it fires on NodeDataChanged or NodeDeleted.</summary>
    /// <param name="path">The node.</param>
    /// <param name="watcher">The callback.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The data and Stat.</returns>
    public Task<NodeData> GetDataAsync(string path, Action<WatchedEvent> watcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return GetDataCoreAsync(path, new CallbackWatcher(watcher), cancellationToken);
    }

    /// <summary>Gets a node's data and leaves a one-time watch, returned as a task.</summary>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Stops waiting for the reply (not for the watch).</param>
    /// <returns>The data and the watch.</returns>
    public async Task<Watched<NodeData>> GetDataAndWatchAsync(string path, CancellationToken cancellationToken = default)
    {
        var watcher = new AwaitableWatcher();
        var data = await GetDataCoreAsync(path, watcher, cancellationToken).ConfigureAwait(false);
        return new Watched<NodeData>(data, watcher.Triggered);
    }

    /// <summary>Sets a node's data (setData).</summary>
    /// <param name="path">The node.</param>
    /// <param name="data">The data; <see langword="null"/> stores null.</param>
    /// <param name="version">The expected version, or −1 for any.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The node's new Stat.</returns>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="BadVersionException">The version does not match.</exception>
    public Task<Stat> SetDataAsync(string path, byte[]? data, int version = -1, CancellationToken cancellationToken = default)
    {
        var serverPath = ToServerPath(path);
        return ExecuteAsync(
            "setData",
            path,
            idempotent: version == -1,
            (path, serverPath, data, version),
            static (c, s) => c.CreatePacket(OpCode.SetData, new SetDataRequest(s.serverPath, s.data, s.version), s.path),
            static (_, _, packet, body) =>
            {
                ThrowIfError(packet);
                return ((SetDataResponse)body!).Stat;
            },
            cancellationToken);
    }

    /// <summary>Gets a node's ACL and Stat (getACL).</summary>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The ACL and Stat.</returns>
    public Task<NodeAcl> GetAclAsync(string path, CancellationToken cancellationToken = default)
    {
        var serverPath = ToServerPath(path);
        return ExecuteAsync(
            "getACL",
            path,
            idempotent: true,
            (path, serverPath),
            static (c, s) => c.CreatePacket(OpCode.GetACL, new GetACLRequest(s.serverPath), s.path),
            static (_, _, packet, body) =>
            {
                ThrowIfError(packet);
                var response = (GetACLResponse)body!;
                return new NodeAcl(response.Acl ?? [], response.Stat);
            },
            cancellationToken);
    }

    /// <summary>Sets a node's ACL (setACL).</summary>
    /// <param name="path">The node.</param>
    /// <param name="acl">The new ACL.</param>
    /// <param name="version">The expected ACL version (aversion), or −1 for any.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The node's new Stat.</returns>
    /// <exception cref="InvalidAclException">The ACL is empty or malformed.</exception>
    /// <exception cref="NoAuthException">The ACL does not grant ADMIN.</exception>
    public Task<Stat> SetAclAsync(string path, IReadOnlyList<ACL> acl, int version = -1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(acl);
        var serverPath = ToServerPath(path);
        return ExecuteAsync(
            "setACL",
            path,
            idempotent: version == -1,
            (path, serverPath, acl, version),
            static (c, s) => c.CreatePacket(OpCode.SetACL, new SetACLRequest(s.serverPath, s.acl, s.version), s.path),
            static (_, _, packet, body) =>
            {
                ThrowIfError(packet);
                return ((SetACLResponse)body!).Stat;
            },
            cancellationToken);
    }

    /// <summary>Lists a node's children (getChildren).</summary>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The child names, in the server's (unspecified) order.</returns>
    public Task<IReadOnlyList<string>> GetChildrenAsync(string path, CancellationToken cancellationToken = default) =>
        GetChildrenCoreAsync(path, null, cancellationToken);

    /// <summary>Lists a node's children and leaves a one-time watch: it fires on NodeChildrenChanged or NodeDeleted.</summary>
    /// <param name="path">The node.</param>
    /// <param name="watcher">The callback.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The child names.</returns>
    public Task<IReadOnlyList<string>> GetChildrenAsync(string path, Action<WatchedEvent> watcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return GetChildrenCoreAsync(path, new CallbackWatcher(watcher), cancellationToken);
    }

    /// <summary>Lists a node's children and leaves a one-time watch, returned as a task.</summary>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Stops waiting for the reply (not for the watch).</param>
    /// <returns>The child names and the watch.</returns>
    public async Task<Watched<IReadOnlyList<string>>> GetChildrenAndWatchAsync(string path, CancellationToken cancellationToken = default)
    {
        var watcher = new AwaitableWatcher();
        var children = await GetChildrenCoreAsync(path, watcher, cancellationToken).ConfigureAwait(false);
        return new Watched<IReadOnlyList<string>>(children, watcher.Triggered);
    }

    /// <summary>Lists a node's children with the node's Stat (getChildren2).</summary>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The child names and the parent's Stat.</returns>
    public Task<NodeChildren> GetChildrenWithStatAsync(string path, CancellationToken cancellationToken = default) =>
        GetChildren2CoreAsync(path, null, cancellationToken);

    /// <summary>Lists a node's children with the node's Stat and leaves a one-time child watch.</summary>
    /// <param name="path">The node.</param>
    /// <param name="watcher">The callback.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The child names and the parent's Stat.</returns>
    public Task<NodeChildren> GetChildrenWithStatAsync(string path, Action<WatchedEvent> watcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return GetChildren2CoreAsync(path, new CallbackWatcher(watcher), cancellationToken);
    }

    /// <summary>Counts all descendants of a node (getAllChildrenNumber).</summary>
    /// <param name="path">The node.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The number of descendants.</returns>
    public Task<int> GetAllChildrenNumberAsync(string path, CancellationToken cancellationToken = default)
    {
        var serverPath = ToServerPath(path);
        return ExecuteAsync(
            "getAllChildrenNumber",
            path,
            idempotent: true,
            (path, serverPath),
            static (c, s) => c.CreatePacket(OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest(s.serverPath), s.path),
            static (_, _, packet, body) =>
            {
                ThrowIfError(packet);
                return ((GetAllChildrenNumberResponse)body!).TotalNumber;
            },
            cancellationToken);
    }

    /// <summary>Lists the ephemeral nodes of this session whose path starts with a prefix (getEphemerals).</summary>
    /// <param name="prefixPath">A path; nodes whose path starts with it as a string are listed (<c>/</c> lists all).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The client paths.</returns>
    public Task<IReadOnlyList<string>> GetEphemeralsAsync(string prefixPath = PathUtils.Root, CancellationToken cancellationToken = default)
    {
        var serverPath = ToServerPath(prefixPath);
        return ExecuteAsync(
            "getEphemerals",
            prefixPath,
            idempotent: true,
            (prefixPath, serverPath),
            static (c, s) => c.CreatePacket(OpCode.GetEphemerals, new GetEphemeralsRequest(s.serverPath), s.prefixPath),
            static (c, _, packet, body) =>
            {
                ThrowIfError(packet);
                var paths = ((GetEphemeralsResponse)body!).Ephemerals ?? [];
                var result = new List<string>(paths.Count);
                foreach (var path in paths)
                {
                    // The prefix is a string prefix: /ns also matches /ns2; keep ours.
                    if (c._paths.Prefix.Length == 0 || c._paths.IsUnderPrefix(path) || path == c._paths.Prefix)
                    {
                        result.Add(c._paths.ToClient(path));
                    }
                }

                return (IReadOnlyList<string>)result;
            },
            cancellationToken);
    }

    /// <summary>Makes the connected server catch up with the leader, so the reads that follow see every write committed before (sync).</summary>
    /// <param name="path">The path (the server only echoes it).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the server has caught up.</returns>
    public Task SyncAsync(string path = PathUtils.Root, CancellationToken cancellationToken = default)
    {
        var serverPath = ToServerPath(path);
        return ExecuteAsync(
            "sync",
            path,
            idempotent: true,
            (path, serverPath),
            static (c, s) => c.CreatePacket(OpCode.Sync, new SyncRequest(s.serverPath), s.path),
            static (_, _, packet, _) =>
            {
                ThrowIfError(packet);
                return true;
            },
            cancellationToken);
    }

    /// <summary>Lists the identities the server knows this connection by (whoAmI, 3.7 and later).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>One entry per identity, e.g. <c>ip 127.0.0.1</c> and <c>digest alice</c>.</returns>
    public Task<IReadOnlyList<ClientInfo>> WhoAmIAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync(
            "whoAmI",
            null,
            idempotent: true,
            0,
            static (c, _) => c.CreatePacket(OpCode.WhoAmI, null, null),
            static (_, _, packet, body) =>
            {
                ThrowIfError(packet);
                return ((WhoAmIResponse)body!).ClientInfo ?? [];
            },
            cancellationToken);

    /// <summary>
    /// Adds credentials to the connection (addauth). They are kept and sent again on every
    /// reconnect, before any other request.
    /// </summary>
    /// <param name="authInfo">The credentials, e.g. <see cref="AuthInfo.Digest(string, string)"/>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the server has accepted them.</returns>
    /// <exception cref="AuthFailedException">
    /// The server rejected them (an unknown scheme); it then closes the connection and, as the Java
    /// client does, the client stops: every later operation fails with this exception.
    /// </exception>
    public Task AddAuthAsync(AuthInfo authInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authInfo);
        ArgumentException.ThrowIfNullOrEmpty(authInfo.Scheme, nameof(authInfo));
        ArgumentNullException.ThrowIfNull(authInfo.Auth, nameof(authInfo));
        ThrowIfDisposed();
        _connection.RegisterAuth(authInfo);
        return ExecuteAsync(
            "auth",
            null,
            idempotent: true,
            authInfo,
            static (c, auth) => c._connection.CreateAuthPacket(auth),
            static (_, auth, packet, _) =>
            {
                if (packet.Error == KeeperErrorCode.AuthFailed)
                {
                    throw new AuthFailedException(null, $"Authentication with scheme '{auth.Scheme}' failed; the client is closed.");
                }

                ThrowIfError(packet);
                return true;
            },
            cancellationToken);
    }

    /// <summary>Reads the ensemble's dynamic configuration, <c>/zookeeper/config</c> (getConfig; never under the chroot or namespace).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The configuration (empty on a standalone server) and its Stat.</returns>
    public Task<NodeData> GetConfigAsync(CancellationToken cancellationToken = default) =>
        GetDataServerPathAsync(PathUtils.ConfigNode, PathUtils.ConfigNode, null, cancellationToken);

    /// <summary>Reads the dynamic configuration and leaves a one-time watch on it.</summary>
    /// <param name="watcher">The callback.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The configuration and its Stat.</returns>
    public Task<NodeData> GetConfigAsync(Action<WatchedEvent> watcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return GetDataServerPathAsync(PathUtils.ConfigNode, PathUtils.ConfigNode, new CallbackWatcher(watcher), cancellationToken);
    }

    private Task<Stat?> ExistsCoreAsync(string path, IWatcher? watcher, CancellationToken cancellationToken)
    {
        var serverPath = ToServerPath(path);
        return ExecuteAsync(
            "exists",
            path,
            idempotent: true,
            (path, serverPath, watcher),
            static (c, s) => c.CreatePacket(
                OpCode.Exists,
                new ExistsRequest(s.serverPath, s.watcher is not null),
                s.path,
                s.watcher is null ? null : new WatchRegistration(WatchKind.Exists, s.serverPath, s.watcher)),
            static (_, _, packet, body) =>
            {
                if (packet.Error == KeeperErrorCode.NoNode)
                {
                    return (Stat?)null;
                }

                ThrowIfError(packet);
                return ((ExistsResponse)body!).Stat;
            },
            cancellationToken);
    }

    private Task<NodeData> GetDataCoreAsync(string path, IWatcher? watcher, CancellationToken cancellationToken) =>
        GetDataServerPathAsync(path, ToServerPath(path), watcher, cancellationToken);

    private Task<NodeData> GetDataServerPathAsync(string path, string serverPath, IWatcher? watcher, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "getData",
            path,
            idempotent: true,
            (path, serverPath, watcher),
            static (c, s) => c.CreatePacket(
                OpCode.GetData,
                new GetDataRequest(s.serverPath, s.watcher is not null),
                s.path,
                s.watcher is null ? null : new WatchRegistration(WatchKind.Data, s.serverPath, s.watcher)),
            static (_, _, packet, body) =>
            {
                ThrowIfError(packet);
                var response = (GetDataResponse)body!;
                return new NodeData(response.Data, response.Stat);
            },
            cancellationToken);

    private Task<IReadOnlyList<string>> GetChildrenCoreAsync(string path, IWatcher? watcher, CancellationToken cancellationToken)
    {
        var serverPath = ToServerPath(path);
        return ExecuteAsync(
            "getChildren",
            path,
            idempotent: true,
            (path, serverPath, watcher),
            static (c, s) => c.CreatePacket(
                OpCode.GetChildren,
                new GetChildrenRequest(s.serverPath, s.watcher is not null),
                s.path,
                s.watcher is null ? null : new WatchRegistration(WatchKind.Child, s.serverPath, s.watcher)),
            static (_, _, packet, body) =>
            {
                ThrowIfError(packet);
                return ((GetChildrenResponse)body!).Children ?? [];
            },
            cancellationToken);
    }

    private Task<NodeChildren> GetChildren2CoreAsync(string path, IWatcher? watcher, CancellationToken cancellationToken)
    {
        var serverPath = ToServerPath(path);
        return ExecuteAsync(
            "getChildren2",
            path,
            idempotent: true,
            (path, serverPath, watcher),
            static (c, s) => c.CreatePacket(
                OpCode.GetChildren2,
                new GetChildren2Request(s.serverPath, s.watcher is not null),
                s.path,
                s.watcher is null ? null : new WatchRegistration(WatchKind.Child, s.serverPath, s.watcher)),
            static (_, _, packet, body) =>
            {
                ThrowIfError(packet);
                var response = (GetChildren2Response)body!;
                return new NodeChildren(response.Children ?? [], response.Stat);
            },
            cancellationToken);
    }
}
