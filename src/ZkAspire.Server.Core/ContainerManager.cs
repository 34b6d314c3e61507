// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>
/// Finds containers and TTL nodes due for deletion (ZooKeeper's <c>ContainerManager</c>), every
/// <c>znode.container.checkIntervalMs</c>: a container with no children that has had one, and a
/// TTL node with no children left unmodified for longer than its TTL (wire-protocol doc §9).
/// </summary>
internal sealed class ContainerManager
{
    private readonly DataTree _tree;
    private readonly long _intervalMs;
    private long _nextCheckMs = long.MinValue;

    /// <summary>Creates the manager.</summary>
    /// <param name="tree">The data tree.</param>
    /// <param name="intervalMs">The check interval.</param>
    public ContainerManager(DataTree tree, long intervalMs)
    {
        _tree = tree;
        _intervalMs = Math.Max(1, intervalMs);
    }

    /// <summary>Starts the check clock (ZooKeeper's timer first fires one interval after start).</summary>
    /// <param name="nowMs">The current time.</param>
    public void Start(long nowMs)
    {
        if (_nextCheckMs == long.MinValue)
        {
            _nextCheckMs = nowMs + _intervalMs;
        }
    }

    /// <summary>Collects the candidates if a check is due.</summary>
    /// <param name="nowMs">The current time.</param>
    /// <param name="candidates">Receives the paths to delete.</param>
    /// <returns><see langword="true"/> if a check ran.</returns>
    public bool CheckIfDue(long nowMs, List<string> candidates)
    {
        Start(nowMs);
        if (nowMs < _nextCheckMs)
        {
            return false;
        }

        // A fixed-rate timer that fell behind runs once, not once per missed interval.
        _nextCheckMs = nowMs + _intervalMs;
        GetCandidates(nowMs, candidates);
        return true;
    }

    /// <summary>The nodes due for deletion now (<c>getCandidates</c>).</summary>
    /// <param name="nowMs">The current time.</param>
    /// <param name="candidates">Receives the paths.</param>
    public void GetCandidates(long nowMs, List<string> candidates)
    {
        foreach (var path in _tree.Containers)
        {
            // The child counter keeps a container that never had a child from vanishing at the
            // first check after its creation.
            if (_tree.GetNode(path) is { ChildCount: 0 } node && node.Stat.Cversion > 0)
            {
                candidates.Add(path);
            }
        }

        foreach (var path in _tree.Ttls)
        {
            if (_tree.GetNode(path) is { ChildCount: 0 } node)
            {
                var ttl = EphemeralOwners.TtlOf(node.Stat.EphemeralOwner);
                if (ttl != 0 && nowMs - node.Stat.Mtime > ttl)
                {
                    candidates.Add(path);
                }
            }
        }
    }
}
