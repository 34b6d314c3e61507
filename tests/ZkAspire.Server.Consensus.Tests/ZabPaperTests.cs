// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus.Tests;

/// <summary>
/// Tests that each pin a sentence of Zab (Junqueira, Reed, Serafini, DSN 2011, §3.3) or of
/// ZooKeeper's documentation, in the manner of etcd raft's <c>raft_paper_test.go</c>.
/// </summary>
public sealed class ZabPaperTests
{
    /// <summary>
    /// §3.3 phase 1: "the prospective leader … proposes e' to the followers, where e' is greater
    /// than any accepted epoch it received". A quorum's accepted epochs, not the leader's own or
    /// its current epoch, decide.
    /// </summary>
    [Fact]
    public void TheNewEpochIsAboveEveryAcceptedEpochOfTheQuorum()
    {
        var env = new InteractionEnv();
        env.Execute("add-nodes", ["3", "start=false"]);
        env.Execute("set-state", ["1", "accepted=7", "current=1"]);
        env.Execute("set-state", ["2", "accepted=1", "current=1"]);
        env.Execute("set-state", ["3", "accepted=1", "current=1"]);
        env.Execute("elect", []);
        Assert.All(env.Nodes.Values, n => Assert.Equal(8, n.Peer!.Epoch));
    }

    /// <summary>
    /// §3.3 phase 1: a follower accepts a new epoch only if it is above the one it accepted before,
    /// and then "does not accept any other epoch" of that value. Once accepted durably, the same
    /// epoch is never acknowledged again (its ACKEPOCH carries −1 and does not count).
    /// </summary>
    [Fact]
    public void AFollowerAcknowledgesAnEpochAtMostOnce()
    {
        var env = new InteractionEnv();
        env.Execute("add-nodes", ["3"]);
        env.Execute("elect", []);
        env.Execute("disconnect", ["1", "3"]);
        var output = env.Execute("stabilize", []);
        Assert.Contains("send 1->3 ACKEPOCH epoch=1 currentEpoch=-1", output, StringComparison.Ordinal);
        Assert.DoesNotContain("persist: acceptedEpoch", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// §3.3 phase 2: the new leader's initial history becomes committed once "a quorum of
    /// followers" acknowledged NEWLEADER — not before. Here the followers' acknowledgments are
    /// lost: the leader never commits its history and gives up after initLimit.
    /// </summary>
    [Fact]
    public void TheLeadersHistoryCommitsOnlyWithAQuorumOfNewLeaderAcknowledgments()
    {
        var env = new InteractionEnv();
        env.Execute("add-nodes", ["3", "start=false"]);
        env.Execute("set-state", ["1", "accepted=1", "current=1"]);
        env.Execute("set-state", ["2", "accepted=1", "current=1"]);
        env.Execute("set-state", ["3", "accepted=1", "current=1", "log=1.1,1.2"]);
        for (var i = 0; i < 40; i++)
        {
            foreach (var id in env.Nodes.Keys)
            {
                env.ProcessReady(id, sync: true);
            }

            for (var m = env.InFlight.Count - 1; m >= 0; m--)
            {
                if (env.InFlight[m].Message is AckNewLeader)
                {
                    env.DropAt(m);
                }
            }

            while (env.InFlight.Count > 0)
            {
                if (env.InFlight[0].Message is AckNewLeader)
                {
                    env.DropAt(0);
                    continue;
                }

                env.DeliverAt(0, duplicate: false);
            }

            env.TickAll(10);
            var leader = env.Nodes[3].Peer!;
            Assert.True(leader.CommittedZxid < ZxidText.Parse("1.2") || leader.Phase == ZabPhase.Broadcast);
            Assert.NotEqual(ZabPhase.Broadcast, leader.Phase);
        }

        Assert.Equal(0, env.Nodes[3].Peer!.CommittedZxid);
    }

    /// <summary>
    /// ZooKeeper's observers "do not take part in the atomic broadcast … they do not vote": two of
    /// three voters gone, two observers alive, and the leader has no quorum, steps down and the
    /// observers stop serving.
    /// </summary>
    [Fact]
    public void ObserversNeverCountTowardAQuorum()
    {
        var env = new InteractionEnv();
        env.Execute("add-nodes", ["5", "observers=4,5", "sync=3"]);
        env.Execute("elect", []);
        var leader = env.Nodes.Values.Single(n => n.Peer!.State == ServerState.Leading).Id;
        foreach (var id in new long[] { 1, 2, 3 }.Where(id => id != leader))
        {
            env.Execute("crash", [id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        for (var i = 0; i < 10; i++)
        {
            env.TickAll(100);
            env.Execute("stabilize", ["quiet"]);
        }

        Assert.Equal(ServerState.Looking, env.Nodes[leader].Peer!.State);
        Assert.NotEqual(ZabPhase.Broadcast, env.Nodes[4].Peer!.Phase);
        Assert.NotEqual(ZabPhase.Broadcast, env.Nodes[5].Peer!.Phase);
    }
}
