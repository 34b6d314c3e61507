// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;

namespace ZkAspire.Recipes.Locks;

/// <summary>The handle of an <see cref="InterProcessMultiLock"/>: every lock it holds, released in reverse order.</summary>
public sealed class MultiLockHandle : ILockHandle
{
    private readonly CancellationTokenSource _lost;
    private int _released;

    internal MultiLockHandle(IReadOnlyList<ILockHandle> handles)
    {
        Handles = handles;
        _lost = CancellationTokenSource.CreateLinkedTokenSource([.. handles.Select(h => h.HandleLost)]);
        HandleLost = _lost.Token;
    }

    /// <summary>Gets the handles of the single locks, in acquisition order.</summary>
    public IReadOnlyList<ILockHandle> Handles { get; }

    /// <summary>Gets a token cancelled when any of the locks may no longer be held.</summary>
    public CancellationToken HandleLost { get; }

    /// <summary>
    /// Gets the largest fencing token of the single locks. It grows from one holder of the whole
    /// set to the next: a later holder's node for the lock behind this token is newer than it. A
    /// resource guarded by one of the locks should use that lock's own token (<see cref="Handles"/>).
    /// </summary>
    public long FencingToken => Handles.Max(h => h.FencingToken);

    /// <inheritdoc/>
    public bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>Starts a transaction that checks every lock node; the locks must share one client.</summary>
    /// <returns>The transaction.</returns>
    /// <exception cref="NotSupportedException">The locks use different clients, or a lock's handle cannot be guarded.</exception>
    public Transaction CreateGuardedTransaction()
    {
        ObjectDisposedException.ThrowIf(IsReleased, this);
        if (Handles.Any(h => h is not LockHandle) || Handles.Cast<LockHandle>().Select(h => h.Hold.Client).Distinct().Count() != 1)
        {
            throw new NotSupportedException("A guarded transaction needs every lock on the same client.");
        }

        var locks = Handles.Cast<LockHandle>().ToList();
        var transaction = locks[0].CreateGuardedTransaction();
        foreach (var handle in locks.Skip(1))
        {
            transaction.Check(handle.NodePath, -1);
        }

        return transaction;
    }

    /// <summary>Releases every lock, in reverse order.</summary>
    /// <returns>A task that completes when released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        List<Exception>? errors = null;
        for (var i = Handles.Count - 1; i >= 0; i--)
        {
            try
            {
                await Handles[i].DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Release the others first, then report.
            catch (Exception e)
#pragma warning restore CA1031
            {
                (errors ??= []).Add(e);
            }
        }

        _lost.Dispose();
        if (errors is not null)
        {
            throw new AggregateException("Releasing the multi-lock failed.", errors);
        }
    }
}
