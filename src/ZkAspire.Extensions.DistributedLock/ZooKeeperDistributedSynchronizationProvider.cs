// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Medallion.Threading;
using ZkAspire.Client;

namespace ZkAspire.Extensions.DistributedLock;

/// <summary>
/// Creates ZooKeeper locks, reader-writer locks and semaphores by name, over one client
/// (DistributedLock's provider interfaces, for dependency injection).
/// </summary>
/// <remarks>
/// Every primitive uses the client's session, so they all share one ZooKeeper session, as
/// DistributedLock's ZooKeeper provider shares pooled sessions ("the creation and closing of
/// sessions are costly", ZooKeeper programmer's guide). A name maps to the same znode for all three
/// kinds: use each name for one kind only.
/// </remarks>
public sealed class ZooKeeperDistributedSynchronizationProvider : IDistributedLockProvider, IDistributedReaderWriterLockProvider, IDistributedSemaphoreProvider
{
    private readonly ZooKeeperClient _client;
    private readonly ZooKeeperDistributedLockOptions _options;

    /// <summary>Creates a provider.</summary>
    /// <param name="client">The client.</param>
    /// <param name="options">The base path and error policy (copied); the defaults when <see langword="null"/>.</param>
    public ZooKeeperDistributedSynchronizationProvider(ZooKeeperClient client, ZooKeeperDistributedLockOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new ZooKeeperDistributedLockOptions();
        _client = client;
        _options = new ZooKeeperDistributedLockOptions
        {
            BasePath = ZooKeeperLockNames.ValidateBasePath(options.BasePath, nameof(options)),
            ErrorPolicy = options.ErrorPolicy ?? throw new ArgumentException("The error policy is required.", nameof(options)),
            ClientServiceKey = options.ClientServiceKey,
        };
    }

    /// <summary>Gets the znode under which names are mapped.</summary>
    public string BasePath => _options.BasePath;

    /// <summary>Creates a lock.</summary>
    /// <param name="name">The name (any string; see <see cref="ZooKeeperLockNames"/>).</param>
    /// <returns>The lock.</returns>
    public ZooKeeperDistributedLock CreateLock(string name) => new(_client, name, _options);

    /// <summary>Creates a reader-writer lock.</summary>
    /// <param name="name">The name (any string; see <see cref="ZooKeeperLockNames"/>).</param>
    /// <returns>The lock.</returns>
    public ZooKeeperDistributedReaderWriterLock CreateReaderWriterLock(string name) => new(_client, name, _options);

    /// <summary>Creates a semaphore.</summary>
    /// <param name="name">The name (any string; see <see cref="ZooKeeperLockNames"/>).</param>
    /// <param name="maxCount">How many tickets may be held at once; every process must use the same number.</param>
    /// <returns>The semaphore.</returns>
    public ZooKeeperDistributedSemaphore CreateSemaphore(string name, int maxCount) => new(_client, name, maxCount, _options);

    IDistributedLock IDistributedLockProvider.CreateLock(string name) => CreateLock(name);

    IDistributedReaderWriterLock IDistributedReaderWriterLockProvider.CreateReaderWriterLock(string name) => CreateReaderWriterLock(name);

    IDistributedSemaphore IDistributedSemaphoreProvider.CreateSemaphore(string name, int maxCount) => CreateSemaphore(name, maxCount);
}
