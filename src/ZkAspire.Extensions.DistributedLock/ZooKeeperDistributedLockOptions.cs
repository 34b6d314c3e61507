// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Recipes;

namespace ZkAspire.Extensions.DistributedLock;

/// <summary>Settings of the ZooKeeper locks, reader-writer locks and semaphores.</summary>
public sealed class ZooKeeperDistributedLockOptions
{
    /// <summary>The default <see cref="BasePath"/>.</summary>
    public const string DefaultBasePath = "/locks";

    /// <summary>
    /// Gets or sets the znode under which every name becomes a child (see
    /// <see cref="ZooKeeperLockNames.GetPath"/>). Use <c>/</c> for the paths DistributedLock's own
    /// ZooKeeper provider uses by default.
    /// </summary>
    /// <value>The default value is <c>/locks</c>.</value>
    public string BasePath { get; set; } = DefaultBasePath;

    /// <summary>
    /// Gets or sets when a held lock counts as lost, so that <c>HandleLostToken</c> fires: by default
    /// as soon as the connection is Suspended (Curator's standard policy — another session may get
    /// the lock once this one expires, and a Suspended client cannot tell), or only when the session
    /// is Lost (<see cref="ConnectionErrorPolicy.SessionOnly"/>).
    /// </summary>
    /// <value>The default value is <see cref="ConnectionErrorPolicy.Standard"/>.</value>
    public ConnectionErrorPolicy ErrorPolicy { get; set; } = ConnectionErrorPolicy.Standard;

    /// <summary>
    /// Gets or sets the service key of the <c>ZooKeeperClient</c> to use when registered through
    /// <c>AddZooKeeperDistributedLocks</c>: <see langword="null"/> for the unkeyed client, or the key of a client
    /// registered as a keyed service (such as the connection name a client integration registers it under).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ClientServiceKey { get; set; }

    /// <summary>Gets the recipe options these settings stand for.</summary>
    internal RecipeOptions ToRecipeOptions() => new() { ErrorPolicy = ErrorPolicy };
}
