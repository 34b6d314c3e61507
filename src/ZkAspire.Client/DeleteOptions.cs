// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>How to delete a node, with Curator's conveniences.</summary>
public sealed record DeleteOptions
{
    /// <summary>Gets or sets the expected version, or −1 for any.</summary>
    /// <value>The default value is −1.</value>
    public int Version { get; init; } = -1;

    /// <summary>
    /// Gets or sets whether the node's descendants are deleted first (Curator's
    /// <c>deletingChildrenIfNeeded</c>). Children that vanish meanwhile are ignored; children added
    /// meanwhile are deleted too, a bounded number of rounds.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DeleteChildren { get; init; }

    /// <summary>
    /// Gets or sets Curator's guaranteed delete: when the delete fails with a connection problem,
    /// the exception is still thrown, but the client keeps retrying the delete in the background —
    /// across reconnects and new sessions — until it succeeds, the node is gone, or the client is
    /// disposed. Use it to remove lock nodes and other nodes that must not be left behind.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Guaranteed { get; init; }
}
