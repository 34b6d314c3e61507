// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>The tree walks of zkCli's <c>ZKUtil</c>, used by <c>ls -R</c>, <c>setAcl -R</c> and <c>deleteall</c>.</summary>
internal static class Subtree
{
    /// <summary>
    /// <c>ZKUtil.visitSubTreeDFS</c>: reads the node (so a missing one fails with NoNode), visits
    /// it, then visits its children depth first, pre-order, each level's children in sorted order
    /// and listed before any of them is descended into. A node that vanishes meanwhile is skipped.
    /// </summary>
    /// <param name="context">The shell.</param>
    /// <param name="path">The root.</param>
    /// <param name="watch">Whether to leave the default watcher on the root's data and every node's children.</param>
    /// <param name="visit">Called with each path.</param>
    /// <returns>A task that completes when the walk is done.</returns>
    /// <exception cref="KeeperException">Reading the root, or listing a node, failed.</exception>
    public static async Task VisitDepthFirstAsync(ShellContext context, string path, bool watch, Func<string, Task> visit)
    {
        await context.Connection.CallAsync(path, ct => watch
            ? context.Client.GetDataAsync(path, context.Watcher, ct)
            : context.Client.GetDataAsync(path, ct)).ConfigureAwait(false);
        await visit(path).ConfigureAwait(false);
        await VisitChildrenAsync(context, path, watch, visit).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>ZKUtil.listSubTreeBFS</c>: the root and every descendant, breadth first, children in the
    /// server's order.
    /// </summary>
    /// <exception cref="KeeperException">Listing a node failed (NoNode included).</exception>
    public static async Task<List<string>> ListBreadthFirstAsync(ShellContext context, string root)
    {
        var queue = new Queue<string>();
        var tree = new List<string> { root };
        queue.Enqueue(root);
        while (queue.TryDequeue(out var node))
        {
            var children = await context.Connection.CallAsync(node, ct => context.Client.GetChildrenAsync(node, ct)).ConfigureAwait(false);
            foreach (var child in children)
            {
                var childPath = PathUtils.Combine(node, child);
                queue.Enqueue(childPath);
                tree.Add(childPath);
            }
        }

        return tree;
    }

    private static async Task VisitChildrenAsync(ShellContext context, string path, bool watch, Func<string, Task> visit)
    {
        IReadOnlyList<string> listed;
        try
        {
            listed = await context.Connection.CallAsync(path, ct => watch
                ? context.Client.GetChildrenAsync(path, context.Watcher, ct)
                : context.Client.GetChildrenAsync(path, ct)).ConfigureAwait(false);
        }
        catch (KeeperException e) when (e.Code == KeeperErrorCode.NoNode)
        {
            // Listed by the parent, deleted before we got to it.
            return;
        }

        var children = listed.ToList();
        children.Sort(StringComparer.Ordinal);
        foreach (var child in children)
        {
            await visit(PathUtils.Combine(path, child)).ConfigureAwait(false);
        }

        foreach (var child in children)
        {
            await VisitChildrenAsync(context, PathUtils.Combine(path, child), watch, visit).ConfigureAwait(false);
        }
    }
}
