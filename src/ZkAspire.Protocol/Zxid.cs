// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Protocol;

/// <summary>
/// A ZooKeeper transaction id: the leader epoch in the high 32 bits, a counter in the low 32.
/// </summary>
/// <param name="Value">The 64-bit value.</param>
public readonly record struct Zxid(long Value) : IComparable<Zxid>
{
    /// <summary>Gets the epoch (high 32 bits).</summary>
    public int Epoch => (int)(Value >>> 32);

    /// <summary>Gets the counter (low 32 bits).</summary>
    public uint Counter => (uint)Value;

    /// <summary>Makes a zxid from its parts.</summary>
    /// <param name="epoch">The epoch.</param>
    /// <param name="counter">The counter.</param>
    /// <returns>The zxid.</returns>
    public static Zxid From(int epoch, uint counter) => new(((long)epoch << 32) | counter);

    /// <inheritdoc/>
    public int CompareTo(Zxid other) => Value.CompareTo(other.Value);

    /// <summary>Compares two zxids.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether the first is smaller.</returns>
    public static bool operator <(Zxid left, Zxid right) => left.Value < right.Value;

    /// <summary>Compares two zxids.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether the first is larger.</returns>
    public static bool operator >(Zxid left, Zxid right) => left.Value > right.Value;

    /// <summary>Compares two zxids.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether the first is smaller or equal.</returns>
    public static bool operator <=(Zxid left, Zxid right) => left.Value <= right.Value;

    /// <summary>Compares two zxids.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether the first is larger or equal.</returns>
    public static bool operator >=(Zxid left, Zxid right) => left.Value >= right.Value;

    /// <summary>Formats as ZooKeeper does: <c>0x</c> and lower-case hex.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => "0x" + Value.ToString("x", CultureInfo.InvariantCulture);
}
