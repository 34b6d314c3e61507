// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// An ensemble member reuses the <see cref="Request"/> of an answered write (docs/performance.md,
/// "Allocations on the request path"), and a wrongly reused one would answer a client with another
/// request's result: these runs pipeline writes, reads, errors and multis from sessions on the
/// leader and on both followers, so that proposals from several sessions are in flight at once and
/// each follower's commits interleave its own sessions' writes with everyone else's, then check
/// every reply (its xid, error and body) against what that request alone must get.
/// </summary>
public sealed class EnsembleRequestReuseTests
{
    private const long Now = 1_700_000_000_000;

    [Fact]
    public void PipelinedWritesFromSessionsOnEveryMemberAreAnsweredEachWithItsOwnResult()
    {
        var ensemble = new InMemoryEnsemble(3, Now);
        ensemble.Elect();
        var clients = Clients(ensemble);
        Call(ensemble, clients[0], OpCode.Create, new CreateRequest("/p", null, Acls.OpenAclUnsafe, 0), Expect(KeeperErrorCode.Ok));

        for (var round = 0; round < 20; round++)
        {
            // Every client's ops of a round go out one op at a time, round-robin across the
            // clients, before anything is delivered: zxids interleave the sessions.
            var scripts = clients.Select(c => Script(c.Name, round)).ToArray();
            for (var step = 0; step < scripts[0].Count; step++)
            {
                for (var i = 0; i < clients.Length; i++)
                {
                    var (type, body, check) = scripts[i][step];
                    clients[i].Send(ensemble, type, body, check);
                }
            }

            // Some rounds settle at once, others pile up behind the next round.
            if (round % 3 != 1)
            {
                ensemble.Settle();
            }
        }

        ensemble.Settle();
        foreach (var client in clients)
        {
            client.AssertAllAnswered();
        }

        var state = ensemble.Members[0].Replica.DumpState();
        foreach (var member in ensemble.Members)
        {
            Assert.Equal(state, member.Replica.DumpState());
            Assert.Empty(member.Closed);
        }
    }

    [Fact]
    public void AnEnsembleMemberReusesTheRequestsOfAnsweredWritesAndForwardedOnes()
    {
        var ensemble = new InMemoryEnsemble(3, Now);
        ensemble.Elect();
        var clients = Clients(ensemble);
        Call(ensemble, clients[0], OpCode.Create, new CreateRequest("/p", null, Acls.OpenAclUnsafe, 0), Expect(KeeperErrorCode.Ok));
        foreach (var client in clients)
        {
            Call(ensemble, client, OpCode.Create, new CreateRequest("/p/" + client.Name, null, Acls.OpenAclUnsafe, 0), Expect(KeeperErrorCode.Ok));
        }

        void Round()
        {
            foreach (var client in clients)
            {
                client.Send(ensemble, OpCode.SetData, new SetDataRequest("/p/" + client.Name, Data("x"), -1), Expect(KeeperErrorCode.Ok));
                client.Send(ensemble, OpCode.GetData, new GetDataRequest("/p/" + client.Name, false), Expect(KeeperErrorCode.Ok));
                client.Send(ensemble, OpCode.SetData, new SetDataRequest("/p/" + client.Name, Data("y"), 0), Expect(KeeperErrorCode.BadVersion));
            }

            ensemble.Settle();
        }

        // Warm up: the pools fill to the most requests in flight at once.
        for (var i = 0; i < 5; i++)
        {
            Round();
        }

        var created = ensemble.Members.Select(m => m.Replica.RequestsCreated).ToArray();
        var readys = ensemble.Members.Select(m => m.Replica.ReadysCreated).ToArray();
        Assert.All(readys, r => Assert.True(r > 0));
        for (var i = 0; i < 200; i++)
        {
            Round();
        }

        foreach (var client in clients)
        {
            client.AssertAllAnswered();
        }

        Assert.Equal(created, ensemble.Members.Select(m => m.Replica.RequestsCreated).ToArray());

        // Consensus's Readys are recycled by every member too: none is made after the warm-up.
        Assert.Equal(readys, ensemble.Members.Select(m => m.Replica.ReadysCreated).ToArray());
    }

