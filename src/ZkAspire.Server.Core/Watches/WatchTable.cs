// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// One of the two watch tables, data or child (ZooKeeper's <c>WatchManager</c>): path → connection →
/// modes, with the reverse index needed to drop a connection's watches when it closes.
/// </summary>
internal sealed class WatchTable
{
    private const int MaxSpares = 1024;
    private const int MaxSpareCapacity = 16;
    private const int MaxLargeSpareCapacity = 4096;

    private readonly Dictionary<string, Dictionary<ServerConnection, WatcherModes>> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<ServerConnection, HashSet<string>> _byConnection = [];

    // One-shot watches come and go on every change of a watched znode: the per-path tables and
    // per-connection sets they empty are kept for the next registration rather than reallocated.
    private readonly Stack<Dictionary<ServerConnection, WatcherModes>> _spareWatcherTables = new();
    private readonly Stack<HashSet<string>> _sparePathSets = new();
    private readonly List<ServerConnection> _consumed = [];

    // The large table of the last path that many one-shot watches emptied: kept for that path,
    // whose watchers usually come back (every client re-reads a changed config node, say).
    private string? _largeSparePath;
    private Dictionary<ServerConnection, WatcherModes>? _largeSpare;
    private int _recursiveCount;

    /// <summary>Gets the number of (path, connection) registrations.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the number of watched paths.</summary>
    public int PathCount => _byPath.Count;

    /// <summary>Gets the number of connections holding a watch.</summary>
    public int ConnectionCount => _byConnection.Count;

    /// <summary>Adds a mode for a connection on a path.</summary>
    /// <param name="path">The path.</param>
    /// <param name="connection">The connection.</param>
    /// <param name="mode">The mode.</param>
    /// <returns><see langword="true"/> if the connection did not hold that mode yet.</returns>
    public bool Add(string path, ServerConnection connection, WatcherModes mode)
    {
        if (!_byPath.TryGetValue(path, out var watchers))
        {
            // Few watchers per path is the norm.
            watchers = TakeWatcherTable(path);
            _byPath.Add(path, watchers);
        }

        watchers.TryGetValue(connection, out var old);
        if ((old & mode) == mode)
        {
            return false;
        }

        if (old == WatcherModes.None)
        {
            Count++;
            if (!_byConnection.TryGetValue(connection, out var paths))
            {
                paths = _sparePathSets.TryPop(out var spare) ? spare : new HashSet<string>(StringComparer.Ordinal);
                _byConnection.Add(connection, paths);
            }

            paths.Add(path);
        }

        watchers[connection] = old | mode;
        if ((mode & WatcherModes.PersistentRecursive) != 0)
        {
            _recursiveCount++;
        }

        return true;
    }

    /// <summary>Whether a connection holds a mode (any mode when <paramref name="mode"/> is None) on a path.</summary>
    /// <param name="path">The path.</param>
    /// <param name="connection">The connection.</param>
    /// <param name="mode">The mode, or <see cref="WatcherModes.None"/> for any.</param>
    /// <returns><see langword="true"/> if it does.</returns>
    public bool Contains(string path, ServerConnection connection, WatcherModes mode) =>
        _byPath.TryGetValue(path, out var watchers)
        && watchers.TryGetValue(connection, out var modes)
        && (mode == WatcherModes.None ? modes != WatcherModes.None : (modes & mode) != 0);

    /// <summary>Removes a mode (every mode when <paramref name="mode"/> is None) of a connection on a path.</summary>
    /// <param name="path">The path.</param>
    /// <param name="connection">The connection.</param>
    /// <param name="mode">The mode, or <see cref="WatcherModes.None"/> for all.</param>
    /// <returns><see langword="true"/> if something was removed.</returns>
    public bool Remove(string path, ServerConnection connection, WatcherModes mode)
    {
        if (!_byPath.TryGetValue(path, out var watchers) || !watchers.TryGetValue(connection, out var old))
        {
            return false;
        }

        var remaining = mode == WatcherModes.None ? WatcherModes.None : old & ~mode;
        if (remaining == old)
        {
            return false;
        }

        SetModes(path, watchers, connection, old, remaining);
        return true;
    }

    /// <summary>Drops every watch of a connection.</summary>
    /// <param name="connection">The connection.</param>
    public void RemoveConnection(ServerConnection connection)
    {
        if (!_byConnection.Remove(connection, out var paths))
        {
            return;
        }

        foreach (var path in paths)
        {
            if (_byPath.TryGetValue(path, out var watchers) && watchers.Remove(connection, out var modes))
            {
                Count--;
                if ((modes & WatcherModes.PersistentRecursive) != 0)
                {
                    _recursiveCount--;
                }

                if (watchers.Count == 0)
                {
                    _byPath.Remove(path);
                    Recycle(path, watchers);
                }
            }
        }

        paths.Clear();
        Recycle(paths);
    }

