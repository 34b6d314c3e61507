// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using BenchmarkDotNet.Attributes;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;
using ZkAspire.Server.Core.Tests;

namespace ZkAspire.Benchmarks;

/// <summary>
/// A write through a three-member ensemble in one thread (<see cref="InMemoryEnsemble"/>): the
/// client's setData on the leader or on a follower, its proposal, the followers' logging and
/// acknowledgments, the commit applied on all three and the reply, with peer messages passed as
/// objects and every flush durable at once. "Allocated" is the whole ensemble's cost of one write:
/// the leader's, both followers' and consensus's (the transport's encoding of peer messages is
/// left out).
/// </summary>
[MemoryDiagnoser]
public class EnsembleBenchmarks
{
    private const long LeaderConnection = 1;
    private const long FollowerConnection = 2;
    private const int Keys = 1000;

    private InMemoryEnsemble _ensemble = null!;
    private InMemoryEnsemble.Member _leader = null!;
    private InMemoryEnsemble.Member _follower = null!;
    private ClientRequest[] _setData = [];
    private int _xid;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _ensemble = new InMemoryEnsemble(3, 1_700_000_000_000);
        _ensemble.Elect();
        _leader = _ensemble.Leader;
        _follower = _ensemble.Followers.First();
        _ensemble.Connect(_leader, LeaderConnection);
        _ensemble.Connect(_follower, FollowerConnection);
        var data = new byte[100];
        new Random(42).NextBytes(data);
        var paths = Enumerable.Range(0, Keys).Select(i => "/bench/k" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        Write(_leader, LeaderConnection, new ClientRequest(0, (int)OpCode.Create, new CreateRequest("/bench", null, Acls.OpenAclUnsafe, 0)));
        foreach (var path in paths)
        {
            Write(_leader, LeaderConnection, new ClientRequest(0, (int)OpCode.Create, new CreateRequest(path, data, Acls.OpenAclUnsafe, 0)));
        }

        _setData = paths.Select(p => new ClientRequest(0, (int)OpCode.SetData, new SetDataRequest(p, data, -1))).ToArray();
    }

    [Benchmark(Description = "setData (100 B) on the leader, three members")]
    public void SetDataOnLeader() => Write(_leader, LeaderConnection, _setData[_next++ % Keys]);

    [Benchmark(Description = "setData (100 B) on a follower, three members")]
    public void SetDataOnFollower() => Write(_follower, FollowerConnection, _setData[_next++ % Keys]);

    private void Write(InMemoryEnsemble.Member member, long connection, ClientRequest request)
    {
        var replies = member.Replies;
        member.Replica.RequestReceived(connection, request with { Xid = ++_xid }, _ensemble.NowMs);
        _ensemble.Settle();
        if (member.Replies != replies + 1 || member.LastReply.Error != KeeperErrorCode.Ok)
        {
            throw new InvalidOperationException($"the write was answered {member.Replies - replies} times, last with {member.LastReply.Error}");
        }
    }
}
