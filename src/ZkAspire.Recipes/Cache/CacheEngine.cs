// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Cache;

/// <summary>How a cache learns of changes.</summary>
internal enum CacheWatchMode
{
    /// <summary>A one-time data watch on every cached node and a child watch on every node whose children are cached (TreeCache).</summary>
    OneTime,

    /// <summary>One persistent recursive watch on the root (ZooKeeper 3.6+; Curator's CuratorCache).</summary>
    PersistentRecursive,
}

/// <summary>
/// Keeps a copy of a subtree up to date, for every cache recipe. All reads and changes of the copy
/// run one at a time on a loop of the cache (Curator's caches run theirs on one thread too), so
/// watch events, connection events and the reads they cause are applied in order.
/// </summary>
/// <remarks>
/// <para>
/// Every change is read from the server before it is applied: an event only says "look again".
/// Reads are compared with the copy — an update is a new mzxid, children are listed again when
/// cversion moved — so extra events cause no extra notifications.
/// </para>
/// <para>
/// After Reconnected, every cached node is read again: one-time watches are registered again by
/// the client (and fire for changes missed meanwhile), but persistent watches fire nothing for
/// what happened while disconnected. After a new session, the watches are gone: the persistent
/// watch is added again, and every node and child list is read with new watches. Nodes that
/// vanished meanwhile are reported removed, new ones added.
/// </para>
/// </remarks>
internal sealed class CacheEngine : IAsyncDisposable
{
    private readonly ZooKeeperClient _client;
    private readonly string _root;
    private readonly int _rootDepth;
    private readonly int _minDepth;
    private readonly int _maxDepth;
    private readonly bool _cacheData;
    private readonly CacheWatchMode _mode;
    private readonly ILogger _logger;
    private readonly SerialWorker _worker;
    private readonly Action<WatchedEvent> _watcher;
    private readonly ConcurrentDictionary<string, ChildData> _nodes = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _outstandingInitial;
    private int _state;
    private bool _watchAdded;

    public CacheEngine(ZooKeeperClient client, string root, int minDepth, int maxDepth, bool cacheData, CacheWatchMode mode, ILogger logger)
    {
        _client = client;
        _root = root;
        _rootDepth = Depth(root);
        _minDepth = minDepth;
        _maxDepth = maxDepth;
        _cacheData = cacheData;
        _mode = mode;
        _logger = logger;
        _worker = new SerialWorker(OnWorkFailed);
        _watcher = OnWatchEvent;
    }

    /// <summary>Occurs for every change, on the cache's loop, one at a time.</summary>
    public event EventHandler<CacheEvent>? Changed;

    /// <summary>Gets or sets the sender of <see cref="Changed"/>: the public cache.</summary>
    public object? Sender { get; set; }

    /// <summary>Gets a task that completes when the initial load is done.</summary>
    public Task Initialized => _initialized.Task;

