// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Extensions.Configuration.Internal;
using ZkAspire.Protocol;

namespace ZkAspire.Extensions.Configuration;

/// <summary>Reading with one-time watches, for servers without addWatch (before ZooKeeper 3.6).</summary>
public sealed partial class ZooKeeperConfigurationProvider
{
    /// <summary>The paths that hold (or held) our one-time watches, to take our watcher off a borrowed client on dispose.</summary>
    private readonly HashSet<string> _watchedPaths = new(StringComparer.Ordinal);

    private enum ReadOutcome
    {
        Read,
        Missing,
        Unreadable,
    }

    /// <summary>Reads the nodes that events named, setting their watches again, and applies what is newer.</summary>
    private async Task ReadDirtyWatchedAsync(string[] paths, CancellationToken cancellationToken)
    {
        using var activity = ZooKeeperConfigurationTelemetry.ActivitySource.StartActivity(ZooKeeperConfigurationTelemetry.ReloadActivityName);
        activity?.SetTag(ZooKeeperConfigurationTelemetry.RootAttribute, _root);
        activity?.SetTag(ZooKeeperConfigurationTelemetry.FullReadAttribute, false);

        Dictionary<string, NodeEntry> nodes;
        lock (_gate)
        {
            nodes = new Dictionary<string, NodeEntry>(_nodes, StringComparer.Ordinal);
        }

        Array.Sort(paths, StringComparer.Ordinal);
        var newest = await ReadWatchedAsync(nodes, paths, strict: false, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _rootSeen |= nodes.ContainsKey(_root);
            _nodes = nodes;
            Interlocked.Exchange(ref _highWater, Math.Max(_highWater, newest));
        }

        Publish(fireReload: true, activity);
    }

    /// <summary>
    /// Reads nodes with getData and getChildren, each leaving a one-time watch, and then the
    /// children not in <paramref name="nodes"/> yet, level by level; updates <paramref name="nodes"/>
    /// (never backwards), and removes the nodes that are gone with their subtrees.
    /// </summary>
    /// <param name="nodes">What is known; updated in place.</param>
    /// <param name="start">The nodes to read.</param>
    /// <param name="strict">Whether invalid JSON fails the read (the first load) rather than keeping the node's last good keys.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The newest zxid seen (mzxid and pzxid of the nodes read).</returns>
    private async Task<long> ReadWatchedAsync(Dictionary<string, NodeEntry> nodes, IReadOnlyCollection<string> start, bool strict, CancellationToken cancellationToken)
    {
        long newest = 0;
        var seen = new HashSet<string>(start, StringComparer.Ordinal);
        List<string> level = [.. seen];
        while (level.Count > 0)
        {
            List<string> next = [];
            foreach (var chunk in level.Chunk(ReadBatchSize / 2))
            {
                // Issued together, so the client pipelines them.
                var reads = await Task.WhenAll(chunk.Select(path => ReadWatchedNodeAsync(path, cancellationToken))).ConfigureAwait(false);
                for (var i = 0; i < chunk.Length; i++)
                {
                    var path = chunk[i];
                    var (outcome, data, children) = reads[i];
                    if (outcome == ReadOutcome.Unreadable)
                    {
                        Log.Unreadable(_logger, path);
                        continue;
                    }

                    if (outcome == ReadOutcome.Missing)
                    {
                        // Its NodeDeleted event may still come; removing twice is harmless. A missing
                        // node holds none of our watches (getData and getChildren leave none on it).
                        RemoveSubtree(nodes, path);
                        lock (_gate)
                        {
                            _watchedPaths.Remove(path);
                        }

                        if (path == _root)
                        {
                            await WatchMissingRootAsync(cancellationToken).ConfigureAwait(false);
                        }

                        continue;
                    }

                    if (IsNotOlder(nodes.GetValueOrDefault(path), data!.Stat) && MapOrKeep(path, data.Data, data.Stat, strict) is { } entry)
                    {
                        nodes[path] = entry;
                    }

                    newest = Math.Max(newest, Math.Max(data.Stat.Mzxid, children!.Stat.Pzxid));
                    var present = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var child in children.Children)
                    {
                        if (_root == PathUtils.Root && child == "zookeeper")
                        {
                            // ZooKeeper's own subtree (/zookeeper/config, /zookeeper/quota) is not configuration.
                            continue;
                        }

                        var childPath = PathUtils.Combine(path, child);
                        present.Add(childPath);
                        if (!nodes.ContainsKey(childPath) && seen.Add(childPath))
                        {
                            // New (or never readable): read it with its subtree, setting its watches.
                            next.Add(childPath);
                        }
                    }

                    foreach (var gone in nodes.Keys.Where(k => k != path && PathUtils.GetParent(k) == path && !present.Contains(k)).ToList())
                    {
                        RemoveSubtree(nodes, gone);
                    }
                }
            }

            level = next;
        }

        return newest;
    }

    /// <summary>Reads one node's data and children, leaving a data watch and a child watch.</summary>
    private async Task<(ReadOutcome Outcome, NodeData? Data, NodeChildren? Children)> ReadWatchedNodeAsync(string path, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _watchedPaths.Add(path);
        }

        var data = _client.GetDataAsync(path, _watcher, cancellationToken);
        var children = _client.GetChildrenWithStatAsync(path, _watcher, cancellationToken);
        await Task.WhenAll(data, children).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (data.Exception?.InnerException is NoNodeException || children.Exception?.InnerException is NoNodeException)
        {
            // Deleted (before the read, or between its two halves): a watch is left only on an
            // existing node, and the parent's child watch reports a re-creation.
            return (ReadOutcome.Missing, null, null);
        }

        if (data.Exception?.InnerException is NoAuthException || children.Exception?.InnerException is NoAuthException)
        {
            return (ReadOutcome.Unreadable, null, null);
        }

        return (ReadOutcome.Read, await data.ConfigureAwait(false), await children.ConfigureAwait(false));
    }

    /// <summary>Watches a missing root with exists, whose watch fires NodeCreated; a root created meanwhile is read at once.</summary>
    private async Task WatchMissingRootAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _watchedPaths.Add(_root);
        }

        if (await _client.ExistsAsync(_root, _watcher, cancellationToken).ConfigureAwait(false) is not null)
        {
            lock (_gate)
            {
                _dirty.Add(_root);
            }

            Signal();
        }
    }

    /// <summary>Removes a node and every node below it.</summary>
    private static void RemoveSubtree(Dictionary<string, NodeEntry> nodes, string path)
    {
        nodes.Remove(path);
        var prefix = path == PathUtils.Root ? path : path + "/";
        foreach (var key in nodes.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            nodes.Remove(key);
        }
    }

    /// <summary>Takes our watcher off the one-time watches of a borrowed client (they would fire once more, into a disposed provider).</summary>
    private async Task RemoveOneTimeWatchersAsync()
    {
        string[] paths;
        lock (_gate)
        {
            paths = [.. _watchedPaths];
        }

        // Local: the server's one-time watches fire at most once each and find no watcher, as the
        // Java client's removeWatches(path, watcher, type, local) leaves them (checkWatches).
        await Task.WhenAll(paths.Select(async path =>
        {
            try
            {
                await _client.RemoveWatcherAsync(path, _watcher, WatcherType.Any, local: true).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KeeperException or ObjectDisposedException)
            {
                // NoWatcher: it fired already.
            }
        })).ConfigureAwait(false);
    }
}
