// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Consensus;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// An ensemble of replicas in one thread, through their public API only (the benchmarks link this
/// file too): peer messages pass as objects through one FIFO queue, every flush is durable at once
/// and reported in order, the clock moves only when a test ticks it. <see cref="Settle"/> runs
/// until nothing is in flight, so one client write is proposed, acknowledged, committed and
/// answered within it.
/// </summary>
internal sealed class InMemoryEnsemble
{
    private const int MaxSettleSteps = 1_000_000;

    private readonly Queue<(long From, long To, PeerMessage Message)> _messages = new();

    /// <summary>Creates the members, LOOKING; <see cref="Elect"/> makes them agree on a leader.</summary>
    /// <param name="size">The number of participants.</param>
    /// <param name="nowMs">The clock at the start.</param>
    public InMemoryEnsemble(int size, long nowMs)
    {
        NowMs = nowMs;
        var servers = Enumerable.Range(1, size).Select(i => new QuorumServer(i, LearnerType.Participant)).ToArray();
        Members = new Member[size];
        for (var i = 0; i < size; i++)
        {
            Members[i] = new Member(this, i + 1);
        }

        foreach (var member in Members)
        {
            member.Replica = Replica.CreateQuorumMember(
                new ReplicaOptions { TickTimeMs = 100, ServerId = member.Id, SessionIdSeed = (member.Id << 56) | 1, SessionSecret = [7, 7, 7, 7] },
                new QuorumPeerOptions { MyId = member.Id, Servers = servers, TickTimeMs = 100 },
                member,
                member,
                member,
                nowMs);
        }

        Settle();
    }

    /// <summary>Gets the members, by id − 1.</summary>
    public Member[] Members { get; }

    /// <summary>Gets the clock.</summary>
    public long NowMs { get; private set; }

    /// <summary>Gets the leader, once elected.</summary>
    public Member Leader => Members.Single(m => m.Replica.Mode == ServerMode.Leader);

    /// <summary>Gets the followers.</summary>
    public IEnumerable<Member> Followers => Members.Where(m => m.Replica.Mode == ServerMode.Follower);

    /// <summary>Ticks every member 10 ms at a time until one leads and every other follows.</summary>
    /// <exception cref="InvalidOperationException">No leader after 10 virtual seconds.</exception>
    public void Elect()
    {
        for (var step = 0; step < 1000; step++)
        {
            if (Members.Count(m => m.Replica.Mode == ServerMode.Leader) == 1 && Members.All(m => m.Replica.IsServing))
            {
                return;
            }

            NowMs += 10;
            foreach (var member in Members)
            {
                member.Replica.Tick(NowMs);
            }

            Settle();
        }

        throw new InvalidOperationException("no leader was elected in 10 s");
    }

    /// <summary>Delivers messages and reports flushes until nothing is in flight.</summary>
    public void Settle()
    {
        for (var step = 0; step < MaxSettleSteps; step++)
        {
            if (_messages.TryDequeue(out var item))
            {
                Members[item.To - 1].Replica.PeerMessageReceived(item.From, item.Message, NowMs);
                continue;
            }

            var flushed = false;
            foreach (var member in Members)
            {
                flushed |= member.ReportFlushes();
            }

            if (!flushed)
            {
                return;
            }
        }

        throw new InvalidOperationException("the ensemble did not settle");
    }

    /// <summary>Opens a connection on a member and establishes a new session on it.</summary>
    /// <param name="member">The member.</param>
    /// <param name="connectionId">The connection id.</param>
    public void Connect(Member member, long connectionId)
    {
        member.Replica.ConnectionOpened(connectionId, "127.0.0.1", NowMs);
        member.Replica.ConnectRequestReceived(connectionId, new ConnectRequest(0, 0, 30_000, 0, new byte[16], false), NowMs);
        Settle();
        if (!member.Sessions.ContainsKey(connectionId))
        {
            throw new InvalidOperationException($"connection {connectionId} got no session on member {member.Id}");
        }
    }

    /// <summary>One server: its replica, the replies its clients got, its flushes.</summary>
    internal sealed class Member(InMemoryEnsemble ensemble, long id) : IReplicaOutput, IPeerOutput, IReplicaPersistence
    {
        private readonly Queue<long> _flushes = new();

        /// <summary>Gets the server id.</summary>
        public long Id { get; } = id;

        /// <summary>Gets the replica.</summary>
        public Replica Replica { get; set; } = null!;

        /// <summary>Gets the session id of each connection that got one.</summary>
        public Dictionary<long, long> Sessions { get; } = [];

        /// <summary>Gets the number of replies (not notifications) sent.</summary>
        public long Replies { get; private set; }

        /// <summary>Gets the last reply's header.</summary>
        public ReplyHeader LastReply { get; private set; }

        /// <summary>Gets or sets what hears every reply with its connection, header and body as a record (null: replies are only counted).</summary>
        public Action<long, ReplyHeader, IJuteRecord?>? OnReply { get; set; }

        /// <summary>Gets the connections closed, with the reasons.</summary>
        public List<(long Connection, string Reason)> Closed { get; } = [];

        /// <summary>Gets the number of txns appended to the log.</summary>
        public long Appended { get; private set; }

        /// <summary>Reports the flushes handed over so far as durable, in order.</summary>
        /// <returns>Whether there were any.</returns>
        public bool ReportFlushes()
        {
            if (_flushes.Count == 0)
            {
                return false;
            }

            while (_flushes.TryDequeue(out var batch))
            {
                Replica.Flushed(batch, ensemble.NowMs);
            }

            return true;
        }

        void IReplicaOutput.SendConnectResponse(long connectionId, ConnectResponse response)
        {
            if (response.SessionId != 0)
            {
                Sessions[connectionId] = response.SessionId;
            }
        }

        void IReplicaOutput.Send(long connectionId, ReplyHeader header, IJuteRecord? body) => Reply(connectionId, header, body);

        void IReplicaOutput.Send(long connectionId, ReplyHeader header, in ReplyBody body) =>
            Reply(connectionId, header, OnReply is null ? null : body.ToRecord());

        void IReplicaOutput.Close(long connectionId, string reason) => Closed.Add((connectionId, reason));

        void IPeerOutput.Send(long to, PeerMessage message) => ensemble._messages.Enqueue((Id, to, message));

        void ITxnPersistence.Append(TxnLogEntry entry) => Appended++;

        void IReplicaPersistence.Truncate(long zxid)
        {
        }

        void IReplicaPersistence.InstallSnapshot(long zxid, ReadOnlyMemory<byte> snapshot)
        {
        }

        void IReplicaPersistence.SetAcceptedEpoch(int epoch)
        {
        }

        void IReplicaPersistence.SetCurrentEpoch(int epoch)
        {
        }

        void IReplicaPersistence.Flush(long batch) => _flushes.Enqueue(batch);

        private void Reply(long connectionId, ReplyHeader header, IJuteRecord? body)
        {
            if (header.Xid == Xids.Notification)
            {
                return;
            }

            Replies++;
            LastReply = header;
            OnReply?.Invoke(connectionId, header, body);
        }
    }
}
