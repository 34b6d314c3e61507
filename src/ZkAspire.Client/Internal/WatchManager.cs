// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client.Internal;

/// <summary>
/// The client's watch tables, keyed by server path (the Java client's <c>ZKWatchManager</c>).
/// </summary>
/// <remarks>
/// Several local watchers share one server registration: the server keeps one watch per path and
/// connection, the client fans each event out (the wire-protocol reference, §15.1 and §15.3).
/// Registration and materialization run on the IO loop, in wire order, so a watch registered by
/// a reply always sees the notifications that follow that reply.
/// </remarks>
internal sealed class WatchManager
{
    private readonly object _lock = new();
    private readonly Dictionary<string, HashSet<IWatcher>> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<IWatcher>> _exist = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<IWatcher>> _child = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<IWatcher>> _persistent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<IWatcher>> _recursive = new(StringComparer.Ordinal);

    /// <summary>Registers a watch after its request was answered with <paramref name="error"/>.</summary>
    /// <param name="registration">The watch.</param>
    /// <param name="error">The reply's error code.</param>
    public void Register(WatchRegistration registration, KeeperErrorCode error)
    {
        var table = registration.Kind switch
        {
            // exists leaves a watch whether or not the node exists (ExistsWatchRegistration).
            WatchKind.Exists when error == KeeperErrorCode.Ok => _data,
            WatchKind.Exists when error == KeeperErrorCode.NoNode => _exist,
            WatchKind.Data when error == KeeperErrorCode.Ok => _data,
            WatchKind.Child when error == KeeperErrorCode.Ok => _child,
            WatchKind.Persistent when error == KeeperErrorCode.Ok => _persistent,
            WatchKind.PersistentRecursive when error == KeeperErrorCode.Ok => _recursive,
            _ => null,
        };
        if (table is null)
        {
            return;
        }

        lock (_lock)
        {
            Add(table, registration.ServerPath, registration.Watcher);
        }
    }

    /// <summary>
    /// Takes the watchers a node event goes to, removing the one-time ones (<c>materialize</c>).
    /// </summary>
    /// <param name="type">The event type (NodeCreated … NodeChildrenChanged).</param>
    /// <param name="serverPath">The node's server path.</param>
    /// <returns>The watchers, each once.</returns>
    public HashSet<IWatcher> Materialize(EventType type, string serverPath)
    {
        var result = new HashSet<IWatcher>();
        lock (_lock)
        {
            switch (type)
            {
                case EventType.NodeCreated:
                case EventType.NodeDataChanged:
                    Take(_data, serverPath, result);
                    Take(_exist, serverPath, result);
                    break;
                case EventType.NodeChildrenChanged:
                    Take(_child, serverPath, result);
                    break;
                case EventType.NodeDeleted:
                    Take(_data, serverPath, result);
                    Take(_exist, serverPath, result);
                    Take(_child, serverPath, result);
                    break;
                default:
                    break;
            }

            if (_persistent.TryGetValue(serverPath, out var persistent))
            {
                result.UnionWith(persistent);
            }

            // Recursive watches fire for the node and every ancestor's watch, but never for
            // NodeChildrenChanged (the wire-protocol reference, §15.2).
            if (type != EventType.NodeChildrenChanged && _recursive.Count > 0)
            {
                for (var path = serverPath; ; path = PathUtils.GetParent(path))
                {
                    if (_recursive.TryGetValue(path, out var recursive))
                    {
                        result.UnionWith(recursive);
                    }

                    if (path == PathUtils.Root)
                    {
                        break;
                    }
                }
            }
        }

        return result;
    }

    /// <summary>Takes every watcher, for a connection event; clears the tables when the watches are gone for good.</summary>
    /// <param name="clear">Whether to drop every watch (expiry, close, auth failure).</param>
    /// <returns>The watchers, each once.</returns>
    public HashSet<IWatcher> MaterializeAll(bool clear)
    {
        var result = new HashSet<IWatcher>();
        lock (_lock)
        {
            foreach (var table in Tables())
            {
                foreach (var watchers in table.Values)
                {
                    result.UnionWith(watchers);
                }

                if (clear)
                {
                    table.Clear();
                }
            }
        }

        return result;
    }

