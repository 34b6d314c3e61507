// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;

namespace ZkAspire.Recipes.Locks;

/// <summary>
/// Several locks taken as one, all or none (Curator's <c>InterProcessMultiLock</c>): they are
/// acquired in the given order, and if one is not acquired in time, those already held are
/// released in reverse order. Give every process the same order, or two of them can each hold
/// what the other waits for until their timeouts.
/// </summary>
public sealed class InterProcessMultiLock : IInterProcessLock
{
    private readonly IReadOnlyList<IInterProcessLock> _locks;

    /// <summary>Creates a multi-lock of existing locks.</summary>
    /// <param name="locks">The locks, in acquisition order.</param>
    public InterProcessMultiLock(IReadOnlyList<IInterProcessLock> locks)
    {
        ArgumentNullException.ThrowIfNull(locks);
        if (locks.Count == 0 || locks.Any(l => l is null))
        {
            throw new ArgumentException("A multi-lock needs at least one lock, and no null.", nameof(locks));
        }

        _locks = [.. locks];
    }

    /// <summary>Creates a multi-lock of <see cref="InterProcessMutex"/>es, one per path.</summary>
    /// <param name="client">The client.</param>
    /// <param name="paths">The lock paths, in acquisition order.</param>
    /// <param name="options">The error policy and clock.</param>
    public InterProcessMultiLock(ZooKeeperClient client, IReadOnlyList<string> paths, RecipeOptions? options = null)
        : this(MakeLocks(client, paths, options))
    {
    }

    /// <summary>Gets the locks, in acquisition order.</summary>
    public IReadOnlyList<IInterProcessLock> Locks => _locks;

    /// <summary>Gets the paths of the locks, joined by commas.</summary>
    public string Path => string.Join(",", _locks.Select(l => l.Path));

    /// <inheritdoc/>
    public async Task<ILockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Internal.Deadline.Validate(timeout, nameof(timeout));
        var deadline = Internal.Deadline.Start(timeout, TimeProvider.System);
        var acquired = new List<ILockHandle>(_locks.Count);
        var success = false;
        try
        {
            foreach (var @lock in _locks)
            {
                var handle = await @lock.TryAcquireAsync(deadline.IsInfinite ? Timeout.InfiniteTimeSpan : deadline.Remaining, cancellationToken).ConfigureAwait(false);
                if (handle is null)
                {
                    return null;
                }

                acquired.Add(handle);
            }

            success = true;
            return new MultiLockHandle(acquired);
        }
        finally
        {
            if (!success)
            {
                for (var i = acquired.Count - 1; i >= 0; i--)
                {
                    await acquired[i].DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private static InterProcessMutex[] MakeLocks(ZooKeeperClient client, IReadOnlyList<string> paths, RecipeOptions? options)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return [.. paths.Select(path => new InterProcessMutex(client, path, options))];
    }
}
