// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol.Tests;

/// <summary>
/// Sample values of every record, covering null versus empty buffers, strings and vectors, the
/// optional readOnly byte, non-ASCII strings and the extremes of every integer field.
/// </summary>
internal static class RecordSamples
{
    public static readonly Stat SampleStat = new(
        Czxid: 0x0000000100000002,
        Mzxid: 0x0000000100000003,
        Ctime: 1_700_000_000_123,
        Mtime: 1_700_000_000_456,
        Version: 7,
        Cversion: -1,
        Aversion: 2,
        EphemeralOwner: 0x0100000A3C5E0000,
        DataLength: 11,
        NumChildren: 3,
        Pzxid: 0x0000000100000004);

    public static readonly Stat ExtremeStat = new(long.MinValue, long.MaxValue, -1, 0, int.MinValue, int.MaxValue, -1, long.MinValue, 0, int.MaxValue, -1);

    private static readonly ACL DigestAcl = new(Perms.Read | Perms.Admin, new Id("digest", "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E="));
    private static readonly ACL IpAcl = new(Perms.All, new Id("ip", "10.0.0.0/8"));

    /// <summary>Gets the samples by a descriptive name; names start with the record's type name.</summary>
    public static IReadOnlyDictionary<string, IJuteRecord> All { get; } = Build();

    /// <summary>Gets the sample names, for theory data.</summary>
    public static TheoryData<string> Names => [.. All.Keys];

    /// <summary>Gets a frame for every request sample: header (with the sample's opcode) plus body.</summary>
    public static IReadOnlyList<(string Name, OpCode Type, byte[] Payload)> RequestPayloads { get; } = BuildRequestPayloads();

