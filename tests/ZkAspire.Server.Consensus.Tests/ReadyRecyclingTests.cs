// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus.Tests;

/// <summary>
/// The Ready life cycle with <see cref="QuorumPeer.Recycle"/>: a recycled Ready comes back from
/// <see cref="QuorumPeer.GetReady"/> carrying only the new Ready's contents, and the contract's
/// misuses are refused. (Every scenario of <see cref="InteractionTests"/> also recycles its Readys,
/// so the whole protocol runs on reused ones.)
/// </summary>
public sealed class ReadyRecyclingTests
{
    [Fact]
    public void ARecycledReadyComesBackWithOnlyTheNextReadysContents()
    {
        var leader = ElectedLeader(out _);
        leader.Propose(leader.NextZxid, new byte[] { 1, 2, 3 });
        var first = leader.GetReady();
        Assert.Single(first.Persist);
        Assert.Equal(2, first.Messages.Count);

        leader.Advance(first);
        leader.Recycle(first);

        leader.Propose(leader.NextZxid, new byte[] { 4 });
        var second = leader.GetReady();
        Assert.Same(first, second);
        var append = Assert.Single(second.Persist);
        Assert.Equal(PersistKind.Append, append.Kind);
        Assert.Equal(new byte[] { 4 }, append.Data.ToArray());
        Assert.Equal(2, second.Messages.Count);
        Assert.All(second.Messages, m => Assert.Equal(new byte[] { 4 }, Assert.IsType<Proposal>(m.Message).Data.ToArray()));
        Assert.Empty(second.Committed);
        Assert.Empty(second.SyncResults);
        Assert.Empty(second.Received);
        Assert.Null(second.Status);

        leader.Advance(second);
        leader.Recycle(second);
        Assert.False(leader.HasReady);
        var empty = leader.GetReady();
        Assert.Same(first, empty);
        Assert.Empty(empty.Persist);
        Assert.Empty(empty.Messages);
        Assert.False(empty.MustAdvance);
    }

    [Fact]
    public void AReadyWithPersistenceIsRecycledOnlyAfterItWasAdvanced()
    {
        var leader = ElectedLeader(out _);
        leader.Propose(leader.NextZxid, new byte[] { 1 });
        var ready = leader.GetReady();

        var e = Assert.Throws<InvalidOperationException>(() => leader.Recycle(ready));
        Assert.Contains("advanced", e.Message, StringComparison.Ordinal);

        // Refused means untouched: the Ready still carries its append and is advanced as usual.
        Assert.Single(ready.Persist);
        leader.Advance(ready);
        leader.Recycle(ready);
    }

    [Fact]
    public void AReadyIsRecycledOnceAndOnlyByItsOwnPeer()
    {
        var leader = ElectedLeader(out var env);
        var follower = env.Nodes.Values.Select(n => n.Peer!).First(p => p.State == ServerState.Following);
        leader.Propose(leader.NextZxid, new byte[] { 1 });
        var ready = leader.GetReady();
        leader.Advance(ready);

        Assert.Throws<InvalidOperationException>(() => follower.Recycle(ready));
        leader.Recycle(ready);
        var twice = Assert.Throws<InvalidOperationException>(() => leader.Recycle(ready));
        Assert.Contains("already", twice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHostThatNeverRecyclesGetsANewReadyEachTime()
    {
        var leader = ElectedLeader(out _);
        leader.Propose(leader.NextZxid, new byte[] { 1 });
        var first = leader.GetReady();
        leader.Advance(first);
        leader.Propose(leader.NextZxid, new byte[] { 2 });
        var second = leader.GetReady();

        Assert.NotSame(first, second);
        Assert.Equal(new byte[] { 1 }, first.Persist[0].Data.ToArray());
        Assert.Equal(new byte[] { 2 }, second.Persist[0].Data.ToArray());
    }

    private static QuorumPeer ElectedLeader(out InteractionEnv env)
    {
        env = new InteractionEnv();
        env.Execute("add-nodes", ["3"]);
        env.Execute("elect", []);
        var leader = env.Nodes.Values.Select(n => n.Peer!).Single(p => p.State == ServerState.Leading);
        Assert.Equal(ZabPhase.Broadcast, leader.Phase);
        Assert.False(leader.HasReady);
        return leader;
    }
}
