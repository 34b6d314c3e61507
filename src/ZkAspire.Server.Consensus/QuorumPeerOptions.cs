// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus;

/// <summary>The settings of one <see cref="QuorumPeer"/>. The host fills them from zoo.cfg.</summary>
public sealed class QuorumPeerOptions
{
    /// <summary>Gets or sets this server's id (<c>myid</c>).</summary>
    /// <value>The default value is 0, which is invalid: the host must set it.</value>
    public long MyId { get; set; }

    /// <summary>Gets or sets the ensemble (<c>server.N</c> lines), this server included.</summary>
    /// <value>The default value is empty, which is invalid.</value>
    public IReadOnlyList<QuorumServer> Servers { get; set; } = [];

    /// <summary>Gets or sets the length of a tick in milliseconds (<c>tickTime</c>); the limits below count ticks.</summary>
    /// <value>The default value is 3000, as ZooKeeper's code.</value>
    public int TickTimeMs { get; set; } = 3000;

    /// <summary>
    /// Gets or sets how many ticks discovery and synchronization may take (<c>initLimit</c>): a
    /// leader without a quorum of learners in that time, or a learner not synchronized in it,
    /// returns to LOOKING.
    /// </summary>
    /// <value>The default value is 10, as ZooKeeper's sample zoo.cfg.</value>
    public int InitLimit { get; set; } = 10;

    /// <summary>
    /// Gets or sets how many ticks may pass without hearing from the other side once synchronized
    /// (<c>syncLimit</c>): a learner that hears nothing from its leader, or a leader that hears
    /// nothing from a quorum, returns to LOOKING.
    /// </summary>
    /// <value>The default value is 5, as ZooKeeper's sample zoo.cfg.</value>
    public int SyncLimit { get; set; } = 5;

    /// <summary>
    /// Gets or sets how long an election waits for a better vote once a quorum agrees with this
    /// server's (FastLeaderElection's <c>finalizeWait</c>).
    /// </summary>
    /// <value>The default value is 50 ms; ZooKeeper waits 200 ms, but our failover target is 500 ms end to end.</value>
    public int FinalizeWaitMs { get; set; } = 50;

    /// <summary>Gets or sets the first interval after which an election resends its notifications; it doubles on every resend.</summary>
    /// <value>The default value is 50 ms (ZooKeeper: 200 ms).</value>
    public int MinNotificationIntervalMs { get; set; } = 50;

    /// <summary>Gets or sets the longest interval between resent notifications.</summary>
    /// <value>The default value is 1600 ms (ZooKeeper: 60 s, which makes a lost notification expensive).</value>
    public int MaxNotificationIntervalMs { get; set; } = 1600;

    /// <summary>
    /// Gets or sets how many applied txns the peer keeps in memory beyond what it must keep, so
    /// that a learner that is at most this far behind gets a DIFF instead of a SNAP (ZooKeeper's
    /// <c>committedLog</c>, 500 by default, which it extends from the txn log on disk).
    /// </summary>
    /// <value>The default value is 10000.</value>
    public int MaxRetainedTxns { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets how many bytes of proposals (or informs) a leader may have sent to one learner
    /// without hearing that they arrived. A learner further behind is dropped and resynchronizes
    /// when it comes back, so that a slow learner never grows the leader's memory without limit.
    /// </summary>
    /// <value>The default value is 64 MiB.</value>
    public long MaxLearnerQueueBytes { get; set; } = 64L * 1024 * 1024;

    internal void Validate()
    {
        if (MyId <= 0)
        {
            throw new ArgumentException($"MyId must be positive, not {MyId}.", nameof(MyId));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TickTimeMs, nameof(TickTimeMs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(InitLimit, nameof(InitLimit));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SyncLimit, nameof(SyncLimit));
        ArgumentOutOfRangeException.ThrowIfNegative(FinalizeWaitMs, nameof(FinalizeWaitMs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinNotificationIntervalMs, nameof(MinNotificationIntervalMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNotificationIntervalMs, MinNotificationIntervalMs, nameof(MaxNotificationIntervalMs));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetainedTxns, nameof(MaxRetainedTxns));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxLearnerQueueBytes, nameof(MaxLearnerQueueBytes));
        ArgumentNullException.ThrowIfNull(Servers, nameof(Servers));

        var ids = new HashSet<long>();
        var participants = 0;
        var found = false;
        foreach (var server in Servers)
        {
            if (server.Id <= 0 || !ids.Add(server.Id))
            {
                throw new ArgumentException($"Server ids must be positive and distinct; {server.Id} is not.", nameof(Servers));
            }

            participants += server.Type == LearnerType.Participant ? 1 : 0;
            found |= server.Id == MyId;
        }

        if (participants == 0)
        {
            throw new ArgumentException("The ensemble has no participant.", nameof(Servers));
        }

        if (!found)
        {
            throw new ArgumentException($"Server {MyId} is not in the ensemble.", nameof(Servers));
        }
    }
}
