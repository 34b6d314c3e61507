// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus.Tests;

/// <summary>
/// How quickly the survivors of a leader's crash serve again, in virtual time (the peer's clock
/// is the test's, so nothing here depends on the machine's speed).
/// </summary>
public sealed class FailoverTests
{
    /// <summary>
    /// The follower-to-be often decides first: its finalizeWait ends while the server it chose
    /// still waits out its own, so its registration reaches a server still LOOKING. That server
    /// keeps it and takes it the moment it decides to lead, so the survivors serve with no time
    /// passing after the leader's decision. (Dropped, it was heard only at the learner's resend:
    /// at first after tickTime/2, a whole second at the usual tickTime=2000, which is what the
    /// three-node failover measured; then after a notification interval, 50 ms, still most of a
    /// failover's discovery.)
    /// </summary>
    [Fact]
    public void ARegistrationThatArrivedWhileTheLeaderStillLookedIsTakenWhenItDecides()
    {
        var env = new InteractionEnv();
        env.Execute("add-nodes", ["3", "tick=2000"]);
        env.Execute("elect", []);
        Assert.Equal(ServerState.Leading, env.Nodes[3].Peer!.State);

        env.Execute("crash", ["3"]);
        env.Execute("disconnect", ["1", "3"]);
        env.Execute("disconnect", ["2", "3"]);

        // The votes go round: both survivors name server 2 and wait finalizeWait.
        env.Execute("stabilize", ["1", "2", "quiet"]);
        Assert.Equal(ServerState.Looking, env.Nodes[1].Peer!.State);
        Assert.Equal(ServerState.Looking, env.Nodes[2].Peer!.State);

        // Server 1's finalizeWait ends first: it follows 2 and registers, while 2 is still LOOKING.
        env.Execute("tick", ["50", "1"]);
        Assert.Equal(ServerState.Following, env.Nodes[1].Peer!.State);
        var early = env.Execute("stabilize", ["1", "2"]);
        Assert.Contains("send 1->2 FOLLOWERINFO", early, StringComparison.Ordinal);
        Assert.Equal(ServerState.Looking, env.Nodes[2].Peer!.State);

        // Server 2 decides to lead; with no more time passing, both serve, on that one registration.
        env.Execute("tick", ["0", "2"]);
        Assert.Equal(ServerState.Leading, env.Nodes[2].Peer!.State);
        var decided = env.Execute("stabilize", ["1", "2"]);
        Assert.DoesNotContain("FOLLOWERINFO", decided, StringComparison.Ordinal);
        Assert.Equal(ZabPhase.Broadcast, env.Nodes[1].Peer!.Phase);
        Assert.Equal(ZabPhase.Broadcast, env.Nodes[2].Peer!.Phase);
    }

    /// <summary>
    /// Servers started a little apart: 1 and 2 agree on 2, and 2's finalizeWait ends before the
    /// better vote of 3, started later, reaches it; 1 hears 3 in time and follows it, and 3 leads
    /// with 1. Server 2 leads nobody. ZooKeeper's leader waits out initLimit (20 s at the usual
    /// settings) before it looks again, refusing clients meanwhile; ours probes the voters that
    /// did not register, hears that a quorum follows 3, looks again and joins 3 within a few
    /// notification intervals.
    /// </summary>
    [Fact]
    public void ALeaderPassedOverBeforeItsEpochIsEstablishedJoinsTheLeaderAQuorumFollows()
    {
        var env = new InteractionEnv();
        env.Execute("add-nodes", ["3", "tick=2000"]);
        env.Execute("crash", ["3"]);
        env.Execute("stabilize", ["1", "2", "quiet"]);
        env.Execute("tick", ["50", "2"]);
        var passedOver = env.Nodes[2].Peer!;
        Assert.Equal(ServerState.Leading, passedOver.State);
        Assert.Equal(ZabPhase.Discovery, passedOver.Phase);
        Assert.Equal(ServerState.Looking, env.Nodes[1].Peer!.State);

        // Server 3 starts; its link to 2 comes up late. 1 adopts its better vote and follows it.
        env.Execute("restart", ["3"]);
        env.Execute("partition", ["1,3", "|", "2"]);
        env.Execute("stabilize", ["1", "3", "quiet"]);
        env.Execute("tick", ["50", "1", "3"]);
        env.Execute("stabilize", ["1", "3", "quiet"]);
        Assert.Equal(ServerState.Leading, env.Nodes[3].Peer!.State);
        Assert.Equal(ZabPhase.Broadcast, env.Nodes[3].Peer!.Phase);
        Assert.Equal(3, env.Nodes[1].Peer!.LeaderId);
        Assert.Equal(ServerState.Leading, passedOver.State);

        env.Execute("heal", []);
        env.Execute("run", ["300"]);
        Assert.Equal(ServerState.Following, passedOver.State);
        Assert.Equal(3, passedOver.LeaderId);
        Assert.Equal(ZabPhase.Broadcast, passedOver.Phase);
        Assert.Equal(ZabPhase.Broadcast, env.Nodes[3].Peer!.Phase);
    }

    /// <summary>
    /// The survivors notice the failed leader a moment apart: server 2's vote reaches server 1
    /// while 1 still follows the old leader, which answers as a follower and drops the vote. When
    /// 1 looks too, its own vote is worse; server 2 tells it its vote again at once, instead of
    /// at its next resend a notification interval later, so both agree with no time passing.
    /// </summary>
    [Fact]
    public void AVoteDroppedByAServerStillFollowingIsToldAgainWhenThatServerLooks()
    {
        var env = new InteractionEnv();
        env.Execute("add-nodes", ["3", "tick=2000"]);
        env.Execute("elect", []);
        env.Execute("crash", ["3"]);

        // Server 2 notices first (the crashed server 3 has no peer to tell).
        env.Execute("disconnect", ["2", "3"]);
        var answered = env.Execute("stabilize", ["1", "2"]);
        Assert.Contains("send 1->2 NOTIFICATION Following leader=3", answered, StringComparison.Ordinal);
        Assert.Equal(ServerState.Following, env.Nodes[1].Peer!.State);

        // Then server 1; no time passes before both propose server 2.
        env.Execute("disconnect", ["1", "3"]);
        env.Execute("stabilize", ["1", "2"]);
        Assert.Equal(ServerState.Looking, env.Nodes[1].Peer!.State);
        Assert.Equal(2, env.Nodes[1].Peer!.CurrentVote.Leader);
        Assert.Equal(2, env.Nodes[2].Peer!.CurrentVote.Leader);

        // finalizeWait later, both decide, and the leader takes the registration at once.
        env.Execute("tick", ["50", "1", "2"]);
        env.Execute("stabilize", ["1", "2", "quiet"]);
        Assert.Equal(ServerState.Leading, env.Nodes[2].Peer!.State);
        Assert.Equal(ZabPhase.Broadcast, env.Nodes[2].Peer!.Phase);
        Assert.Equal(ZabPhase.Broadcast, env.Nodes[1].Peer!.Phase);
    }
}
