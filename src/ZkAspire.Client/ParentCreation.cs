// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>What a create does when the parent of the node does not exist.</summary>
public enum ParentCreation
{
    /// <summary>Nothing: the create fails with <see cref="NoNodeException"/>.</summary>
    None,

    /// <summary>Creates the missing parents as persistent nodes (Curator's <c>creatingParentsIfNeeded</c>).</summary>
    Persistent,

    /// <summary>
    /// Creates the missing parents as containers, which the server deletes after their last child
    /// goes (Curator's <c>creatingParentContainersIfNeeded</c>).
    /// </summary>
    Container,
}
