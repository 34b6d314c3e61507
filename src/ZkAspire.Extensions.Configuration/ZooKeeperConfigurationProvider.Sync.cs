// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using ZkAspire.Client;
using ZkAspire.Extensions.Configuration.Internal;
using ZkAspire.Protocol;

namespace ZkAspire.Extensions.Configuration;

/// <summary>Watch events, the worker, and reading the subtree.</summary>
public sealed partial class ZooKeeperConfigurationProvider
{
    /// <summary>How many nodes one multiRead asks for: keeps a reply well under jute.maxbuffer for typical configuration values.</summary>
    private const int ReadBatchSize = 64;

    private readonly SemaphoreSlim _serial = new(1, 1);
    private bool _rootSeen;

    /// <summary>Runs on the client's event loop: only records what to do.</summary>
    private void OnWatchEvent(WatchedEvent e)
    {
        if (e.Type is not (EventType.NodeCreated or EventType.NodeDeleted or EventType.NodeDataChanged or EventType.NodeChildrenChanged) || e.Path is null)
        {
            // Connection events of the watch (the state handler below decides), and the
            // *WatchRemoved events of our own removal on dispose.
            return;
        }

        lock (_gate)
        {
            _dirty.Add(e.Path);
        }

        Signal();
    }

    /// <summary>Runs on the client's event loop: a reconnect means a full read, a new session also a new watch.</summary>
    private void OnConnectionStateChanged(object? sender, ConnectionStateChange change)
    {
        if (!change.IsConnected || (change.State == ConnectionState.Connected && _loading))
        {
            // The client's first connection while the first load runs: that load adds the watch
            // and reads the subtree itself.
            return;
        }

        lock (_gate)
        {
            _resyncNeeded = true;
            if (change.IsNewSession || !_watchAdded)
            {
                _rewatchNeeded = true;
            }
        }

        Signal();
    }

    private void Signal()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;

        // An optional source that started without ZooKeeper has work already.
        bool pending;
        lock (_gate)
        {
            pending = _resyncNeeded || _rewatchNeeded || _dirty.Count > 0;
        }

        if (pending && _client.IsConnected)
        {
            Signal();
        }

        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(stopping).ConfigureAwait(false);
                if (_source.ReloadDelay > TimeSpan.Zero)
                {
                    await Task.Delay(_source.ReloadDelay, _source.TimeProvider, stopping).ConfigureAwait(false);
                }

                // Everything signalled so far is handled by this pass.
                while (_signal.CurrentCount > 0 && await _signal.WaitAsync(0, CancellationToken.None).ConfigureAwait(false))
                {
                }

                await SerializedAsync(() => ProcessAsync(stopping), stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KeeperException or TimeoutException or InvalidDataException or ObjectDisposedException or NotSupportedException)
            {
                if (e is ObjectDisposedException or NotSupportedException)
                {
                    // A borrowed client was closed under us, or the server has no addWatch: nothing
                    // more can be read.
                    Log.ReloadFailed(_logger, _root, e);
                    return;
                }

                Log.ReloadFailed(_logger, _root, e);

                // A full read is the safe recovery. It runs at the next reconnect (the state handler
                // signals) or, if still connected, after a back-off.
                lock (_gate)
                {
                    _resyncNeeded = true;
                }

                if (_client.IsConnected)
                {
                    _ = RetryLaterAsync(stopping);
                }
            }
#pragma warning disable CA1031 // The worker must outlive a bug in one pass: log it and read everything again later.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.ReloadFailed(_logger, _root, e);
                lock (_gate)
                {
                    _resyncNeeded = true;
                }

