// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Recipes.Internal;

namespace ZkAspire.Recipes.Tests.Locks;

/// <summary>Reading sequence numbers from names and ordering them across the wrap of the parent's int32 counter (pitfall 4).</summary>
public sealed class SequentialNodeTests
{
    [Theory]
    [InlineData("_c_5a1e7c3e-6d2b-4f55-9a3b-3f4f2d9e1a00-lock-0000000042", "lock-", 42)]
    [InlineData("lock-2147483647", "lock-", int.MaxValue)]
    [InlineData("lock--2147483648", "lock-", int.MinValue)]
    [InlineData("lock--000000001", "lock-", -1)]
    [InlineData("_c_x-__READ__0000000007", "__READ__", 7)]
    [InlineData("latch-lock-0000000003", "lock-", 3)]
    public void TheNumberAfterTheLastMarkerIsRead(string name, string marker, int expected)
    {
        Assert.True(SequentialNode.TryParse(name, marker, out var node));
        Assert.Equal(expected, node.Sequence);
        Assert.Equal(name, node.Name);
    }

    [Theory]
    [InlineData("lock-", "lock-")]
    [InlineData("lock-12", "lock-")]
    [InlineData("lock-00000000x1", "lock-")]
    [InlineData("ready", "lock-")]
    [InlineData("_c_x-__WRIT__0000000007", "__READ__")]
    public void NamesWithoutANumberAreNotLockNodes(string name, string marker) =>
        Assert.False(SequentialNode.TryParse(name, marker, out _));

    [Fact]
    public void NumbersThatDidNotWrapKeepTheirOrder()
    {
        var ordered = SequentialNode.Order(Nodes(5, 1, 3, 2));
        Assert.Equal([1, 2, 3, 5], ordered.Select(n => n.Sequence));
    }

    [Fact]
    public void NumbersAcrossTheWrapAreOrderedByCreation()
    {
        // Created in this order: the counter passes int.MaxValue and goes on from int.MinValue.
        int[] created = [int.MaxValue - 1, int.MaxValue, int.MinValue, int.MinValue + 1];
        Assert.Equal(created, SequentialNode.Order(Nodes([.. created.Reverse()])).Select(n => n.Sequence));

        // The same from -1 to 0 (the unsigned wrap).
        int[] later = [-2, -1, 0, 1];
        Assert.Equal(later, SequentialNode.Order(Nodes(1, -1, 0, -2)).Select(n => n.Sequence));

        // What string order (Curator) and signed order get wrong.
        var names = created.Select(PathUtils.FormatSequence).Order(StringComparer.Ordinal).ToList();
        Assert.NotEqual(created.Select(PathUtils.FormatSequence), names);
        Assert.NotEqual(created, created.Order());
    }

    [Fact]
    public void EqualNumbersAreOrderedByName()
    {
        var ordered = SequentialNode.Order([new("b-__WRIT__0000000005", 5), new("a-__READ__0000000005", 5), new("c-__READ__0000000004", 4)]);
        Assert.Equal(["c-__READ__0000000004", "a-__READ__0000000005", "b-__WRIT__0000000005"], ordered.Select(n => n.Name));
    }

    [Fact]
    public void EveryoneWhoSeesTheSameNodesAgreesOnTheOrder()
    {
        var random = new Random(4711);
        for (var round = 0; round < 200; round++)
        {
            var start = random.Next(int.MinValue, int.MaxValue);
            var created = Enumerable.Range(0, 20).Select(i => unchecked(start + (i * random.Next(1, 1000)))).Distinct().ToList();
            created = Monotonic(created);
            var shuffled = created.OrderBy(_ => random.Next()).ToArray();
            Assert.Equal(created, SequentialNode.Order(Nodes(shuffled)).Select(n => n.Sequence));
        }
    }

    private static List<int> Monotonic(List<int> values)
    {
        // Keep the values increasing along the circle from the first one.
        var first = values[0];
        return [.. values.OrderBy(v => unchecked((uint)(v - first)))];
    }

    private static SequentialNode[] Nodes(params int[] sequences) =>
        [.. sequences.Select(s => new SequentialNode("lock-" + PathUtils.FormatSequence(s), s))];
}
