// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// Replies whose bodies the core makes inline (<see cref="ReplyBody"/>) encode byte for byte as
/// the records they stand for, so that a host that writes them straight into its output (the
/// server) puts the same bytes on the wire as one that keeps records.
/// </summary>
public sealed class ReplyBodyTests
{
    private const long Now = 1_700_000_000_000;
    private static readonly Stat SampleStat = new(0x100000001, 0x100000fff, Now, Now + 123, 42, 7, 3, 0x55, 100, 2, 0x100000abc);

    public static TheoryData<string> InlineKinds() => ["getData", "getData null", "exists", "setData", "setACL", "create", "create2", "children none", "children2 none", "record", "none"];

    [Theory]
    [MemberData(nameof(InlineKinds))]
    public void An_inline_body_writes_the_bytes_of_its_record(string kind)
    {
        var (body, record) = kind switch
        {
            "getData" => (ReplyBody.GetData([1, 2, 3], SampleStat), (IJuteRecord?)new GetDataResponse([1, 2, 3], SampleStat)),
            "getData null" => (ReplyBody.GetData(null, SampleStat), new GetDataResponse(null, SampleStat)),
            "exists" => (ReplyBody.Exists(SampleStat), new ExistsResponse(SampleStat)),
            "setData" => (ReplyBody.SetData(SampleStat), new SetDataResponse(SampleStat)),
            "setACL" => (ReplyBody.SetAcl(SampleStat), new SetACLResponse(SampleStat)),
            "create" => (ReplyBody.Create("/a/b-0000000001"), new CreateResponse("/a/b-0000000001")),
            "create2" => (ReplyBody.Create2("/é", SampleStat), new Create2Response("/é", SampleStat)),
            "children none" => (ReplyBody.Children(null), new GetChildrenResponse([])),
            "children2 none" => (ReplyBody.Children2(null, SampleStat), new GetChildren2Response([], SampleStat)),
            "record" => (ReplyBody.FromRecord(new SyncResponse("/x")), new SyncResponse("/x")),
            _ => (default(ReplyBody), null),
        };

        Assert.Equal(Encode(record), Encode(body));
        var converted = body.ToRecord();
        Assert.Equal(record?.GetType(), converted?.GetType());
        Assert.Equal(Encode(record), Encode(converted));
        Assert.Equal(record is null, body.IsEmpty);
    }

    [Fact]
    public void Children_are_written_from_the_set_in_its_order_as_a_string_vector()
    {
        var leaf = new DataNode([], Acls.OpenAclUnsafe, default);
        var children = new Dictionary<string, DataNode>(StringComparer.Ordinal) { ["b"] = leaf, ["a"] = leaf, ["ü-0000000003"] = leaf }.Keys;
        var names = children.ToArray();

        Assert.Equal(Encode(new GetChildrenResponse(names)), Encode(ReplyBody.Children(children)));
        Assert.Equal(Encode(new GetChildren2Response(names, SampleStat)), Encode(ReplyBody.Children2(children, SampleStat)));
        Assert.Equal(names, Assert.IsType<GetChildrenResponse>(ReplyBody.Children(children).ToRecord()).Children);
    }