                _ = RetryLaterAsync(stopping);
            }
        }
    }

    /// <summary>Runs reads one at a time: the worker's, and those of <c>IConfigurationRoot.Reload()</c>.</summary>
    private async Task SerializedAsync(Func<Task> read, CancellationToken cancellationToken)
    {
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await read().ConfigureAwait(false);
        }
        finally
        {
            _serial.Release();
        }
    }

    private async Task RetryLaterAsync(CancellationToken stopping)
    {
        try
        {
            await Task.Delay(RetryDelay, _source.TimeProvider, stopping).ConfigureAwait(false);
            Signal();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ProcessAsync(CancellationToken cancellationToken)
    {
        bool rewatch, resync;
        string[] dirty;
        lock (_gate)
        {
            rewatch = _rewatchNeeded;
            resync = _resyncNeeded || rewatch;
            dirty = resync ? [] : [.. _dirty];
            _rewatchNeeded = false;
            _resyncNeeded = false;
            _dirty.Clear();
        }

        try
        {
            if (rewatch)
            {
                await AddWatchAsync(cancellationToken).ConfigureAwait(false);
            }

            if (resync)
            {
                await ResyncAsync(fireReload: true, cancellationToken).ConfigureAwait(false);
            }
            else if (dirty.Length > 0 && WatchMode == ZooKeeperConfigurationWatchMode.OneTime)
            {
                await ReadDirtyWatchedAsync(dirty, cancellationToken).ConfigureAwait(false);
            }
            else if (dirty.Length > 0)
            {
                await ReadDirtyAsync(dirty, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // Keep what was not done for the retry.
            lock (_gate)
            {
                _rewatchNeeded |= rewatch;
                _resyncNeeded |= resync;
                _dirty.UnionWith(dirty);
            }

            throw;
        }
    }

    private async Task AddWatchAsync(CancellationToken cancellationToken)
    {
        if (WatchMode == ZooKeeperConfigurationWatchMode.OneTime)
        {
            // The full read that follows sets the one-time watches.
            return;
        }

        try
        {
            await _client.AddWatchAsync(_root, AddWatchMode.PersistentRecursive, _watcher, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is UnimplementedException or MarshallingErrorException)
        {
            // addWatch is ZooKeeper 3.6 and later; older servers answer it as any unknown opcode:
            // Unimplemented, then they close the connection (the wire reference, §6).
            if (WatchMode == ZooKeeperConfigurationWatchMode.PersistentRecursive)
            {
                throw new NotSupportedException(
                    $"The ZooKeeper server does not support persistent recursive watches (addWatch, ZooKeeper 3.6 and later), which WatchMode PersistentRecursive requires to watch '{_root}'; use Auto or OneTime.", e);
            }

            Log.FallingBackToOneTimeWatches(_logger, _root, e);
            Volatile.Write(ref _watchMode, (int)ZooKeeperConfigurationWatchMode.OneTime);
            return;
        }

        Volatile.Write(ref _watchMode, (int)ZooKeeperConfigurationWatchMode.PersistentRecursive);

        lock (_gate)
        {
            _watchAdded = true;
        }
    }

    /// <summary>Reads the whole subtree (after a sync) and replaces the data, unless the read is older than what was applied.</summary>
    private async Task ResyncAsync(bool fireReload, CancellationToken cancellationToken)
    {
        using var activity = ZooKeeperConfigurationTelemetry.ActivitySource.StartActivity(ZooKeeperConfigurationTelemetry.ReloadActivityName);
        activity?.SetTag(ZooKeeperConfigurationTelemetry.RootAttribute, _root);
        activity?.SetTag(ZooKeeperConfigurationTelemetry.FullReadAttribute, true);

        await _client.SyncAsync(_rootParent ?? _root, cancellationToken).ConfigureAwait(false);

        // The parent's pzxid moves when the root is created or deleted, so the snapshot's newest
        // zxid covers that too.
        long snapshotZxid = 0;
        if (_rootParent is not null)
        {
            try
            {
                var parentStat = await _client.ExistsAsync(_rootParent, cancellationToken).ConfigureAwait(false);
                snapshotZxid = parentStat?.Pzxid ?? 0;
            }
            catch (NoAuthException)
            {
                // exists checks READ since 3.9.2/3.8.4; without it the subtree's own zxids are the mark.
            }
        }

        var strict = !fireReload && _worker is null;
        Dictionary<string, NodeEntry> nodes;
        if (WatchMode == ZooKeeperConfigurationWatchMode.OneTime)
        {
            nodes = new Dictionary<string, NodeEntry>(StringComparer.Ordinal);
            snapshotZxid = Math.Max(snapshotZxid, await ReadWatchedAsync(nodes, [_root], strict, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            (nodes, var newest) = await ReadSubtreeAsync(strict, cancellationToken).ConfigureAwait(false);
            snapshotZxid = Math.Max(snapshotZxid, newest);
        }

        lock (_gate)
        {
            if (!IsNotOlder(snapshotZxid, _highWater))
            {
                // Older than what is shown: the server is behind. Keep the data; read again later.
                Log.StaleRead(_logger, _root, snapshotZxid, _highWater);
                _resyncNeeded = true;
                _ = RetryLaterAsync(_stopping.Token);
                return;
            }

            _rootSeen |= nodes.ContainsKey(_root);
            _nodes = nodes;
            Interlocked.Exchange(ref _highWater, snapshotZxid);
        }

        Publish(fireReload, activity);
    }

    /// <summary>Reads the whole subtree, level by level, in multiReads (no watches: the persistent recursive watch covers it).</summary>
    private async Task<(Dictionary<string, NodeEntry> Nodes, long Newest)> ReadSubtreeAsync(bool strict, CancellationToken cancellationToken)
    {
        long snapshotZxid = 0;
        var nodes = new Dictionary<string, NodeEntry>(StringComparer.Ordinal);
        List<string> level = [_root];
        while (level.Count > 0)
        {
            List<string> next = [];
            foreach (var chunk in level.Chunk(ReadBatchSize / 2))
            {
                var read = _client.MultiRead();
                foreach (var path in chunk)
                {
                    read.GetData(path).GetChildren(path);
                }

                var results = await read.ExecuteAsync(cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < chunk.Length; i++)
                {
                    if (results[2 * i] is not GetDataResult data || results[2 * i + 1] is not GetChildrenResult children)
                    {
                        // Deleted between the parent's read and this one; its delete moved the
                        // parent's pzxid past this snapshot, and its event follows.
                        ThrowIfUnexpected(results[2 * i], chunk[i]);
                        continue;
                    }

                    var path = chunk[i];
                    if (MapOrKeep(path, data.Data, data.Stat, strict) is { } entry)
                    {
                        nodes[path] = entry;
                    }

                    snapshotZxid = Math.Max(snapshotZxid, Math.Max(data.Stat.Mzxid, data.Stat.Pzxid));
                    foreach (var child in children.Children)
                    {
                        if (_root == PathUtils.Root && child == "zookeeper")
                        {
                            // ZooKeeper's own subtree (/zookeeper/config, /zookeeper/quota) is not configuration.
                            continue;
                        }

                        next.Add(PathUtils.Combine(path, child));
                    }
                }
            }

            level = next;
        }

        return (nodes, snapshotZxid);
    }

    /// <summary>Reads the nodes that events named, in one multiRead per batch, and applies what is newer.</summary>
    private async Task ReadDirtyAsync(string[] paths, CancellationToken cancellationToken)
    {
        using var activity = ZooKeeperConfigurationTelemetry.ActivitySource.StartActivity(ZooKeeperConfigurationTelemetry.ReloadActivityName);
        activity?.SetTag(ZooKeeperConfigurationTelemetry.RootAttribute, _root);
        activity?.SetTag(ZooKeeperConfigurationTelemetry.FullReadAttribute, false);

        Array.Sort(paths, StringComparer.Ordinal);
        var read = new List<(string Path, OperationResult Result)>(paths.Length);
        foreach (var chunk in paths.Chunk(ReadBatchSize))
        {
            var batch = _client.MultiRead();
            foreach (var path in chunk)
            {
                batch.GetData(path);
            }

            var results = await batch.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
            {
                ThrowIfUnexpected(results[i], chunk[i]);
                read.Add((chunk[i], results[i]));
            }
        }

        lock (_gate)
        {
            var nodes = new Dictionary<string, NodeEntry>(_nodes, StringComparer.Ordinal);
            var highWater = _highWater;
            foreach (var (path, result) in read)
            {
                if (result is GetDataResult data)
                {
                    // Never backwards: only a newer version of the node, or a new incarnation of it.
                    if (IsNotOlder(nodes.GetValueOrDefault(path), data.Stat) && MapOrKeep(path, data.Data, data.Stat, strict: false) is { } entry)
                    {
                        nodes[path] = entry;
                        highWater = Math.Max(highWater, Math.Max(data.Stat.Mzxid, data.Stat.Czxid));
                    }
                }
                else
                {
                    // NoNode: deleted (a recursive watch reports each deleted node of a subtree).
                    nodes.Remove(path);
                }
            }

            _rootSeen |= nodes.ContainsKey(_root);
            _nodes = nodes;
            Interlocked.Exchange(ref _highWater, highWater);
        }

        Publish(fireReload: true, activity);
    }

    /// <summary>Whether a read of a node may replace what is known of it: the same or a newer version (mzxid), or a new incarnation (czxid).</summary>
    /// <param name="known">What is applied, if anything.</param>
    /// <param name="read">The Stat of the read.</param>
    /// <returns><see langword="true"/> when the read is not older.</returns>
    internal static bool IsNotOlder(NodeEntry? known, Stat read) =>
        known is null || read.Czxid > known.Czxid || (read.Czxid == known.Czxid && read.Mzxid >= known.Mzxid);

    /// <summary>Whether a full read may replace the data: its newest zxid is not older than the newest applied.</summary>
    /// <param name="snapshotZxid">The newest zxid the read saw.</param>
    /// <param name="appliedZxid">The newest zxid applied.</param>
    /// <returns><see langword="true"/> when the read is not older.</returns>
    internal static bool IsNotOlder(long snapshotZxid, long appliedZxid) => snapshotZxid >= appliedZxid;

    /// <summary>
    /// Maps a node; a JSON node with invalid JSON fails the first load (as a bad appsettings.json
    /// does), and later keeps the node's last good keys.
    /// </summary>
    private NodeEntry? MapOrKeep(string path, byte[]? data, Stat stat, bool strict)
    {
        try
        {
            return _mapper.Map(path, data, stat);
        }
        catch (InvalidDataException e) when (!strict)
        {
            Log.InvalidJson(_logger, path, e);
            lock (_gate)
            {
                return _nodes.GetValueOrDefault(path);
            }
        }
    }

    /// <summary>
    /// Fails the read on an error other than NoNode (deleted meanwhile) and NoAuth (a node the
    /// client may not read is left out, with a warning, rather than failing every read).
    /// </summary>
    private void ThrowIfUnexpected(OperationResult result, string path)
    {
        if (result is ErrorResult { Code: KeeperErrorCode.NoAuth })
        {
            Log.Unreadable(_logger, path);
        }
        else if (result is ErrorResult { Code: not KeeperErrorCode.NoNode } error)
        {
            throw KeeperException.Create(error.Code, path);
        }
    }

    /// <summary>Rebuilds the key/value data from the nodes; replaces it and fires the reload token only if a value changed.</summary>
    private void Publish(bool fireReload, Activity? activity)
    {
        Dictionary<string, NodeEntry> nodes;
        lock (_gate)
        {
            nodes = _nodes;
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in nodes.Keys.Order(StringComparer.Ordinal))
        {
            foreach (var (key, value) in nodes[path].Values)
            {
                data[key] = value;
            }
        }

        if (SameData(Data, data))
        {
            activity?.SetTag(ZooKeeperConfigurationTelemetry.ChangedAttribute, false);
            return;
        }

        activity?.SetTag(ZooKeeperConfigurationTelemetry.ChangedAttribute, true);
        Data = data;
        if (fireReload)
        {
            ZooKeeperConfigurationTelemetry.Reloads.Add(1);
            OnReload();
        }
    }

    private static bool SameData(IDictionary<string, string?> current, Dictionary<string, string?> next)
    {
        if (current.Count != next.Count)
        {
            return false;
        }

        foreach (var (key, value) in next)
        {
            if (!current.TryGetValue(key, out var old) || !string.Equals(old, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