    [Fact]
    public void SessionsThatComeAndGoWithWritesInFlightLeaveTheOthersAnsweredCorrectly()
    {
        var ensemble = new InMemoryEnsemble(3, Now);
        ensemble.Elect();
        var clients = Clients(ensemble);
        Call(ensemble, clients[0], OpCode.Create, new CreateRequest("/p", null, Acls.OpenAclUnsafe, 0), Expect(KeeperErrorCode.Ok));
        var nextConnection = 100L;
        for (var round = 0; round < 10; round++)
        {
            // A short-lived session on each member: an ephemeral, a write, then its close, all in
            // flight with the long-lived sessions' writes.
            var transient = ensemble.Members.Select(m => new Client(m, nextConnection++, "t" + round.ToString(CultureInfo.InvariantCulture) + "m" + m.Id.ToString(CultureInfo.InvariantCulture))).ToArray();
            foreach (var client in transient)
            {
                ensemble.Connect(client.Member, client.Connection);
            }

            foreach (var client in transient.Concat(clients))
            {
                var path = "/p/" + client.Name + "-" + round.ToString(CultureInfo.InvariantCulture);
                client.Send(ensemble, OpCode.Create, new CreateRequest(path, Data(path), Acls.OpenAclUnsafe, (int)CreateMode.Ephemeral), ExpectCreated(path));
                client.Send(ensemble, OpCode.SetData, new SetDataRequest(path, Data("v1"), 0), ExpectVersion(1));
            }

            foreach (var client in transient)
            {
                client.Send(ensemble, OpCode.CloseSession, null, Expect(KeeperErrorCode.Ok));
            }

            ensemble.Settle();
            foreach (var client in transient.Concat(clients))
            {
                client.AssertAllAnswered();
            }

            foreach (var member in ensemble.Members)
            {
                foreach (var client in transient)
                {
                    Assert.Null(member.Replica.Tree.GetNode("/p/" + client.Name + "-" + round.ToString(CultureInfo.InvariantCulture)));
                }

                foreach (var client in clients)
                {
                    Assert.Equal("v1", Encoding.UTF8.GetString(member.Replica.Tree.GetNode("/p/" + client.Name + "-" + round.ToString(CultureInfo.InvariantCulture))!.Data!));
                }
            }
        }
    }

    [Fact]
    public void AStandaloneServerWithGroupCommitReusesTheRequestsOfABatchAndOfTheReadsQueuedBehindIt()
    {
        var output = new RecordingOutput();
        var persistence = new RecordingPersistence();
        var replica = new Replica(new ReplicaOptions { TickTimeMs = 2000, SessionIdSeed = 0x0100_0000_0000_0001 }, output, persistence);
        replica.ConnectionOpened(1, "127.0.0.1", Now);
        replica.ConnectRequestReceived(1, new ConnectRequest(0, 0, 30_000, 0, new byte[16], false), Now);
        replica.Persisted(persistence.Appended[^1].Zxid, Now);
        var xid = 0;
        var version = -1;

        // One batch: writes and reads pipelined before one fsync, as the host's group commit sees them.
        void Batch(int writes)
        {
            output.Frames.Clear();
            var first = xid + 1;
            for (var i = 0; i < writes; i++)
            {
                replica.RequestReceived(1, new ClientRequest(++xid, (int)OpCode.SetData, new SetDataRequest("/n", Data("v"), version)), Now);
                version++;
                replica.RequestReceived(1, new ClientRequest(++xid, (int)OpCode.GetData, new GetDataRequest("/n", false)), Now);
            }

            Assert.Empty(output.Frames);
            replica.Persisted(persistence.Appended[^1].Zxid, Now);
            Assert.Equal(Enumerable.Range(first, 2 * writes), output.Frames.Select(f => f.Header.Xid));
            for (var i = 0; i < writes; i++)
            {
                Assert.Equal(version - writes + 1 + i, Assert.IsType<SetDataResponse>(output.Frames[2 * i].Body).Stat.Version);

                // A read queued behind a write sees that write and no later one.
                Assert.Equal(version - writes + 1 + i, Assert.IsType<GetDataResponse>(output.Frames[(2 * i) + 1].Body).Stat.Version);
            }
        }

        replica.RequestReceived(1, new ClientRequest(++xid, (int)OpCode.Create, new CreateRequest("/n", null, Acls.OpenAclUnsafe, 0)), Now);
        replica.Persisted(persistence.Appended[^1].Zxid, Now);
        version = 0;
        Batch(16);
        var created = replica.RequestsCreated;
        for (var round = 0; round < 50; round++)
        {
            Batch(1 + (round % 16));
        }

        Assert.Equal(created, replica.RequestsCreated);
    }

