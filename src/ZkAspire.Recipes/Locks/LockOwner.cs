// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Recipes.Locks;

/// <summary>
/// Who re-enters a reentrant lock: the async flow (the .NET counterpart of Curator's owning
/// thread). An owner is attached to the flow by the synchronous part of an acquire, so it is seen
/// by the rest of the calling method and by what it awaits, and by tasks it starts afterwards.
/// </summary>
/// <remarks>
/// A flow whose owner holds nothing gets a fresh owner on its next acquire, so tasks started
/// before the flow took a lock, or after it released everything, never share ownership with it.
/// Tasks started while it holds a lock do: they re-enter that lock rather than wait for it.
/// </remarks>
internal sealed class LockOwner
{
    private static readonly AsyncLocal<LockOwner?> FlowOwner = new();
    private int _holds;

    /// <summary>Gets the owner of the current flow if it holds a lock.</summary>
    public static LockOwner? Current => FlowOwner.Value is { } owner && Volatile.Read(ref owner._holds) > 0 ? owner : null;

    /// <summary>
    /// Gets the current flow's owner, attaching a fresh one when it holds nothing. Must be called
    /// from a method that is not <c>async</c>, so the attachment reaches the caller.
    /// </summary>
    /// <returns>The owner.</returns>
    public static LockOwner ForCurrentFlow()
    {
        if (Current is { } owner)
        {
            return owner;
        }

        owner = new LockOwner();
        FlowOwner.Value = owner;
        return owner;
    }

    /// <summary>Counts a lock this owner now holds.</summary>
    public void AddHold() => Interlocked.Increment(ref _holds);

    /// <summary>Counts a lock this owner released.</summary>
    public void RemoveHold() => Interlocked.Decrement(ref _holds);
}
