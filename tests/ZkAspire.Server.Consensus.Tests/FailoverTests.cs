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
    /// still waits out its own, so that server, still LOOKING, drops the first registration. The
    /// learner must register again within a few notification intervals, not after tickTime/2 (a
    /// whole second at the usual tickTime=2000, which is what the three-node failover measured).
    /// </summary>
    [Fact]
    public void ALearnerWhoseFirstRegistrationCameTooEarlyRegistersAgainPromptly()
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
        var dropped = env.Execute("stabilize", ["1", "2"]);
        Assert.Contains("send 1->2 FOLLOWERINFO", dropped, StringComparison.Ordinal);
        Assert.Equal(ServerState.Looking, env.Nodes[2].Peer!.State);

        // Then server 2 decides to lead. A quarter of tickTime/2 later everyone serves.
        env.Execute("tick", ["0", "2"]);
        Assert.Equal(ServerState.Leading, env.Nodes[2].Peer!.State);
        env.Execute("run", ["250"]);
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
    /// The same race, without waiting for the resend: the registration that arrived while the
    /// leader-to-be still looked is kept, and taken the moment it decides, so the survivors serve
    /// with no time passing after the leader's decision (in the servers, the learner's resend
    /// came a notification interval later: most of a failover's discovery).
    /// </summary>
    [Fact]
    public void ARegistrationThatArrivedWhileTheLeaderStillLookedIsTakenWhenItDecides()
    {
        var env = new InteractionEnv();
        env.Execute("add-nodes", ["3", "tick=2000"]);
        env.Execute("elect", []);
        env.Execute("crash", ["3"]);
        env.Execute("disconnect", ["1", "3"]);
        env.Execute("disconnect", ["2", "3"]);
        env.Execute("stabilize", ["1", "2", "quiet"]);

        env.Execute("tick", ["50", "1"]);
        Assert.Equal(ServerState.Following, env.Nodes[1].Peer!.State);
        var early = env.Execute("stabilize", ["1", "2"]);
        Assert.Contains("send 1->2 FOLLOWERINFO", early, StringComparison.Ordinal);
        Assert.Equal(ServerState.Looking, env.Nodes[2].Peer!.State);

        // Server 2 decides; without any more time passing, both serve.
        env.Execute("tick", ["0", "2"]);
        var decided = env.Execute("stabilize", ["1", "2"]);
        Assert.Equal(1, Occurrences(decided, "send 1->2 FOLLOWERINFO") + Occurrences(early, "send 1->2 FOLLOWERINFO"));
        Assert.Equal(ZabPhase.Broadcast, env.Nodes[1].Peer!.Phase);
        Assert.Equal(ZabPhase.Broadcast, env.Nodes[2].Peer!.Phase);
        Assert.Equal(ServerState.Leading, env.Nodes[2].Peer!.State);
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
