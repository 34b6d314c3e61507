// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;

namespace ZkAspire.Recipes.Locks;

/// <summary>
/// A mutex that is not reentrant (Curator's <c>InterProcessSemaphoreMutex</c>): a semaphore of one
/// lease, with its layout (<c>{path}/locks</c> and <c>{path}/leases</c>). A flow that asks twice
/// waits for itself, until its timeout.
/// </summary>
public sealed class InterProcessSemaphoreMutex : IInterProcessLock
{
    private readonly InterProcessSemaphoreV2 _semaphore;

    /// <summary>Creates the mutex.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The lock's path.</param>
    /// <param name="options">The error policy and clock.</param>
    public InterProcessSemaphoreMutex(ZooKeeperClient client, string path, RecipeOptions? options = null)
    {
        _semaphore = new InterProcessSemaphoreV2(client, path, 1, nodeData: null, options);
    }

    /// <inheritdoc/>
    public string Path => _semaphore.Path;

    /// <inheritdoc/>
    public async Task<ILockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        await _semaphore.TryAcquireAsync(timeout, cancellationToken).ConfigureAwait(false);
}
