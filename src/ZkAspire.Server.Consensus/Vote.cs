// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Server.Consensus;

/// <summary>
/// A vote in FastLeaderElection: the proposed leader, the last zxid and epoch it claims, and the
/// election round (<c>electionEpoch</c>, ZooKeeper's <c>logicalclock</c>) it was cast in.
/// </summary>
/// <param name="Leader">The proposed leader's server id.</param>
/// <param name="Zxid">The proposed leader's last logged zxid.</param>
/// <param name="ElectionEpoch">The election round.</param>
/// <param name="PeerEpoch">The proposed leader's current epoch (the last epoch whose NEWLEADER it acknowledged).</param>
public readonly record struct Vote(long Leader, long Zxid, long ElectionEpoch, int PeerEpoch)
{
    /// <summary>
    /// ZooKeeper's <c>totalOrderPredicate</c>: whether a candidate (epoch, zxid, sid) beats the
    /// current one: the higher epoch wins, then the higher zxid, then the higher server id. The
    /// epoch comes first so that a server that missed the last epoch's establishment never wins
    /// over one that took part in it, whatever their zxids.
    /// </summary>
    /// <param name="leader">The candidate's id.</param>
    /// <param name="zxid">The candidate's last zxid.</param>
    /// <param name="peerEpoch">The candidate's current epoch.</param>
    /// <param name="current">The vote it is compared with.</param>
    /// <returns><see langword="true"/> if the candidate is better.</returns>
    public static bool Supersedes(long leader, long zxid, int peerEpoch, in Vote current) =>
        peerEpoch > current.PeerEpoch
        || (peerEpoch == current.PeerEpoch && (zxid > current.Zxid || (zxid == current.Zxid && leader > current.Leader)));

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Leader}@{ZxidText.Format(Zxid)}/e{PeerEpoch}/r{ElectionEpoch}");
}