    [Fact]
    public void The_replica_sends_inline_bodies_that_encode_as_the_records_a_recording_host_gets()
    {
        // Two replicas fed the same requests: one host encodes the inline bodies, the other takes
        // the records (IReplicaOutput's default); the frames must be the same bytes.
        var inline = new EncodingOutput(useInline: true);
        var records = new EncodingOutput(useInline: false);
        foreach (var output in new[] { inline, records })
        {
            var options = new ReplicaOptions { TickTimeMs = 2000, SessionIdSeed = 0x0100_0000_0000_0001, ExtendedTypesEnabled = true };
            var replica = new Replica(options, output);
            replica.ConnectionOpened(1, "127.0.0.1", Now);
            replica.ConnectRequestReceived(1, new ConnectRequest(0, 0, 30_000, 0, new byte[16], false), Now);
            var xid = 0;
            void Send(OpCode type, IJuteRecord? body) => replica.RequestReceived(1, new ClientRequest(++xid, (int)type, body), Now);

            Send(OpCode.Create, new CreateRequest("/p", [9], Acls.OpenAclUnsafe, 0));
            Send(OpCode.Create2, new CreateRequest("/p/c-", [1], Acls.OpenAclUnsafe, (int)CreateMode.PersistentSequential));
            Send(OpCode.CreateContainer, new CreateRequest("/box", null, Acls.OpenAclUnsafe, (int)CreateMode.Container));
            Send(OpCode.CreateTTL, new CreateTTLRequest("/ttl", null, Acls.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl, 60_000));
            Send(OpCode.Create, new CreateRequest("/p/d", null, Acls.OpenAclUnsafe, 0));
            Send(OpCode.GetData, new GetDataRequest("/p", true));
            Send(OpCode.GetData, new GetDataRequest("/p/d", false));
            Send(OpCode.GetData, new GetDataRequest("/missing", false));
            Send(OpCode.Exists, new ExistsRequest("/p", false));
            Send(OpCode.Exists, new ExistsRequest("/missing", true));
            Send(OpCode.GetChildren, new GetChildrenRequest("/p", true));
            Send(OpCode.GetChildren2, new GetChildren2Request("/p", false));
            Send(OpCode.GetChildren, new GetChildrenRequest("/p/d", false));
            Send(OpCode.SetData, new SetDataRequest("/p", [1, 2], -1));
            Send(OpCode.SetData, new SetDataRequest("/p", [1, 2], 99));
            Send(OpCode.SetACL, new SetACLRequest("/p/d", Acls.OpenAclUnsafe, -1));
            Send(OpCode.Sync, new SyncRequest("/p"));
            Send(OpCode.Ping, null);
            Send(OpCode.Create, new CreateRequest("/missing/child", null, Acls.OpenAclUnsafe, 0));
            Send(OpCode.MultiRead, new MultiRequest([new MultiOp(OpCode.GetData, new GetDataRequest("/p", false)), new MultiOp(OpCode.GetChildren, new GetChildrenRequest("/p", false))]));
        }

        Assert.True(inline.InlineBodies >= 10, $"only {inline.InlineBodies} inline bodies");
        Assert.Equal(records.Frames.Count, inline.Frames.Count);
        for (var i = 0; i < inline.Frames.Count; i++)
        {
            Assert.Equal(records.Frames[i], inline.Frames[i]);
        }
    }

    private static byte[] Encode(IJuteRecord? record)
    {
        using var writer = new JuteWriter();
        record?.Write(writer);
        return writer.ToArray();
    }

    private static byte[] Encode(in ReplyBody body)
    {
        using var writer = new JuteWriter();
        body.Write(writer);
        return writer.ToArray();
    }

    /// <summary>Encodes every frame, from the inline body or from its record.</summary>
    private sealed class EncodingOutput(bool useInline) : IReplicaOutput
    {
        public List<byte[]> Frames { get; } = [];

        public int InlineBodies { get; private set; }

        public void SendConnectResponse(long connectionId, ConnectResponse response) => Frames.Add(Encode(response));

        public void Send(long connectionId, ReplyHeader header, IJuteRecord? body)
        {
            using var writer = new JuteWriter();
            Framing.WriteFrame(writer, header, body);
            Frames.Add(writer.ToArray());
        }

        public void Send(long connectionId, ReplyHeader header, in ReplyBody body)
        {
            if (!useInline)
            {
                Send(connectionId, header, body.ToRecord());
                return;
            }

            InlineBodies++;
            using var writer = new JuteWriter();
            body.WriteFrame(writer, header);
            Frames.Add(writer.ToArray());
        }

        public void Close(long connectionId, string reason) => Frames.Add([0xff]);
    }
}
