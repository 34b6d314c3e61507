// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>What the raw ephemeralOwner of a znode says it is (ZooKeeper's <c>EphemeralType</c>).</summary>
internal enum EphemeralType
{
    /// <summary>A persistent node (owner 0).</summary>
    Void,

    /// <summary>An ephemeral node; the owner is its session.</summary>
    Normal,

    /// <summary>A container node.</summary>
    Container,

    /// <summary>A persistent node with a TTL.</summary>
    Ttl,
}

/// <summary>
/// The encodings ZooKeeper packs into ephemeralOwner for containers and TTL nodes (wire-protocol
/// doc §9), so that snapshots and txn logs stay compatible.
/// </summary>
internal static class EphemeralOwners
{
    /// <summary>The ephemeralOwner of a container: <c>0x8000000000000000</c>.</summary>
    public const long Container = long.MinValue;

    /// <summary>The largest TTL: 2^40 − 1 ms.</summary>
    public const long MaxTtl = (1L << 40) - 1;

    // The top byte 0xFF marks an extended type; the next two bytes pick it (0 = TTL); the low 40 bits carry the value.
    private const long ExtendedMask = unchecked((long)0xFF00_0000_0000_0000UL);
    private const long ReservedBitsMask = 0x00FF_FF00_0000_0000L;
    private const long ValueMask = ~(ExtendedMask | ReservedBitsMask);

    /// <summary>Whether a TTL is in ZooKeeper's range, 1 … 2^40 − 1.</summary>
    /// <param name="ttl">The TTL in milliseconds.</param>
    /// <returns><see langword="true"/> if valid.</returns>
    public static bool IsValidTtl(long ttl) => ttl is > 0 and <= MaxTtl;

    /// <summary>Encodes a TTL as an ephemeralOwner.</summary>
    /// <param name="ttl">A valid TTL.</param>
    /// <returns>The owner value.</returns>
    public static long ForTtl(long ttl) => ExtendedMask | ttl;

    /// <summary>Decodes the TTL of a TTL node's owner.</summary>
    /// <param name="owner">The owner value.</param>
    /// <returns>The TTL in milliseconds.</returns>
    public static long TtlOf(long owner) => owner & ValueMask;

    /// <summary>Classifies an owner value.</summary>
    /// <param name="owner">The raw ephemeralOwner.</param>
    /// <param name="extendedTypesEnabled">Whether TTL encodings are recognised (<c>zookeeper.extendedTypesEnabled</c>).</param>
    /// <returns>The type.</returns>
    public static EphemeralType TypeOf(long owner, bool extendedTypesEnabled)
    {
        if (extendedTypesEnabled && (owner & ExtendedMask) == ExtendedMask && (owner & ReservedBitsMask) == 0)
        {
            return EphemeralType.Ttl;
        }

        if (owner == Container)
        {
            return EphemeralType.Container;
        }

        return owner == 0 ? EphemeralType.Void : EphemeralType.Normal;
    }

    /// <summary>
    /// Whether a session id could be mistaken for "no owner", a container or (with extended types)
    /// any extended-type owner, whose top byte is 0xFF (ZooKeeper rejects those outright).
    /// </summary>
    /// <param name="sessionId">The candidate id.</param>
    /// <param name="extendedTypesEnabled">Whether TTL encodings are recognised.</param>
    /// <returns><see langword="true"/> if the id must not be handed out.</returns>
    public static bool IsReservedSessionId(long sessionId, bool extendedTypesEnabled) =>
        sessionId is 0 or Container || (extendedTypesEnabled && (sessionId & ExtendedMask) == ExtendedMask);
}
