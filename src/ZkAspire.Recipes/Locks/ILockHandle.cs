// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;

namespace ZkAspire.Recipes.Locks;

/// <summary>
/// A held lock or lease. Dispose it to release (disposing twice is harmless). A lock in ZooKeeper
/// is only as safe as the writes it guards: use <see cref="HandleLost"/> to stop work, and the
/// <see cref="FencingToken"/> or <see cref="CreateGuardedTransaction"/> to make the writes
/// themselves refuse a holder that lost the lock (pitfall 1: a paused holder and a new holder can
/// both believe they hold it).
/// </summary>
public interface ILockHandle : IAsyncDisposable
{
    /// <summary>
    /// Gets a token that is cancelled when the lock may no longer be held: the connection was
    /// Suspended longer than the error policy allows, the session was Lost, or the lock node was
    /// deleted. It stays cancelled. Releasing the handle does not cancel it.
    /// </summary>
    CancellationToken HandleLost { get; }

    /// <summary>
    /// Gets a fencing token: the czxid of the lock node, which grows from one holder to the next
    /// (a later holder's node was created later). Send it with every write to a resource that
    /// remembers the largest token it has seen and refuses smaller ones.
    /// </summary>
    long FencingToken { get; }

    /// <summary>Gets whether the handle was released.</summary>
    bool IsReleased { get; }

    /// <summary>
    /// Starts a transaction that commits only while the lock is held: it begins with a check on
    /// the lock node(s), which exist exactly as long as the lock is held. Add the guarded writes
    /// and commit; a <see cref="NoNodeException"/> from the check means the lock was lost and
    /// nothing was written.
    /// </summary>
    /// <returns>The transaction, with the checks added.</returns>
    /// <exception cref="ObjectDisposedException">The handle was released.</exception>
    Transaction CreateGuardedTransaction();
}