    // Two sessions on the leader and two on each follower.
    private static Client[] Clients(InMemoryEnsemble ensemble)
    {
        var members = new[] { ensemble.Leader }.Concat(ensemble.Followers).ToArray();
        var clients = new List<Client>();
        var connection = 1L;
        foreach (var member in members)
        {
            for (var i = 0; i < 2; i++)
            {
                var client = new Client(member, connection++, "s" + member.Id.ToString(CultureInfo.InvariantCulture) + "c" + i.ToString(CultureInfo.InvariantCulture));
                ensemble.Connect(member, client.Connection);
                clients.Add(client);
            }
        }

        return [.. clients];
    }

    // One round of one client: every kind of write, a failing one of each, a read queued behind
    // them, a multi that succeeds and one that fails, each answer checked against its own request.
    private static List<(OpCode, IJuteRecord?, Action<ReplyHeader, IJuteRecord?>)> Script(string name, int round)
    {
        var r = round.ToString(CultureInfo.InvariantCulture);
        var node = $"/p/{name}-{r}";
        return
        [
            (OpCode.Create, new CreateRequest(node, Data("a" + r), Acls.OpenAclUnsafe, 0), ExpectCreated(node)),
            (OpCode.Create2, new CreateRequest(node + "-2", Data("b"), Acls.OpenAclUnsafe, (int)CreateMode.PersistentSequential), ExpectCreated2Under(node + "-2")),
            (OpCode.SetData, new SetDataRequest(node, Data("c" + r), 0), ExpectVersion(1)),
            (OpCode.SetData, new SetDataRequest(node, Data("wrong"), 0), Expect(KeeperErrorCode.BadVersion)),
            (OpCode.GetData, new GetDataRequest(node, false), ExpectData("c" + r, 1)),
            (OpCode.Create, new CreateRequest(node, null, Acls.OpenAclUnsafe, 0), Expect(KeeperErrorCode.NodeExists)),
            (OpCode.Delete, new DeleteRequest(node + "-missing", -1), Expect(KeeperErrorCode.NoNode)),
            (OpCode.Multi, new MultiRequest([
                new MultiOp(OpCode.Create, new CreateRequest(node + "/m", Data("m"), Acls.OpenAclUnsafe, 0)),
                new MultiOp(OpCode.SetData, new SetDataRequest(node, Data("d" + r), 1)),
                new MultiOp(OpCode.Check, new CheckVersionRequest(node, 2)),
            ]), ExpectMulti((OpCode.Create, KeeperErrorCode.Ok, node + "/m"), (OpCode.SetData, KeeperErrorCode.Ok, null), (OpCode.Check, KeeperErrorCode.Ok, null))),
            (OpCode.Multi, new MultiRequest([
                new MultiOp(OpCode.Create, new CreateRequest(node + "/never", null, Acls.OpenAclUnsafe, 0)),
                new MultiOp(OpCode.Delete, new DeleteRequest(node + "/nothing", -1)),
                new MultiOp(OpCode.SetData, new SetDataRequest(node, Data("never"), -1)),
            ]), ExpectMulti((OpCode.Error, KeeperErrorCode.Ok, null), (OpCode.Error, KeeperErrorCode.NoNode, null), (OpCode.Error, KeeperErrorCode.RuntimeInconsistency, null))),
            (OpCode.GetData, new GetDataRequest(node, false), ExpectData("d" + r, 2)),
            (OpCode.Exists, new ExistsRequest(node + "/never", false), Expect(KeeperErrorCode.NoNode)),
        ];
    }