    /// <summary>Gets whether no watch is registered.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_lock)
            {
                return _data.Count == 0 && _exist.Count == 0 && _child.Count == 0 && _persistent.Count == 0 && _recursive.Count == 0;
            }
        }
    }

    /// <summary>The paths to re-register with setWatches or setWatches2 after a reconnect.</summary>
    /// <returns>The server paths of each table.</returns>
    public WatchSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new WatchSnapshot([.. _data.Keys], [.. _exist.Keys], [.. _child.Keys], [.. _persistent.Keys], [.. _recursive.Keys]);
        }
    }

    /// <summary>Whether a watcher (or any, if <paramref name="watcher"/> is null) of the type is registered at the path.</summary>
    /// <param name="serverPath">The server path.</param>
    /// <param name="watcher">The watcher, or <see langword="null"/> for any.</param>
    /// <param name="type">The watch type.</param>
    /// <returns><see langword="true"/> if one is registered.</returns>
    public bool Contains(string serverPath, IWatcher? watcher, WatcherType type)
    {
        lock (_lock)
        {
            foreach (var (table, _) in TablesFor(type))
            {
                if (table.TryGetValue(serverPath, out var watchers) && (watcher is null || watchers.Contains(watcher)))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Whether any watcher is left at the path in the tables of <paramref name="type"/>.</summary>
    /// <param name="serverPath">The server path.</param>
    /// <param name="type">The watch type.</param>
    /// <returns><see langword="true"/> if one is left.</returns>
    public bool HasWatchers(string serverPath, WatcherType type) => Contains(serverPath, null, type);

    /// <summary>
    /// Removes a watcher (or all, if <paramref name="watcher"/> is null) of a type at a path, and
    /// says which events tell the removed watchers (DataWatchRemoved, ChildWatchRemoved,
    /// PersistentWatchRemoved).
    /// </summary>
    /// <param name="serverPath">The server path.</param>
    /// <param name="watcher">The watcher, or <see langword="null"/> for all.</param>
    /// <param name="type">The watch type.</param>
    /// <returns>The removed watchers by the event each gets; empty if none was registered.</returns>
    public List<(EventType Type, IWatcher Watcher)> Remove(string serverPath, IWatcher? watcher, WatcherType type)
    {
        var removed = new List<(EventType, IWatcher)>();
        lock (_lock)
        {
            foreach (var (table, eventType) in TablesFor(type))
            {
                if (!table.TryGetValue(serverPath, out var watchers))
                {
                    continue;
                }

                if (watcher is null)
                {
                    table.Remove(serverPath);
                    foreach (var w in watchers)
                    {
                        removed.Add((eventType, w));
                    }
                }
                else if (watchers.Remove(watcher))
                {
                    removed.Add((eventType, watcher));
                    if (watchers.Count == 0)
                    {
                        table.Remove(serverPath);
                    }
                }
            }
        }

        return removed;
    }

    private IEnumerable<Dictionary<string, HashSet<IWatcher>>> Tables() => [_data, _exist, _child, _persistent, _recursive];

    private List<(Dictionary<string, HashSet<IWatcher>> Table, EventType Removed)> TablesFor(WatcherType type) => type switch
    {
        WatcherType.Children => [(_child, EventType.ChildWatchRemoved)],
        WatcherType.Data => [(_data, EventType.DataWatchRemoved), (_exist, EventType.DataWatchRemoved)],
        WatcherType.Persistent => [(_persistent, EventType.PersistentWatchRemoved)],
        WatcherType.PersistentRecursive => [(_recursive, EventType.PersistentWatchRemoved)],
        _ =>
        [
            (_child, EventType.ChildWatchRemoved),
            (_data, EventType.DataWatchRemoved),
            (_exist, EventType.DataWatchRemoved),
            (_persistent, EventType.PersistentWatchRemoved),
            (_recursive, EventType.PersistentWatchRemoved),
        ],
    };

    private static void Add(Dictionary<string, HashSet<IWatcher>> table, string path, IWatcher watcher)
    {
        if (!table.TryGetValue(path, out var watchers))
        {
            watchers = [];
            table.Add(path, watchers);
        }

        watchers.Add(watcher);
    }

    private static void Take(Dictionary<string, HashSet<IWatcher>> table, string path, HashSet<IWatcher> result)
    {
        if (table.Remove(path, out var watchers))
        {
            result.UnionWith(watchers);
        }
    }
}

/// <summary>The server paths of each watch table.</summary>
/// <param name="Data">Data watches.</param>
/// <param name="Exist">Exists watches on missing nodes.</param>
/// <param name="Child">Child watches.</param>
/// <param name="Persistent">Persistent watches.</param>
/// <param name="PersistentRecursive">Persistent recursive watches.</param>
internal sealed record WatchSnapshot(
    IReadOnlyList<string> Data,
    IReadOnlyList<string> Exist,
    IReadOnlyList<string> Child,
    IReadOnlyList<string> Persistent,
    IReadOnlyList<string> PersistentRecursive)
{
    public bool IsEmpty => Data.Count == 0 && Exist.Count == 0 && Child.Count == 0 && Persistent.Count == 0 && PersistentRecursive.Count == 0;
}
