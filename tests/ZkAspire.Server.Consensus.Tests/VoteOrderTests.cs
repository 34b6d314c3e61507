// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus.Tests;

/// <summary>FastLeaderElection's <c>totalOrderPredicate</c>: (peerEpoch, zxid, sid), highest wins.</summary>
public sealed class VoteOrderTests
{
    private static readonly Vote Current = new(2, 0x1_0000_0005, 1, 1);

    [Theory]
    [InlineData(1, 0x0_0000_0001, 2, true)] // a later epoch wins whatever the zxid and id
    [InlineData(3, 0x1_0000_0006, 1, true)] // same epoch, higher zxid
    [InlineData(1, 0x1_0000_0006, 1, true)] // higher zxid beats a higher id
    [InlineData(3, 0x1_0000_0005, 1, true)] // same epoch and zxid: higher id
    [InlineData(1, 0x1_0000_0005, 1, false)] // lower id
    [InlineData(2, 0x1_0000_0005, 1, false)] // the same vote is not better
    [InlineData(9, 0x2_0000_0001, 0, false)] // an earlier epoch loses whatever the zxid and id
    public void OrderIsEpochThenZxidThenId(long sid, long zxid, int epoch, bool better) =>
        Assert.Equal(better, Vote.Supersedes(sid, zxid, epoch, Current));
}