    private static void Call(InMemoryEnsemble ensemble, Client client, OpCode type, IJuteRecord? body, Action<ReplyHeader, IJuteRecord?> check)
    {
        client.Send(ensemble, type, body, check);
        ensemble.Settle();
        client.AssertAllAnswered();
    }

    private static byte[] Data(string text) => Encoding.UTF8.GetBytes(text);

    private static Action<ReplyHeader, IJuteRecord?> Expect(KeeperErrorCode error) =>
        (header, _) => Assert.Equal(error, header.Error);

    private static Action<ReplyHeader, IJuteRecord?> ExpectCreated(string path) => (header, body) =>
    {
        Assert.Equal(KeeperErrorCode.Ok, header.Error);
        Assert.Equal(path, Assert.IsType<CreateResponse>(body).Path);
    };

    private static Action<ReplyHeader, IJuteRecord?> ExpectCreated2Under(string prefix) => (header, body) =>
    {
        Assert.Equal(KeeperErrorCode.Ok, header.Error);
        var created = Assert.IsType<Create2Response>(body);
        Assert.StartsWith(prefix, created.Path, StringComparison.Ordinal);
        Assert.Equal(prefix.Length + 10, created.Path.Length);
        Assert.Equal(0, created.Stat.Version);
    };

    private static Action<ReplyHeader, IJuteRecord?> ExpectVersion(int version) => (header, body) =>
    {
        Assert.Equal(KeeperErrorCode.Ok, header.Error);
        Assert.Equal(version, Assert.IsType<SetDataResponse>(body).Stat.Version);
    };

    private static Action<ReplyHeader, IJuteRecord?> ExpectData(string data, int version) => (header, body) =>
    {
        Assert.Equal(KeeperErrorCode.Ok, header.Error);
        var read = Assert.IsType<GetDataResponse>(body);
        Assert.Equal(data, Encoding.UTF8.GetString(read.Data!));
        Assert.Equal(version, read.Stat.Version);
    };

    private static Action<ReplyHeader, IJuteRecord?> ExpectMulti(params (OpCode Type, KeeperErrorCode Err, string? Path)[] results) => (header, body) =>
    {
        Assert.Equal(KeeperErrorCode.Ok, header.Error);
        var multi = Assert.IsType<MultiResponse>(body);
        Assert.Equal(results.Length, multi.Results.Count);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(results[i].Type, multi.Results[i].Type);
            Assert.Equal(results[i].Err, multi.Results[i].Err);
            if (results[i].Path is { } path)
            {
                Assert.Equal(path, Assert.IsType<CreateResponse>(multi.Results[i].Record).Path);
            }
        }
    };

    /// <summary>One session on one member: the requests it sent, in xid order, with what each must get.</summary>
    private sealed class Client
    {
        private readonly Queue<(int Xid, Action<ReplyHeader, IJuteRecord?> Check)> _expected = new();
        private int _xid;

        public Client(InMemoryEnsemble.Member member, long connection, string name)
        {
            Member = member;
            Connection = connection;
            Name = name;
            var previous = member.OnReply;
            member.OnReply = (id, header, body) =>
            {
                if (id == Connection)
                {
                    Received(header, body);
                }
                else
                {
                    previous?.Invoke(id, header, body);
                }
            };
        }

        public InMemoryEnsemble.Member Member { get; }

        public long Connection { get; }

        public string Name { get; }

        public void Send(InMemoryEnsemble ensemble, OpCode type, IJuteRecord? body, Action<ReplyHeader, IJuteRecord?> check)
        {
            var xid = ++_xid;
            _expected.Enqueue((xid, check));
            Member.Replica.RequestReceived(Connection, new ClientRequest(xid, (int)type, body), ensemble.NowMs);
        }

        public void AssertAllAnswered() => Assert.True(_expected.Count == 0, $"{Name}: {_expected.Count} requests unanswered, the first xid {(_expected.Count > 0 ? _expected.Peek().Xid : 0)}");

        private void Received(ReplyHeader header, IJuteRecord? body)
        {
            Assert.True(_expected.TryDequeue(out var expected), $"{Name}: a reply to xid {header.Xid} that nothing waited for");
            Assert.Equal(expected.Xid, header.Xid);
            expected.Check(header, body);
        }
    }
}
