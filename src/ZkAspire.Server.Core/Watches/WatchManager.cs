// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Core;

/// <summary>
/// The server's watches (ZooKeeper's pair of <c>WatchManager</c>s in <c>DataTree</c>): a data table
/// (getData, exists, persistent, persistent recursive) and a child table (getChildren, persistent),
/// keyed by connection. It turns the data tree's <see cref="WatchTrigger"/>s into deliveries,
/// following the trigger table of wire-protocol doc §15.2.
/// </summary>
internal sealed class WatchManager
{
    private readonly WatchTable _dataWatches = new();
    private readonly WatchTable _childWatches = new();
    private readonly HashSet<ServerConnection> _scratch = [];
    private readonly HashSet<ServerConnection> _suppressed = [];

    /// <summary>Gets the data table.</summary>
    public WatchTable DataWatches => _dataWatches;

    /// <summary>Gets the child table.</summary>
    public WatchTable ChildWatches => _childWatches;

    /// <summary>Gets the registrations of both tables (<c>DataTree.getWatchCount</c>, mntr's zk_watch_count).</summary>
    public int Count => _dataWatches.Count + _childWatches.Count;

    /// <summary>Leaves a one-shot data watch (getData, exists).</summary>
    /// <param name="path">The path.</param>
    /// <param name="connection">The connection.</param>
    public void AddDataWatch(string path, ServerConnection connection) => _dataWatches.Add(path, connection, WatcherModes.Standard);

    /// <summary>Leaves a one-shot child watch (getChildren).</summary>
    /// <param name="path">The path.</param>
    /// <param name="connection">The connection.</param>
    public void AddChildWatch(string path, ServerConnection connection) => _childWatches.Add(path, connection, WatcherModes.Standard);

    /// <summary>
    /// Adds a persistent watch (both tables) or a persistent recursive one (data table only)
    /// (<c>DataTree.addWatch</c>).
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="connection">The connection.</param>
    /// <param name="recursive">Whether the watch covers descendants.</param>
    public void AddPersistentWatch(string path, ServerConnection connection, bool recursive)
    {
        if (recursive)
        {
            _dataWatches.Add(path, connection, WatcherModes.PersistentRecursive);
            return;
        }

        _dataWatches.Add(path, connection, WatcherModes.Persistent);
        _childWatches.Add(path, connection, WatcherModes.Persistent);
    }

    /// <summary>Whether a connection holds a watch of a type on a path (checkWatches; 3.9 semantics).</summary>
    /// <param name="path">The path.</param>
    /// <param name="type">The watcher type.</param>
    /// <param name="connection">The connection.</param>
    /// <returns><see langword="true"/> if it does.</returns>
    public bool Contains(string path, WatcherType type, ServerConnection connection) => type switch
    {
        WatcherType.Children => _childWatches.Contains(path, connection, WatcherModes.Standard),
        WatcherType.Data => _dataWatches.Contains(path, connection, WatcherModes.Standard),
        WatcherType.Persistent => _dataWatches.Contains(path, connection, WatcherModes.Persistent),
        WatcherType.PersistentRecursive => _dataWatches.Contains(path, connection, WatcherModes.PersistentRecursive),
        WatcherType.Any => _childWatches.Contains(path, connection, WatcherModes.None) || _dataWatches.Contains(path, connection, WatcherModes.None),
        _ => false,
    };

    /// <summary>Removes a connection's watches of a type on a path (removeWatches; 3.9 semantics).</summary>
    /// <param name="path">The path.</param>
    /// <param name="type">The watcher type.</param>
    /// <param name="connection">The connection.</param>
    /// <returns><see langword="true"/> if anything was removed.</returns>
    public bool Remove(string path, WatcherType type, ServerConnection connection)
    {
        switch (type)
        {
            case WatcherType.Children:
                return _childWatches.Remove(path, connection, WatcherModes.Standard);
            case WatcherType.Data:
                return _dataWatches.Remove(path, connection, WatcherModes.Standard);
            case WatcherType.Persistent:
                var fromChild = _childWatches.Remove(path, connection, WatcherModes.Persistent);
                return _dataWatches.Remove(path, connection, WatcherModes.Persistent) | fromChild;
            case WatcherType.PersistentRecursive:
                return _dataWatches.Remove(path, connection, WatcherModes.PersistentRecursive);
            case WatcherType.Any:
                var anyChild = _childWatches.Remove(path, connection, WatcherModes.None);
                return _dataWatches.Remove(path, connection, WatcherModes.None) | anyChild;
            default:
                return false;
        }
    }

    /// <summary>Drops every watch of a closed connection.</summary>
    /// <param name="connection">The connection.</param>
    public void RemoveConnection(ServerConnection connection)
    {
        _dataWatches.RemoveConnection(connection);
        _childWatches.RemoveConnection(connection);
    }

    /// <summary>
    /// Fires the watches a change reaches and delivers one event per connection: NodeCreated and
    /// NodeDataChanged from the data table, NodeChildrenChanged from the child table, NodeDeleted
    /// from both with connections already told by the data table skipped in the child table.
    /// </summary>
    /// <param name="trigger">The change.</param>
    /// <param name="sink">Where events go.</param>
    public void Trigger(in WatchTrigger trigger, IWatchEventSink sink)
    {
        _scratch.Clear();
        switch (trigger.Type)
        {
            case EventType.NodeCreated or EventType.NodeDataChanged:
                _dataWatches.Collect(trigger.Path, _scratch);
                Deliver(trigger, _scratch, null, sink);
                break;
            case EventType.NodeChildrenChanged:
                _childWatches.Collect(trigger.Path, _scratch);
                Deliver(trigger, _scratch, null, sink);
                break;
            case EventType.NodeDeleted:
                _dataWatches.Collect(trigger.Path, _scratch);
                Deliver(trigger, _scratch, null, sink);

                // The child table's one-shot watches are consumed even for connections already told.
                _suppressed.Clear();
                _suppressed.UnionWith(_scratch);
                _scratch.Clear();
                _childWatches.Collect(trigger.Path, _scratch);
                Deliver(trigger, _scratch, _suppressed, sink);
                break;
            default:
                break;
        }
    }

    private static void Deliver(in WatchTrigger trigger, HashSet<ServerConnection> watchers, HashSet<ServerConnection>? suppressed, IWatchEventSink sink)
    {
        WatcherEvent? watcherEvent = null;
        foreach (var connection in watchers)
        {
            if (suppressed?.Contains(connection) == true)
            {
                continue;
            }

            // One immutable event record is shared by every connection told about this change.
            watcherEvent ??= new WatcherEvent(trigger.Type, KeeperState.SyncConnected, trigger.Path);
            sink.Deliver(connection, watcherEvent, trigger.Zxid, trigger.Acl);
        }
    }
}
