// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Runtime.CompilerServices;
using ZkAspire.Client.Internal;
using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>Persistent watches, and removing and checking watches.</summary>
public sealed partial class ZooKeeperClient
{
    /// <summary>
    /// Adds a persistent watch (addWatch, 3.6 and later): it stays after firing and is re-registered
    /// on reconnect. <see cref="AddWatchMode.Persistent"/> fires NodeCreated, NodeDeleted,
    /// NodeDataChanged and NodeChildrenChanged for the path; <see cref="AddWatchMode.PersistentRecursive"/>
    /// fires all but NodeChildrenChanged for the path and every descendant. The node need not exist.
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="mode">Persistent or persistent recursive.</param>
    /// <param name="watcher">The callback; it also gets the connection events (Disconnected, SyncConnected, Expired).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the watch is registered.</returns>
    public Task AddWatchAsync(string path, AddWatchMode mode, Action<WatchedEvent> watcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return AddWatchCoreAsync(path, mode, new CallbackWatcher(watcher), cancellationToken);
    }

    /// <summary>
    /// Adds a persistent watch and streams its events; leaving the enumeration (break, dispose,
    /// cancellation) removes the watch. The stream also yields the connection events: after
    /// Disconnected, events may have been missed (persistent watches get no catch-up events on
    /// reconnect), so re-read what you track on SyncConnected. It ends after Expired or Closed, when
    /// the watch no longer exists.
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="mode">Persistent or persistent recursive.</param>
    /// <param name="cancellationToken">Ends the stream (with <see cref="OperationCanceledException"/>).</param>
    /// <returns>The events, in order.</returns>
    public async IAsyncEnumerable<WatchedEvent> WatchAsync(
        string path,
        AddWatchMode mode = AddWatchMode.PersistentRecursive,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var watcher = new ChannelWatcher();
        await AddWatchCoreAsync(path, mode, watcher, cancellationToken).ConfigureAwait(false);
        try
        {
            while (await watcher.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (watcher.Reader.TryRead(out var watchedEvent))
                {
                    yield return watchedEvent;
                }
            }
        }
        finally
        {
            await RemovePersistentWatcherAsync(path, mode, watcher).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Removes a watcher added with <see cref="AddWatchAsync"/> and, when no other local watcher of
    /// that mode is left at the path, the server's registration too (removeWatches), so the server
    /// stops sending its events. <see cref="RemoveWatcherAsync"/> does as the Java client's
    /// <c>removeWatches(path, watcher, type, local)</c>: it asks the server with checkWatches and
    /// leaves the persistent watch registered until the session ends. A 3.8 server knows no
    /// watcher types beyond Any (§24); Any is sent instead when nothing else is registered at the
    /// path. Best effort on the server: when disconnected, the watch is simply not re-registered on
    /// reconnect. The watcher gets no PersistentWatchRemoved event.
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="mode">The mode it was added with.</param>
    /// <param name="watcher">The callback added earlier.</param>
    /// <returns><see langword="true"/> if the watcher was registered (and is removed).</returns>
    public Task<bool> RemovePersistentWatchAsync(string path, AddWatchMode mode, Action<WatchedEvent> watcher)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        ThrowIfDisposed();
        return RemovePersistentWatcherAsync(path, mode, new CallbackWatcher(watcher));
    }

    /// <summary>
    /// Removes one watcher of a type at a path (the Java client's <c>removeWatches(path, watcher,
    /// type, local)</c>): the server is asked with checkWatches whether it holds the watch, and the
    /// watcher is removed locally and gets a DataWatchRemoved, ChildWatchRemoved or
    /// PersistentWatchRemoved event. The server's registration stays for the other local watchers.
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="watcher">The callback registered earlier.</param>
    /// <param name="type">Which watches: Children, Data (data and exists), Any; Persistent and PersistentRecursive need a 3.9 server.</param>
    /// <param name="local">Whether to remove it locally even when the server cannot be asked or does not know it.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the watcher is removed.</returns>
    /// <exception cref="NoWatcherException">No such watcher is registered.</exception>
    public Task RemoveWatcherAsync(string path, Action<WatchedEvent> watcher, WatcherType type, bool local = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return RemoveWatchesCoreAsync(path, new CallbackWatcher(watcher), type, local, cancellationToken);
    }

    /// <summary>
    /// Removes every watch of a type at a path (the Java client's <c>removeAllWatches</c>, opcode
    /// removeWatches), on the server and locally; each removed watcher gets a *WatchRemoved event.
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="type">Which watches.</param>
    /// <param name="local">Whether to remove them locally even when the server cannot be asked or does not know them.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the watches are removed.</returns>
    /// <exception cref="NoWatcherException">No such watch is registered.</exception>
    public Task RemoveAllWatchesAsync(string path, WatcherType type, bool local = false, CancellationToken cancellationToken = default) =>
        RemoveWatchesCoreAsync(path, null, type, local, cancellationToken);

    /// <summary>Checks whether a watch of a type is registered at a path: locally, or by asking the server (checkWatches).</summary>
    /// <param name="path">The path.</param>
    /// <param name="type">Which watches.</param>
    /// <param name="local">Whether to answer from the client's own tables instead of asking the server.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if such a watch is registered.</returns>
    public async Task<bool> CheckWatchesAsync(string path, WatcherType type, bool local = false, CancellationToken cancellationToken = default)
    {
        var serverPath = ToServerPath(path);
        if (local)
        {
            return _watches.Contains(serverPath, null, type);
        }

        return await ExecuteAsync(
            "checkWatches",
            path,
            idempotent: true,
            (path, serverPath, type),
            static (c, s) => c.CreatePacket(OpCode.CheckWatches, new CheckWatchesRequest(s.serverPath, (int)s.type), s.path),
            static (_, _, packet, _) =>
            {
                if (packet.Error == KeeperErrorCode.NoWatcher)
                {
                    return false;
                }

                ThrowIfError(packet);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private Task AddWatchCoreAsync(string path, AddWatchMode mode, IWatcher watcher, CancellationToken cancellationToken)
    {
        if (mode is not (AddWatchMode.Persistent or AddWatchMode.PersistentRecursive))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown watch mode.");
        }

        var serverPath = ToServerPath(path);
        return ExecuteAsync(
            "addWatch",
            path,
            idempotent: true,
            (path, serverPath, mode, watcher),
            static (c, s) => c.CreatePacket(
                OpCode.AddWatch,
                new AddWatchRequest(s.serverPath, (int)s.mode),
                s.path,
                new WatchRegistration(s.mode == AddWatchMode.Persistent ? WatchKind.Persistent : WatchKind.PersistentRecursive, s.serverPath, s.watcher)),
            static (_, _, packet, _) =>
            {
                ThrowIfError(packet);
                return true;
            },
            cancellationToken);
    }

    private async Task RemoveWatchesCoreAsync(string path, IWatcher? watcher, WatcherType type, bool local, CancellationToken cancellationToken)
    {
        if (type is < WatcherType.Children or > WatcherType.PersistentRecursive)
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown watcher type.");
        }

        ThrowIfDisposed();
        var serverPath = ToServerPath(path);

        // As the Java client: a watcher that is not registered here is NoWatcher at once.
        if (!_watches.Contains(serverPath, watcher, type))
        {
            throw new NoWatcherException(path);
        }

        var state = KeeperState.SyncConnected;
        if (!local || IsConnected)
        {
            try
            {
                // One watcher of several: checkWatches (the server keeps its registration for
                // the others); all of them: removeWatches.
                var opCode = watcher is null ? OpCode.RemoveWatches : OpCode.CheckWatches;
                await ExecuteAsync(
                    opCode == OpCode.RemoveWatches ? "removeWatches" : "checkWatches",
                    path,
                    idempotent: opCode == OpCode.CheckWatches,
                    (path, serverPath, type, opCode),
                    static (c, s) => c.CreatePacket(
                        s.opCode,
                        s.opCode == OpCode.RemoveWatches ? new RemoveWatchesRequest(s.serverPath, (int)s.type) : new CheckWatchesRequest(s.serverPath, (int)s.type),
                        s.path),
                    static (_, _, packet, _) =>
                    {
                        ThrowIfError(packet);
                        return true;
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (KeeperException e) when (local)
            {
                state = e is ConnectionLossException or SessionExpiredException ? KeeperState.Disconnected : state;
            }
        }
        else
        {
            state = KeeperState.Disconnected;
        }

        var removed = _watches.Remove(serverPath, watcher, type);
        if (removed.Count == 0)
        {
            // It fired meanwhile.
            throw new NoWatcherException(path);
        }

        foreach (var group in removed.GroupBy(r => r.Type))
        {
            var watchers = group.Select(r => r.Watcher).ToHashSet();
            _dispatcher.Post(new WatchEventDelivery(new WatchedEvent(group.Key, state, path), watchers));
        }
    }

    /// <summary>
    /// Removes a stream's watcher, and the server's registration when no other local watcher of
    /// that mode is left at the path. Best effort: when disconnected, the watch is simply not
    /// re-registered on reconnect.
    /// </summary>
    private async Task<bool> RemovePersistentWatcherAsync(string path, AddWatchMode mode, IWatcher watcher)
    {
        var type = mode == AddWatchMode.Persistent ? WatcherType.Persistent : WatcherType.PersistentRecursive;
        var serverPath = _paths.ToServer(path);
        if (_watches.Remove(serverPath, watcher, type).Count == 0)
        {
            return false;
        }

        if (_watches.HasWatchers(serverPath, type) || IsDisposed || !IsConnected)
        {
            return true;
        }

        try
        {
            await SendRemoveWatchesAsync(path, serverPath, type).ConfigureAwait(false);
        }
        catch (MarshallingErrorException) when (!_watches.HasWatchers(serverPath, WatcherType.Any))
        {
            // 3.8 servers know no watcher types beyond Any (§24); with nothing else left at the
            // path, Any removes exactly what we registered.
            try
            {
                await SendRemoveWatchesAsync(path, serverPath, WatcherType.Any).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KeeperException or ObjectDisposedException)
            {
            }
        }
        catch (Exception e) when (e is KeeperException or ObjectDisposedException)
        {
            // The server drops the watch with the session; its events find no local watcher.
        }

        return true;
    }

    private Task SendRemoveWatchesAsync(string path, string serverPath, WatcherType type) =>
        SendAsync(
            "removeWatches",
            path,
            (path, serverPath, type),
            static (c, s) => c.CreatePacket(OpCode.RemoveWatches, new RemoveWatchesRequest(s.serverPath, (int)s.type), s.path),
            static (_, _, packet, _) =>
            {
                ThrowIfError(packet);
                return true;
            },
            CancellationToken.None).AsTask();
}
