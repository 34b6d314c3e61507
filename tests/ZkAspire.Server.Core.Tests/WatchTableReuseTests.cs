// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// The watch table keeps the per-path and per-connection tables that fired one-shot watches
/// empty, for the next registrations: a reused table must start empty and belong to its new path
/// and connection only.
/// </summary>
public sealed class WatchTableReuseTests
{
    private readonly ServerConnection _a = new(1, "127.0.0.1");
    private readonly ServerConnection _b = new(2, "127.0.0.1");
    private readonly WatchTable _table = new();

    [Fact]
    public void Tables_emptied_by_fired_watches_serve_later_registrations_without_mixing_them()
    {
        _table.Add("/x", _a, WatcherModes.Standard);
        Assert.Equal([_a], Collect("/x"));
        Assert.Equal(0, _table.Count);
        Assert.Equal(0, _table.PathCount);
        Assert.Equal(0, _table.ConnectionCount);

        // The emptied tables come back for other paths and connections.
        _table.Add("/y", _b, WatcherModes.Standard);
        _table.Add("/z", _a, WatcherModes.Standard);
        Assert.Empty(Collect("/x"));
        Assert.Equal([_b], Collect("/y"));
        Assert.Equal([_a], Collect("/z"));
        Assert.Empty(Collect("/y"));
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void Tables_of_a_closed_connection_are_reused_empty()
    {
        _table.Add("/x", _a, WatcherModes.Standard);
        _table.Add("/y", _a, WatcherModes.Persistent);
        _table.RemoveConnection(_a);
        Assert.Equal(0, _table.Count);
        Assert.Equal(0, _table.PathCount);

        _table.Add("/w", _b, WatcherModes.Standard);
        Assert.False(_table.Contains("/x", _b, WatcherModes.None));
        Assert.False(_table.Contains("/y", _b, WatcherModes.None));
        Assert.Equal([("/w", _b, WatcherModes.Standard)], _table.All());

        // Removing b's only watch leaves nothing of a's behind in b's reverse index.
        _table.RemoveConnection(_b);
        Assert.Equal(0, _table.ConnectionCount);
        Assert.Empty(_table.All());
    }

    [Fact]
    public void A_persistent_watch_beside_fired_one_shot_watches_stays()
    {
        _table.Add("/x", _a, WatcherModes.Standard);
        _table.Add("/x", _b, WatcherModes.Persistent);
        Assert.Equal([_a, _b], Collect("/x").OrderBy(c => c.Id));
        Assert.Equal([_b], Collect("/x"));
        Assert.Equal([_b], Collect("/x"));
    }

    [Fact]
    public void The_large_table_of_a_path_many_watchers_emptied_serves_that_path_again_empty()
    {
        var many = Enumerable.Range(10, 40).Select(i => new ServerConnection(i, "127.0.0.1")).ToList();
        foreach (var connection in many)
        {
            _table.Add("/hot", connection, WatcherModes.Standard);
        }

        Assert.Equal(many, Collect("/hot").OrderBy(c => c.Id));

        // Another path does not get it; the same path gets it back, empty.
        _table.Add("/cold", _a, WatcherModes.Standard);
        _table.Add("/hot", _b, WatcherModes.Standard);
        Assert.Equal([_b], Collect("/hot"));
        Assert.Equal([_a], Collect("/cold"));
        Assert.Equal(0, _table.Count);
    }

    private List<ServerConnection> Collect(string path)
    {
        var watchers = new HashSet<ServerConnection>();
        _table.Collect(path, watchers);
        return [.. watchers];
    }
}
