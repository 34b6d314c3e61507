// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;

namespace ZkAspire.Recipes.Locks;

/// <summary>A held lock node or semaphore lease; dispose it to release.</summary>
public sealed class LockHandle : ILockHandle
{
    private int _released;

    internal LockHandle(LockHold hold)
    {
        Hold = hold;
    }

    /// <summary>Gets the path of the node that holds the lock or lease.</summary>
    public string NodePath => Hold.Node.Path;

    /// <inheritdoc/>
    public CancellationToken HandleLost => Hold.Monitor.Token;

    /// <summary>Gets why the lock counts as lost (for diagnostics), once <see cref="HandleLost"/> is cancelled.</summary>
    public string? LostReason => Hold.Monitor.LostReason;

    /// <inheritdoc/>
    public long FencingToken => Hold.Node.Stat.Czxid;

    /// <inheritdoc/>
    public bool IsReleased => Volatile.Read(ref _released) != 0;

    internal LockHold Hold { get; }

    /// <inheritdoc/>
    public Transaction CreateGuardedTransaction()
    {
        ObjectDisposedException.ThrowIf(IsReleased, this);
        return Hold.Client.Transaction().Check(NodePath, -1);
    }

    /// <summary>Releases the lock (for a reentrant lock, this handle's share of it).</summary>
    /// <returns>A task that completes when released; a delete the connection prevented goes on in the background.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            await Hold.ReleaseReferenceAsync().ConfigureAwait(false);
        }
    }
}