    private static Dictionary<string, IJuteRecord> Build()
    {
        var samples = new Dictionary<string, IJuteRecord>(StringComparer.Ordinal)
        {
            ["Id/world anyone"] = Id.AnyoneIdUnsafe,
            ["Id/null fields"] = new Id(null, null),
            ["Id/empty fields"] = new Id(string.Empty, string.Empty),
            ["ACL/digest"] = DigestAcl,
            ["ACL/no perms, unknown bits"] = new ACL((Perms)0x40 | Perms.None, new Id("world", "anyone")),
            ["Stat/sample"] = SampleStat,
            ["Stat/extremes"] = ExtremeStat,
            ["Stat/default"] = default(Stat),
            ["ClientInfo/ip"] = new ClientInfo("ip", "127.0.0.1"),
            ["ClientInfo/null"] = new ClientInfo(null, null),

            ["ConnectRequest/new session with readOnly"] = new ConnectRequest(0, 0, 30_000, 0, new byte[16], false),
            ["ConnectRequest/resume, readOnly true"] = new ConnectRequest(0, 0x1_0000_0042, 4_000, 0x0100000A3C5E0000, [.. Enumerable.Range(1, 16).Select(i => (byte)i)], true),
            ["ConnectRequest/old client without readOnly"] = new ConnectRequest(0, 5, 10_000, 0, new byte[16], null),
            ["ConnectRequest/null password"] = new ConnectRequest(0, 0, 10_000, 0, null, false),
            ["ConnectRequest/empty password, old client"] = new ConnectRequest(0, 0, 10_000, 0, [], null),
            ["ConnectResponse/new client"] = new ConnectResponse(0, 30_000, 0x0100000A3C5E0000, Hex.Parse("c0 40 a2 56 4d 43 d7 a6 9e a1 1b e9 de 0c 42 ab"), false),
            ["ConnectResponse/old client"] = new ConnectResponse(0, 30_000, 0x0100000A3C5E0000, Hex.Parse("c0 40 a2 56 4d 43 d7 a6 9e a1 1b e9 de 0c 42 ab"), null),
            ["ConnectResponse/expired"] = new ConnectResponse(0, 0, 0, new byte[16], false),
            ["ConnectResponse/read-only server"] = new ConnectResponse(0, 4_000, 1, new byte[16], true),
            ["ConnectResponse/null password"] = new ConnectResponse(0, 4_000, 1, null, null),
            ["ConnectExtension/trace context"] = new ConnectExtension(TraceContextExtension.TraceContextFeature),
            ["ConnectExtension/no features"] = new ConnectExtension(0),
            ["TraceContextHeader/traceparent only"] = new TraceContextHeader("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null, (int)OpCode.Create2),
            ["TraceContextHeader/with tracestate"] = new TraceContextHeader("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", "rojo=00f067aa0ba902b7", (int)OpCode.Multi),

            ["RequestHeader/create"] = new RequestHeader(1, (int)OpCode.Create),
            ["RequestHeader/ping"] = new RequestHeader(Xids.Ping, (int)OpCode.Ping),
            ["RequestHeader/unknown opcode"] = new RequestHeader(int.MaxValue, 999),
            ["ReplyHeader/ok"] = new ReplyHeader(1, 2, 0),
            ["ReplyHeader/notification 3.8"] = new ReplyHeader(Xids.Notification, -1, 0),
            ["ReplyHeader/error"] = new ReplyHeader(int.MinValue, long.MaxValue, (int)KeeperErrorCode.NodeExists),
            ["MultiHeader/request op"] = new MultiHeader((int)OpCode.Create, false, -1),
            ["MultiHeader/end"] = MultiHeader.End,
            ["AuthPacket/digest"] = new AuthPacket(0, "digest", "alice:secret"u8.ToArray()),
            ["AuthPacket/null auth"] = new AuthPacket(0, "digest", null),
            ["AuthPacket/empty auth, null scheme"] = new AuthPacket(0, null, []),
            ["WatcherEvent/data changed"] = new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/app"),
            ["WatcherEvent/null path"] = new WatcherEvent(EventType.None, KeeperState.Expired, null),
            ["WatcherEvent/unknown values"] = new WatcherEvent((EventType)42, (KeeperState)(-42), "/"),
            ["ErrorResponse/ok"] = new ErrorResponse(0),
            ["ErrorResponse/no node"] = new ErrorResponse((int)KeeperErrorCode.NoNode),

            ["CreateRequest/persistent"] = new CreateRequest("/app", "hi"u8.ToArray(), Acls.OpenAclUnsafe, 0),
            ["CreateRequest/null data, null acl"] = new CreateRequest("/a", null, null, (int)CreateMode.Ephemeral),
            ["CreateRequest/empty data, empty acl"] = new CreateRequest("/a", [], [], (int)CreateMode.EphemeralSequential),
            ["CreateRequest/non-ASCII path, several ACLs"] = new CreateRequest("/ü/日本/é", [0, 255, 1], [DigestAcl, IpAcl, .. Acls.CreatorAllAcl], (int)CreateMode.PersistentSequential),
            ["CreateRequest/invalid flags"] = new CreateRequest("/a", [1], Acls.ReadAclUnsafe, -7),
            ["CreateTTLRequest/ttl"] = new CreateTTLRequest("/t", "x"u8.ToArray(), Acls.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl, 1000),
            ["CreateTTLRequest/max ttl, null data"] = new CreateTTLRequest("/t", null, Acls.OpenAclUnsafe, (int)CreateMode.PersistentSequentialWithTtl, 0xFF_FFFF_FFFF),
            ["CreateTTLRequest/negative ttl"] = new CreateTTLRequest("/t", [], [], 0, -1),
            ["DeleteRequest/any version"] = new DeleteRequest("/app", -1),
            ["DeleteRequest/version"] = new DeleteRequest("/app", int.MaxValue),
            ["CheckVersionRequest/version 0"] = new CheckVersionRequest("/app", 0),
            ["ExistsRequest/watch"] = new ExistsRequest("/app", true),
            ["ExistsRequest/no watch"] = new ExistsRequest("/", false),
            ["GetDataRequest/watch"] = new GetDataRequest("/app", true),
            ["SetDataRequest/data"] = new SetDataRequest("/app", "new"u8.ToArray(), 3),
            ["SetDataRequest/null data"] = new SetDataRequest("/app", null, -1),
            ["SetDataRequest/empty data"] = new SetDataRequest("/app", [], -1),
            ["GetACLRequest/path"] = new GetACLRequest("/zookeeper/config"),
            ["SetACLRequest/acl"] = new SetACLRequest("/app", [DigestAcl, IpAcl], 0),
            ["SetACLRequest/null acl"] = new SetACLRequest("/app", null, -1),
            ["SetACLRequest/empty acl"] = new SetACLRequest("/app", [], -1),
            ["GetChildrenRequest/watch"] = new GetChildrenRequest("/", true),
            ["GetChildren2Request/no watch"] = new GetChildren2Request("/app", false),
            ["GetAllChildrenNumberRequest/path"] = new GetAllChildrenNumberRequest("/"),
            ["GetEphemeralsRequest/prefix"] = new GetEphemeralsRequest("/app/e"),
            ["GetEphemeralsRequest/empty prefix"] = new GetEphemeralsRequest(string.Empty),
            ["SyncRequest/path"] = new SyncRequest("/app"),
            ["SetWatches/all lists"] = new SetWatches(0x1_0000_0005, ["/a", "/b"], ["/missing"], ["/"]),
            ["SetWatches/empty lists"] = new SetWatches(0, [], [], []),
            ["SetWatches/null lists"] = new SetWatches(-1, null, null, null),
            ["SetWatches2/all lists"] = new SetWatches2(7, ["/a"], ["/e"], ["/c"], ["/p", "/p2"], ["/r"]),
            ["SetWatches2/null and empty"] = new SetWatches2(7, null, [], null, [], null),
            ["AddWatchRequest/recursive"] = new AddWatchRequest("/app", (int)AddWatchMode.PersistentRecursive),
            ["AddWatchRequest/bad mode"] = new AddWatchRequest("/app", 99),
            ["CheckWatchesRequest/data"] = new CheckWatchesRequest("/app", (int)WatcherType.Data),
            ["RemoveWatchesRequest/any"] = new RemoveWatchesRequest("/app", (int)WatcherType.Any),
            ["ReconfigRequest/incremental"] = new ReconfigRequest("server.4=127.0.0.1:2888:3888;2181", "2", null, -1),
            ["ReconfigRequest/all null"] = new ReconfigRequest(null, null, null, 0),
            ["GetSASLRequest/token"] = new GetSASLRequest([1, 2, 3]),
            ["GetSASLRequest/null token"] = new GetSASLRequest(null),
            ["DeleteContainerRequest/path"] = new DeleteContainerRequest("/container"),

            ["CreateResponse/path"] = new CreateResponse("/queue/0000000007"),
            ["Create2Response/path and stat"] = new Create2Response("/app", SampleStat),
            ["ExistsResponse/stat"] = new ExistsResponse(SampleStat),
            ["GetDataResponse/data"] = new GetDataResponse("hi"u8.ToArray(), SampleStat),
            ["GetDataResponse/null data"] = new GetDataResponse(null, default),
            ["GetDataResponse/empty data"] = new GetDataResponse([], ExtremeStat),
            ["SetDataResponse/stat"] = new SetDataResponse(SampleStat),
            ["GetACLResponse/acl"] = new GetACLResponse([DigestAcl, new ACL(Perms.Read, new Id("digest", "alice:x"))], SampleStat),
            ["GetACLResponse/null acl"] = new GetACLResponse(null, SampleStat),
            ["SetACLResponse/stat"] = new SetACLResponse(SampleStat),
            ["GetChildrenResponse/children"] = new GetChildrenResponse(["b", "a", "zookeeper", "日本"]),
            ["GetChildrenResponse/empty"] = new GetChildrenResponse([]),
            ["GetChildrenResponse/null"] = new GetChildrenResponse(null),
            ["GetChildren2Response/children"] = new GetChildren2Response(["x"], SampleStat),
            ["GetChildren2Response/null"] = new GetChildren2Response(null, default),
            ["GetAllChildrenNumberResponse/count"] = new GetAllChildrenNumberResponse(12),
            ["GetEphemeralsResponse/paths"] = new GetEphemeralsResponse(["/app/e1", "/e2"]),
            ["GetEphemeralsResponse/empty"] = new GetEphemeralsResponse([]),
            ["SyncResponse/path"] = new SyncResponse("/app"),
            ["WhoAmIResponse/identities"] = new WhoAmIResponse([new ClientInfo("ip", "127.0.0.1"), new ClientInfo("digest", "alice")]),
            ["WhoAmIResponse/empty"] = new WhoAmIResponse([]),
            ["WhoAmIResponse/null"] = new WhoAmIResponse(null),
            ["SetSASLResponse/token"] = new SetSASLResponse([9, 8, 7]),
            ["SetSASLResponse/empty token"] = new SetSASLResponse([]),

            ["MultiRequest/every write op kind"] = new MultiRequest(
            [
                new MultiOp(OpCode.Create, new CreateRequest("/m", [], Acls.OpenAclUnsafe, 0)),
                new MultiOp(OpCode.Create2, new CreateRequest("/m/s-", null, Acls.OpenAclUnsafe, (int)CreateMode.PersistentSequential)),
                new MultiOp(OpCode.CreateContainer, new CreateRequest("/c", [], Acls.OpenAclUnsafe, (int)CreateMode.Container)),
                new MultiOp(OpCode.CreateTTL, new CreateTTLRequest("/t", [1], Acls.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl, 5000)),
                new MultiOp(OpCode.Delete, new DeleteRequest("/old", -1)),
                new MultiOp(OpCode.SetData, new SetDataRequest("/m", "v"u8.ToArray(), 0)),
                new MultiOp(OpCode.Check, new CheckVersionRequest("/app", 0)),
            ]),
            ["MultiRequest/every read op kind"] = new MultiRequest(
            [
                new MultiOp(OpCode.GetChildren, new GetChildrenRequest("/", false)),
                new MultiOp(OpCode.GetData, new GetDataRequest("/app", false)),
                new MultiOp(OpCode.GetData, new GetDataRequest("/missing", true)),
            ]),
            ["MultiRequest/empty"] = new MultiRequest([]),
            ["MultiResponse/every result kind"] = new MultiResponse(
            [
                new OpResult(OpCode.Create, KeeperErrorCode.Ok, new CreateResponse("/m")),
                new OpResult(OpCode.Create2, KeeperErrorCode.Ok, new Create2Response("/m/s-0000000000", SampleStat)),
                new OpResult(OpCode.Delete, KeeperErrorCode.Ok, null),
                new OpResult(OpCode.SetData, KeeperErrorCode.Ok, new SetDataResponse(SampleStat)),
                new OpResult(OpCode.Check, KeeperErrorCode.Ok, null),
                new OpResult(OpCode.GetChildren, KeeperErrorCode.Ok, new GetChildrenResponse(["a", "b"])),
                new OpResult(OpCode.GetData, KeeperErrorCode.Ok, new GetDataResponse(null, SampleStat)),
                OpResult.Error(KeeperErrorCode.NoNode),
            ]),
            ["MultiResponse/failed multi"] = new MultiResponse(
            [
                OpResult.Error(KeeperErrorCode.Ok),
                OpResult.Error(KeeperErrorCode.BadVersion),
                OpResult.Error(KeeperErrorCode.RuntimeInconsistency),
            ]),
            ["MultiResponse/empty"] = new MultiResponse([]),
        };
        return samples;
    }

    private static List<(string, OpCode, byte[])> BuildRequestPayloads()
    {
        var payloads = new List<(string, OpCode, byte[])>();
        var xid = 1;
        foreach (var (name, record) in All)
        {
            OpCode? type = record switch
            {
                CreateRequest => OpCode.Create2,
                CreateTTLRequest => OpCode.CreateTTL,
                DeleteRequest => OpCode.Delete,
                CheckVersionRequest => OpCode.Check,
                ExistsRequest => OpCode.Exists,
                GetDataRequest => OpCode.GetData,
                SetDataRequest => OpCode.SetData,
                GetACLRequest => OpCode.GetACL,
                SetACLRequest => OpCode.SetACL,
                GetChildrenRequest => OpCode.GetChildren,
                GetChildren2Request => OpCode.GetChildren2,
                GetAllChildrenNumberRequest => OpCode.GetAllChildrenNumber,
                GetEphemeralsRequest => OpCode.GetEphemerals,
                SyncRequest => OpCode.Sync,
                SetWatches => OpCode.SetWatches,
                SetWatches2 => OpCode.SetWatches2,
                AddWatchRequest => OpCode.AddWatch,
                CheckWatchesRequest => OpCode.CheckWatches,
                RemoveWatchesRequest => OpCode.RemoveWatches,
                ReconfigRequest => OpCode.Reconfig,
                GetSASLRequest => OpCode.Sasl,
                DeleteContainerRequest => OpCode.DeleteContainer,
                AuthPacket => OpCode.Auth,
                MultiRequest multi when multi.Ops.Any(op => op.Type is OpCode.GetData or OpCode.GetChildren) => OpCode.MultiRead,
                MultiRequest => OpCode.Multi,
                _ => null,
            };
            if (type is { } opcode)
            {
                payloads.Add((name, opcode, Jute.Encode(new Payload(new RequestHeader(xid++, (int)opcode), record))));
            }
        }

        return payloads;
    }

    /// <summary>A header followed by a body, as one record.</summary>
    private sealed record Payload(RequestHeader Header, IJuteRecord Body) : IJuteRecord
    {
        public void Write(JuteWriter writer)
        {
            Header.Write(writer);
            Body.Write(writer);
        }
    }
}
