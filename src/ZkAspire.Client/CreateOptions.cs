// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>How to create a node: its mode, ACL and TTL, and Curator's conveniences.</summary>
/// <remarks>
/// The presets (<see cref="Persistent"/>, <see cref="Ephemeral"/>, …) combine with <c>with</c>:
/// <c>CreateOptions.Ephemeral with { Parents = ParentCreation.Container }</c>.
/// </remarks>
public sealed record CreateOptions
{
    /// <summary>Gets a persistent node with the client's default ACL.</summary>
    public static CreateOptions Persistent { get; } = new();

    /// <summary>Gets an ephemeral node.</summary>
    public static CreateOptions Ephemeral { get; } = new() { Mode = CreateMode.Ephemeral };

    /// <summary>Gets a persistent sequential node.</summary>
    public static CreateOptions PersistentSequential { get; } = new() { Mode = CreateMode.PersistentSequential };

    /// <summary>Gets an ephemeral sequential node.</summary>
    public static CreateOptions EphemeralSequential { get; } = new() { Mode = CreateMode.EphemeralSequential };

    /// <summary>Gets a container node.</summary>
    public static CreateOptions Container { get; } = new() { Mode = CreateMode.Container };

    /// <summary>Gets or sets the node type.</summary>
    /// <value>The default value is <see cref="CreateMode.Persistent"/>.</value>
    public CreateMode Mode { get; init; } = CreateMode.Persistent;

    /// <summary>Gets or sets the ACL of the node.</summary>
    /// <value>The default value is <see langword="null"/>: the client's <see cref="ZooKeeperClientOptions.DefaultAcl"/>.</value>
    public IReadOnlyList<ACL>? Acl { get; init; }

    /// <summary>
    /// Gets or sets the time to live of a <see cref="CreateMode.PersistentWithTtl"/> or
    /// <see cref="CreateMode.PersistentSequentialWithTtl"/> node: the server deletes it when it has
    /// not been modified for this long and has no children. Requires a mode with a TTL, between 1 ms
    /// and 2^40−1 ms, and a server with <c>zookeeper.extendedTypesEnabled=true</c>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? Ttl { get; init; }

    /// <summary>Gets or sets what to do when the parent does not exist.</summary>
    /// <value>The default value is <see cref="ParentCreation.None"/>.</value>
    public ParentCreation Parents { get; init; }

    /// <summary>
    /// Gets or sets whether the missing parents get the node's <see cref="Acl"/> (otherwise the
    /// client's <see cref="ZooKeeperClientOptions.DefaultAcl"/>), like Curator's
    /// <c>withACL(acl, applyToParents)</c>.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool ApplyAclToParents { get; init; }

    /// <summary>
    /// Gets or sets Curator's protected mode: the node's name is prefixed with <c>_c_{guid}-</c>, and
    /// when the connection is lost after the request was sent, the client looks for its node among
    /// the parent's children before trying again, so a create whose reply was lost is never done
    /// twice. For an ephemeral node, a node found from an earlier session is deleted and the create
    /// is made again (CURATOR-498). This makes creates, sequential ones included, safe to retry.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Protected { get; init; }
}
