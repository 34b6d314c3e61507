// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Recipes.Internal;

/// <summary>A child whose name ends in a sequence number: <c>_c_{guid}-lock-0000000042</c>.</summary>
/// <param name="Name">The child's name.</param>
/// <param name="Sequence">The sequence number the server appended.</param>
internal readonly record struct SequentialNode(string Name, int Sequence)
{
    /// <summary>
    /// Reads the sequence number after the last occurrence of <paramref name="marker"/> in a name
    /// (Curator's <c>StandardLockInternalsDriver.standardFixForSorting</c>). The server formats it
    /// with <c>%010d</c>: ten digits, or a minus sign and nine or ten digits once the parent's
    /// int32 counter has wrapped (zookeeperProgrammers.md, "Sequence Nodes").
    /// </summary>
    /// <param name="name">The child's name.</param>
    /// <param name="marker">The text before the number, e.g. <c>lock-</c>.</param>
    /// <param name="node">The node, if the name has a sequence number after the marker.</param>
    /// <returns><see langword="true"/> if it has.</returns>
    public static bool TryParse(string name, string marker, out SequentialNode node)
    {
        node = default;
        var index = name.LastIndexOf(marker, StringComparison.Ordinal);
        if (index < 0)
        {
            return false;
        }

        var suffix = name.AsSpan(index + marker.Length);
        if (suffix.Length is not (10 or 11)
            || !int.TryParse(suffix, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var sequence))
        {
            return false;
        }

        node = new SequentialNode(name, sequence);
        return true;
    }

    /// <summary>
    /// Orders nodes by creation, safely across the wrap of the parent's counter (pitfall 4: the
    /// counter is a signed int32 that goes from 2147483647 to -2147483648, so sorting the names as
    /// strings or the numbers as signed integers hands the lock to every newcomer; kazoo #730).
    /// </summary>
    /// <remarks>
    /// The numbers are placed on the circle of 2^32 values and the order starts after the widest
    /// gap between neighbours. The nodes that exist at once span a tiny arc of that circle, so the
    /// widest gap is the empty rest of it, and every client that sees the same children agrees on
    /// the order (DistributedLock's <c>ZooKeeperSequentialPathHelper</c> splits the same way). Equal
    /// numbers — a read-write lock's downgrade node shares its write node's number — are ordered by
    /// name, so the order is a total one.
    /// </remarks>
    /// <param name="nodes">The nodes, in any order.</param>
    /// <returns>The nodes from oldest to newest.</returns>
    public static List<SequentialNode> Order(IEnumerable<SequentialNode> nodes)
    {
        var sorted = nodes.ToList();
        sorted.Sort(static (a, b) =>
        {
            var byNumber = ((uint)a.Sequence).CompareTo((uint)b.Sequence);
            return byNumber != 0 ? byNumber : string.CompareOrdinal(a.Name, b.Name);
        });
        if (sorted.Count < 2)
        {
            return sorted;
        }

        // The gap that closes the circle (from the largest back round to the smallest) wins ties,
        // so nodes that never wrapped keep their plain order.
        var widest = (ulong)(uint)sorted[0].Sequence + (1UL << 32) - (uint)sorted[^1].Sequence;
        var start = 0;
        for (var i = 1; i < sorted.Count; i++)
        {
            var gap = (ulong)(uint)sorted[i].Sequence - (uint)sorted[i - 1].Sequence;
            if (gap > widest)
            {
                widest = gap;
                start = i;
            }
        }

        return start == 0 ? sorted : [.. sorted.Skip(start), .. sorted.Take(start)];
    }
}
