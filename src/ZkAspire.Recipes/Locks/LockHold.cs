// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Locks;

/// <summary>
/// One held lock node, shared by the handles of a reentrant owner: the node is deleted when the
/// last handle is released (Curator's <c>LockData.lockCount</c>).
/// </summary>
internal sealed class LockHold
{
    private readonly Lock _gate = new();
    private readonly Action<LockHold>? _onReleased;
    private int _references = 1;

    private LockHold(ZooKeeperClient client, AcquiredNode node, OwnershipMonitor monitor, LockOwner? owner, object? source, Action<LockHold>? onReleased)
    {
        Client = client;
        Node = node;
        Monitor = monitor;
        Owner = owner;
        Source = source;
        _onReleased = onReleased;
    }

    /// <summary>Gets the client.</summary>
    public ZooKeeperClient Client { get; }

    /// <summary>Gets the held node.</summary>
    public AcquiredNode Node { get; }

    /// <summary>Gets the monitor behind <see cref="ILockHandle.HandleLost"/>.</summary>
    public OwnershipMonitor Monitor { get; }

    /// <summary>Gets the owner, for reentrant locks.</summary>
    public LockOwner? Owner { get; }

    /// <summary>Gets the lock that made the hold.</summary>
    public object? Source { get; }

    /// <summary>Gets whether the last handle was released.</summary>
    public bool IsReleased
    {
        get
        {
            lock (_gate)
            {
                return _references == 0;
            }
        }
    }

    /// <summary>Starts holding a node: watches it for loss.</summary>
    /// <param name="client">The client.</param>
    /// <param name="node">The node that won.</param>
    /// <param name="owner">The owner, for reentrant locks.</param>
    /// <param name="source">The lock that made the hold.</param>
    /// <param name="options">The error policy and clock.</param>
    /// <param name="onReleased">Called when the last handle is released, before the node is deleted.</param>
    /// <returns>The hold.</returns>
    public static LockHold Start(
        ZooKeeperClient client,
        AcquiredNode node,
        LockOwner? owner,
        object? source,
        RecipeOptions options,
        Action<LockHold>? onReleased)
    {
        var monitor = OwnershipMonitor.Start(client, [node.Path], node.SessionId, options.ErrorPolicy, options.TimeProvider);
        return new LockHold(client, node, monitor, owner, source, onReleased);
    }

    /// <summary>Adds a handle for a reentrant acquire.</summary>
    /// <returns><see langword="false"/> if the hold was already released.</returns>
    public bool TryAddReference()
    {
        lock (_gate)
        {
            if (_references == 0)
            {
                return false;
            }

            _references++;
            return true;
        }
    }

    /// <summary>Releases one handle; the last one deletes the node (guaranteed, as Curator's <c>releaseLock</c>).</summary>
    /// <returns>A task that completes when released.</returns>
    public async Task ReleaseReferenceAsync()
    {
        lock (_gate)
        {
            if (_references == 0 || --_references > 0)
            {
                return;
            }
        }

        using var activity = RecipesInstrumentation.StartRelease(Node.Path);
        _onReleased?.Invoke(this);
        try
        {
            Monitor.Stop();
            await Client.DeleteGuaranteedAsync(Node.Path).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            RecipesInstrumentation.Failed(activity, e);
            throw;
        }
    }
}
