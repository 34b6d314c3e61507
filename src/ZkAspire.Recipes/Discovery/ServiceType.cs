// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Recipes.Discovery;

/// <summary>How an instance is registered (Curator's <c>ServiceType</c>); the JSON holds the upper-case names.</summary>
public enum ServiceType
{
    /// <summary>An ephemeral node: the instance disappears with its session (and is registered again after a reconnect).</summary>
    Dynamic,

    /// <summary>A persistent node, for instances registered by configuration.</summary>
    Static,

    /// <summary>A persistent node that outlives its registrant.</summary>
    Permanent,

    /// <summary>An ephemeral-sequential node.</summary>
    DynamicSequential,
}