    /// <summary>Gets the cached nodes that the cache reports (those at or below its first level).</summary>
    public IReadOnlyDictionary<string, ChildData> Current =>
        _nodes.Where(pair => Depth(pair.Key) - _rootDepth >= _minDepth).ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);

    /// <summary>Gets a cached node.</summary>
    public ChildData? Get(string path) => _nodes.TryGetValue(path, out var data) && Depth(path) - _rootDepth >= _minDepth ? data : null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The cache can be started only once.");
        }

        _client.ConnectionStateChanged += OnConnectionStateChanged;
        Post(
            async () =>
            {
                if (_mode == CacheWatchMode.PersistentRecursive)
                {
                    // The watch first, then the load: nothing that changes meanwhile is missed.
                    await AddPersistentWatchAsync().ConfigureAwait(false);
                }

                await RefreshNodeAsync(_root, initial: true, forceChildren: false).ConfigureAwait(false);
            },
            initial: true);
        await _initialized.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        _client.ConnectionStateChanged -= OnConnectionStateChanged;
        await _worker.DisposeAsync().ConfigureAwait(false);
        _initialized.TrySetCanceled();
        if (_mode == CacheWatchMode.PersistentRecursive)
        {
            await OwnershipMonitor.RemoveWatcherQuietlyAsync(_client, _root, _watcher, WatcherType.PersistentRecursive).ConfigureAwait(false);
        }
        else
        {
            foreach (var path in _nodes.Keys.Append(_root).Distinct())
            {
                await OwnershipMonitor.RemoveWatcherQuietlyAsync(_client, path, _watcher, WatcherType.Any).ConfigureAwait(false);
            }
        }

        _nodes.Clear();
    }

    private static int Depth(string path) => path == PathUtils.Root ? 0 : path.Count(c => c == '/');

    private int RelativeDepth(string path) => Depth(path) - _rootDepth;

    private bool IsInside(string? path) =>
        path is not null && (path == _root || path.StartsWith(_root == PathUtils.Root ? "/" : _root + "/", StringComparison.Ordinal));

    private void Post(Func<Task> work, bool initial)
    {
        if (initial)
        {
            Interlocked.Increment(ref _outstandingInitial);
        }

        _worker.Post(async () =>
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            finally
            {
                if (initial)
                {
                    InitialDone();
                }
            }
        });
    }

    private void InitialDone()
    {
        if (Interlocked.Decrement(ref _outstandingInitial) == 0 && _initialized.TrySetResult())
        {
            Notify(new CacheEvent(CacheEventType.Initialized, null));
        }
    }

    /// <summary>Reads a node (with a data watch in one-time mode) and its children when they may have changed.</summary>
    private async Task RefreshNodeAsync(string path, bool initial, bool forceChildren)
    {
        if (Volatile.Read(ref _state) != 1)
        {
            return;
        }

        NodeData node;
        try
        {
            node = _mode == CacheWatchMode.OneTime
                ? await _client.GetDataAsync(path, _watcher).ConfigureAwait(false)
                : await _client.GetDataAsync(path).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            Remove(path);
            if (path == _root && _mode == CacheWatchMode.OneTime && await _client.ExistsAsync(_root, _watcher).ConfigureAwait(false) is not null)
            {
                // Created between the two reads.
                Post(() => RefreshNodeAsync(_root, initial: false, forceChildren: true), initial);
            }

            return;
        }

        var previous = Put(new ChildData(path, node.Stat, _cacheData ? node.Data : null));
        if (RelativeDepth(path) < _maxDepth && (forceChildren || previous is null || previous.Stat.Cversion != node.Stat.Cversion))
        {
            Post(() => RefreshChildrenAsync(path, initial), initial);
        }
    }

    /// <summary>Lists a node's children (with a child watch in one-time mode): new ones are read, missing ones removed.</summary>
    private async Task RefreshChildrenAsync(string path, bool initial)
    {
        if (Volatile.Read(ref _state) != 1)
        {
            return;
        }

        IReadOnlyList<string> children;
        try
        {
            children = _mode == CacheWatchMode.OneTime
                ? await _client.GetChildrenAsync(path, _watcher).ConfigureAwait(false)
                : await _client.GetChildrenAsync(path).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            Remove(path);
            return;
        }

        var current = new HashSet<string>(children.Select(child => PathUtils.Combine(path, child)), StringComparer.Ordinal);
        foreach (var known in ChildrenOf(path))
        {
            if (!current.Contains(known))
            {
                Remove(known);
            }
        }

        foreach (var child in current)
        {
            if (!_nodes.ContainsKey(child))
            {
                Post(() => RefreshNodeAsync(child, initial, forceChildren: false), initial);
            }
        }
    }

    private List<string> ChildrenOf(string path)
    {
        var prefix = path == PathUtils.Root ? "/" : path + "/";
        return [.. _nodes.Keys.Where(key => key.StartsWith(prefix, StringComparison.Ordinal) && key.IndexOf('/', prefix.Length) < 0)];
    }

    private ChildData? Put(ChildData data)
    {
        _nodes.TryGetValue(data.Path, out var previous);
        _nodes[data.Path] = data;
        if (RelativeDepth(data.Path) >= _minDepth)
        {
            if (previous is null)
            {
                Notify(new CacheEvent(CacheEventType.NodeAdded, data));
            }
            else if (previous.Stat.Mzxid != data.Stat.Mzxid)
            {
                Notify(new CacheEvent(CacheEventType.NodeUpdated, data, previous));
            }
        }

        return previous;
    }

    /// <summary>Removes a node and everything cached below it, deepest first.</summary>
    private void Remove(string path)
    {
        foreach (var child in ChildrenOf(path))
        {
            Remove(child);
        }

        if (_nodes.TryRemove(path, out var removed) && RelativeDepth(path) >= _minDepth)
        {
            Notify(new CacheEvent(CacheEventType.NodeRemoved, removed));
        }
    }

    private void Notify(CacheEvent cacheEvent)
    {
        if (Volatile.Read(ref _state) != 1)
        {
            return;
        }

        try
        {
            Changed?.Invoke(Sender, cacheEvent);
        }
#pragma warning disable CA1031 // A failing listener must not stop the cache.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogError(e, "A listener of the cache of {Path} failed.", _root);
        }
    }

    private void OnWatchEvent(WatchedEvent watchedEvent)
    {
        var path = watchedEvent.Path;
        if (!IsInside(path) || RelativeDepth(path!) > _maxDepth)
        {
            return;
        }

        switch (watchedEvent.Type)
        {
            case EventType.NodeCreated or EventType.NodeDataChanged:
                Post(() => RefreshNodeAsync(path!, initial: false, forceChildren: false), initial: false);
                break;
            case EventType.NodeDeleted when _mode == CacheWatchMode.PersistentRecursive:
                _worker.Post(() => Remove(path!));
                break;
            case EventType.NodeDeleted:
                Post(() => RefreshNodeAsync(path!, initial: false, forceChildren: false), initial: false);
                break;
            case EventType.NodeChildrenChanged:
                Post(() => RefreshChildrenAsync(path!, initial: false), initial: false);
                break;
        }
    }

    private void OnConnectionStateChanged(object? sender, ConnectionStateChange change)
    {
        switch (change.State)
        {
            case ConnectionState.Suspended:
                _worker.Post(() => Notify(new CacheEvent(CacheEventType.ConnectionSuspended, null)));
                break;
            case ConnectionState.Lost:
                _worker.Post(() => Notify(new CacheEvent(CacheEventType.ConnectionLost, null)));
                break;
            case ConnectionState.Reconnected:
                _worker.Post(() => Notify(new CacheEvent(CacheEventType.ConnectionReconnected, null)));
                _worker.Post(() => RebuildAsync(change.IsNewSession));
                break;
        }
    }

    /// <summary>Reads everything again after a reconnect (Curator's <c>CuratorCacheImpl.rebuild</c>, TreeCache's <c>wasReconnected</c>).</summary>
    private async Task RebuildAsync(bool newSession)
    {
        if (Volatile.Read(ref _state) != 1)
        {
            return;
        }

        if (_mode == CacheWatchMode.PersistentRecursive && (newSession || !_watchAdded))
        {
            await AddPersistentWatchAsync().ConfigureAwait(false);
        }

        // After a new session the one-time child watches are gone too: list every child list again.
        var forceChildren = newSession && _mode == CacheWatchMode.OneTime;
        Post(() => RefreshNodeAsync(_root, initial: false, forceChildren: true), initial: false);
        foreach (var path in _nodes.Keys.Where(p => p != _root).OrderBy(Depth))
        {
            Post(() => RefreshNodeAsync(path, initial: false, forceChildren), initial: false);
        }
    }

    private async Task AddPersistentWatchAsync()
    {
        _watchAdded = false;
        try
        {
            await _client.AddWatchAsync(_root, AddWatchMode.PersistentRecursive, _watcher).ConfigureAwait(false);
            _watchAdded = true;
        }
        catch (Exception e) when (ClientExtensions.IsConnectionProblem(e))
        {
            // Added on the next Reconnected.
        }
    }

    private void OnWorkFailed(Exception e)
    {
        if (ClientExtensions.IsConnectionProblem(e) || e is ObjectDisposedException)
        {
            // Reconnected rebuilds the cache; a disposed client ends it.
            return;
        }

        _logger.LogError(e, "The cache of {Path} failed to read; it reads again after the next reconnect.", _root);
    }
}
