// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Medallion.Threading;
using ZkAspire.Client;
using ZkAspire.Extensions.DistributedLock.Internal;
using ZkAspire.Recipes.Locks;

namespace ZkAspire.Extensions.DistributedLock;

/// <summary>
/// A held lock, read or write lock, or semaphore ticket. Dispose it to release; disposing twice is
/// harmless.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="HandleLostToken"/> is cancelled when the hold may be over before the handle was
/// disposed: the session expired or was closed, the connection was Suspended (by default; see
/// <see cref="ZooKeeperDistributedLockOptions.ErrorPolicy"/>), or the node was deleted by someone
/// else. It costs no polling: it follows the client's connection events and a watch on the node.
/// </para>
/// <para>
/// A ZooKeeper lock cannot stop a holder that paused (a GC pause, a stalled VM) from acting after
/// its session expired and another process took the lock. Guard writes with
/// <see cref="FencingToken"/> or <see cref="CreateGuardedTransaction"/>
/// (<c>docs/recipes/locks.md</c>).
/// </para>
/// </remarks>
public sealed class ZooKeeperDistributedLockHandle : IDistributedSynchronizationHandle
{
    private ILockHandle? _inner;

    internal ZooKeeperDistributedLockHandle(ILockHandle inner)
    {
        _inner = inner;
        FencingToken = inner.FencingToken;
        NodePath = inner is LockHandle concrete ? concrete.NodePath : string.Empty;
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The handle was disposed (as DistributedLock's handles).</exception>
    public CancellationToken HandleLostToken => (Volatile.Read(ref _inner) ?? throw new ObjectDisposedException(nameof(ZooKeeperDistributedLockHandle))).HandleLost;

    /// <summary>
    /// Gets the fencing token: the czxid of the node that holds the lock or ticket — the zxid of the
    /// transaction that created it.
    /// </summary>
    /// <remarks>
    /// The czxid and not the node's sequence number, because zxids grow across the whole ensemble
    /// and never repeat, while a sequence number is a per-parent 32-bit counter: it starts again
    /// when the lock's container node is deleted and created again (containers go once empty,
    /// ZOOKEEPER-2163), and it wraps (anchors pitfall 4). A holder that got the lock after another
    /// has a larger czxid, because its node was created after the other's was.
    /// </remarks>
    public long FencingToken { get; }

    /// <summary>Gets the path of the node that holds the lock or ticket.</summary>
    public string NodePath { get; }

    /// <summary>
    /// Starts a transaction that commits only while this hold exists: it begins with a check of the
    /// holding node. Add the guarded writes and commit; a <see cref="NoNodeException"/> from the
    /// check means the hold was lost and nothing was written.
    /// </summary>
    /// <returns>The transaction.</returns>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    public Transaction CreateGuardedTransaction() =>
        (Volatile.Read(ref _inner) ?? throw new ObjectDisposedException(nameof(ZooKeeperDistributedLockHandle))).CreateGuardedTransaction();

    /// <summary>Releases, blocking until the node is deleted (or the client took the delete over).</summary>
    public void Dispose() => Acquisition.Run(DisposeAsync());

    /// <summary>Releases: deletes the holding node; a delete the connection prevented goes on in the background.</summary>
    /// <returns>A task that completes when released.</returns>
    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _inner, null)?.DisposeAsync() ?? default;
}
