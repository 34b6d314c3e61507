// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Recipes.Locks;

/// <summary>A lock or lease node that won.</summary>
/// <param name="Path">The node's client path.</param>
/// <param name="Sequence">Its sequence number.</param>
/// <param name="Stat">Its Stat when created: the czxid is the fencing token, the ephemeral owner the session.</param>
internal sealed record AcquiredNode(string Path, int Sequence, Stat Stat)
{
    /// <summary>Gets the session that owns the node.</summary>
    public long SessionId => Stat.EphemeralOwner;
}