    /// <summary>
    /// Collects who an event on a path reaches (<c>WatchManager.triggerWatch</c>): every
    /// registration on the path itself, whose one-shot mode is consumed, and the recursive ones on
    /// its ancestors, which are not (wire-protocol doc §15.2).
    /// </summary>
    /// <param name="path">The node's path.</param>
    /// <param name="watchers">Receives the connections; a set, so each appears once.</param>
    public void Collect(string path, HashSet<ServerConnection> watchers)
    {
        if (_byPath.TryGetValue(path, out var atPath))
        {
            var consumed = _consumed;
            consumed.Clear();
            foreach (var (connection, modes) in atPath)
            {
                watchers.Add(connection);
                if ((modes & WatcherModes.Standard) != 0)
                {
                    consumed.Add(connection);
                }
            }

            foreach (var connection in consumed)
            {
                var old = atPath[connection];
                SetModes(path, atPath, connection, old, old & ~WatcherModes.Standard);
            }

            consumed.Clear();
        }

        if (_recursiveCount == 0)
        {
            return;
        }

        for (var parent = ParentOf(path); parent is not null; parent = ParentOf(parent))
        {
            if (_byPath.TryGetValue(parent, out var atParent))
            {
                foreach (var (connection, modes) in atParent)
                {
                    if ((modes & WatcherModes.PersistentRecursive) != 0)
                    {
                        watchers.Add(connection);
                    }
                }
            }
        }
    }

    /// <summary>Every registration, for the watch dump commands.</summary>
    /// <returns>(path, connection, modes) triples.</returns>
    public IEnumerable<(string Path, ServerConnection Connection, WatcherModes Modes)> All()
    {
        foreach (var (path, watchers) in _byPath)
        {
            foreach (var (connection, modes) in watchers)
            {
                yield return (path, connection, modes);
            }
        }
    }

    private static string? ParentOf(string path)
    {
        if (path == PathUtils.Root)
        {
            return null;
        }

        var slash = path.LastIndexOf('/');
        return slash switch
        {
            < 0 => null,
            0 => PathUtils.Root,
            _ => path[..slash],
        };
    }

    private void SetModes(string path, Dictionary<ServerConnection, WatcherModes> watchers, ServerConnection connection, WatcherModes old, WatcherModes remaining)
    {
        if ((old & WatcherModes.PersistentRecursive) != 0 && (remaining & WatcherModes.PersistentRecursive) == 0)
        {
            _recursiveCount--;
        }

        if (remaining != WatcherModes.None)
        {
            watchers[connection] = remaining;
            return;
        }

        watchers.Remove(connection);
        Count--;
        if (watchers.Count == 0)
        {
            _byPath.Remove(path);
            Recycle(path, watchers);
        }

        if (_byConnection.TryGetValue(connection, out var paths))
        {
            paths.Remove(path);
            if (paths.Count == 0)
            {
                _byConnection.Remove(connection);
                Recycle(paths);
            }
        }
    }

    // Only small, empty tables are kept, and only as many as a burst of one-shot watches needs:
    // a table that once held thousands of watchers goes back to the collector.
    private void Recycle(string path, Dictionary<ServerConnection, WatcherModes> watchers)
    {
        var capacity = watchers.EnsureCapacity(0);
        if (watchers.Count != 0)
        {
            return;
        }

        if (capacity <= MaxSpareCapacity)
        {
            if (_spareWatcherTables.Count < MaxSpares)
            {
                _spareWatcherTables.Push(watchers);
            }
        }
        else if (capacity <= MaxLargeSpareCapacity)
        {
            _largeSparePath = path;
            _largeSpare = watchers;
        }
    }

    private Dictionary<ServerConnection, WatcherModes> TakeWatcherTable(string path)
    {
        if (_largeSpare is { } large && string.Equals(path, _largeSparePath, StringComparison.Ordinal))
        {
            _largeSpare = null;
            _largeSparePath = null;
            return large;
        }

        return _spareWatcherTables.TryPop(out var spare) ? spare : new Dictionary<ServerConnection, WatcherModes>(1);
    }

    private void Recycle(HashSet<string> paths)
    {
        if (_sparePathSets.Count < MaxSpares && paths.Count == 0 && paths.EnsureCapacity(0) <= MaxSpareCapacity)
        {
            _sparePathSets.Push(paths);
        }
    }
}
