// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>
/// Node types, as the <c>flags</c> field of a create request encodes them (<c>CreateMode</c>).
/// </summary>
public enum CreateMode
{
    /// <summary>A node that lives until deleted.</summary>
    Persistent = 0,
    /// <summary>A node deleted when its session ends.</summary>
    Ephemeral = 1,
    /// <summary>A persistent node whose name gets the parent's sequence suffix.</summary>
    PersistentSequential = 2,
    /// <summary>An ephemeral node whose name gets the parent's sequence suffix.</summary>
    EphemeralSequential = 3,
    /// <summary>A node the server deletes after its last child goes (opcode createContainer).</summary>
    Container = 4,
    /// <summary>A persistent node deleted when unmodified for its TTL and childless (opcode createTTL).</summary>
    PersistentWithTtl = 5,
    /// <summary>A sequential node with a TTL (opcode createTTL).</summary>
    PersistentSequentialWithTtl = 6,
}

/// <summary>Properties of <see cref="CreateMode"/> values.</summary>
public static class CreateModes
{
    /// <summary>Maps the wire flag to a mode.</summary>
    /// <param name="flags">The <c>flags</c> field of a create request.</param>
    /// <param name="mode">The mode, when the flag is known.</param>
    /// <returns><see langword="true"/> for flags 0 to 6; ZooKeeper answers others with BadArguments.</returns>
    public static bool TryFromFlag(int flags, out CreateMode mode)
    {
        mode = (CreateMode)flags;
        return flags is >= 0 and <= 6;
    }

    /// <summary>Whether nodes of this mode end with their session.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns><see langword="true"/> for the two ephemeral modes.</returns>
    public static bool IsEphemeral(this CreateMode mode) => mode is CreateMode.Ephemeral or CreateMode.EphemeralSequential;

    /// <summary>Whether nodes of this mode get a sequence suffix.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns><see langword="true"/> for the three sequential modes.</returns>
    public static bool IsSequential(this CreateMode mode) =>
        mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential or CreateMode.PersistentSequentialWithTtl;

    /// <summary>Whether this mode is a container.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns><see langword="true"/> for <see cref="CreateMode.Container"/>.</returns>
    public static bool IsContainer(this CreateMode mode) => mode == CreateMode.Container;

    /// <summary>Whether nodes of this mode carry a TTL.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns><see langword="true"/> for the two TTL modes.</returns>
    public static bool IsTtl(this CreateMode mode) => mode is CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl;

    /// <summary>The opcode the Java client uses for a create in this mode (the opcode, not the flag, decides the node type).</summary>
    /// <param name="mode">The mode.</param>
    /// <param name="wantStat">Whether the caller wants the new node's Stat (create2).</param>
    /// <returns>createContainer for containers, createTTL for TTL modes, else create or create2.</returns>
    public static OpCode ToOpCode(this CreateMode mode, bool wantStat) => mode switch
    {
        CreateMode.Container => OpCode.CreateContainer,
        CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl => OpCode.CreateTTL,
        _ => wantStat ? OpCode.Create2 : OpCode.Create,
    };
}
