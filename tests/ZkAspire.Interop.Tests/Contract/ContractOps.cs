// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests.Contract;

/// <summary>One call per ZooKeeper operation over a <see cref="RawZooKeeperConnection"/>, and reply assertions.</summary>
internal static class ContractOps
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<RawCall> CreateAsync(this RawZooKeeperConnection c, string path, byte[]? data = null, IReadOnlyList<ACL>? acl = null, CreateMode mode = CreateMode.Persistent, OpCode op = OpCode.Create2) =>
        c.CallAsync(op, new CreateRequest(path, data ?? [], acl ?? Acls.OpenAclUnsafe, (int)mode), Ct);

    public static Task<RawCall> CreateTtlAsync(this RawZooKeeperConnection c, string path, long ttl, CreateMode mode = CreateMode.PersistentWithTtl, byte[]? data = null) =>
        c.CallAsync(OpCode.CreateTTL, new CreateTTLRequest(path, data ?? [], Acls.OpenAclUnsafe, (int)mode, ttl), Ct);

    public static Task<RawCall> DeleteAsync(this RawZooKeeperConnection c, string path, int version = -1) =>
        c.CallAsync(OpCode.Delete, new DeleteRequest(path, version), Ct);

    public static Task<RawCall> ExistsAsync(this RawZooKeeperConnection c, string path, bool watch = false) =>
        c.CallAsync(OpCode.Exists, new ExistsRequest(path, watch), Ct);

    public static Task<RawCall> GetDataAsync(this RawZooKeeperConnection c, string path, bool watch = false) =>
        c.CallAsync(OpCode.GetData, new GetDataRequest(path, watch), Ct);

    public static Task<RawCall> SetDataAsync(this RawZooKeeperConnection c, string path, byte[]? data, int version = -1) =>
        c.CallAsync(OpCode.SetData, new SetDataRequest(path, data, version), Ct);

    public static Task<RawCall> GetAclAsync(this RawZooKeeperConnection c, string path) =>
        c.CallAsync(OpCode.GetACL, new GetACLRequest(path), Ct);

    public static Task<RawCall> SetAclAsync(this RawZooKeeperConnection c, string path, IReadOnlyList<ACL>? acl, int version = -1) =>
        c.CallAsync(OpCode.SetACL, new SetACLRequest(path, acl, version), Ct);

    public static Task<RawCall> GetChildrenAsync(this RawZooKeeperConnection c, string path, bool watch = false) =>
        c.CallAsync(OpCode.GetChildren, new GetChildrenRequest(path, watch), Ct);

    public static Task<RawCall> GetChildren2Async(this RawZooKeeperConnection c, string path, bool watch = false) =>
        c.CallAsync(OpCode.GetChildren2, new GetChildren2Request(path, watch), Ct);

    public static Task<RawCall> SyncAsync(this RawZooKeeperConnection c, string path) =>
        c.CallAsync(OpCode.Sync, new SyncRequest(path), Ct);

    public static Task<RawCall> AddWatchAsync(this RawZooKeeperConnection c, string path, AddWatchMode mode) =>
        c.CallAsync(OpCode.AddWatch, new AddWatchRequest(path, (int)mode), Ct);

    public static Task<RawCall> CheckWatchesAsync(this RawZooKeeperConnection c, string path, WatcherType type) =>
        c.CallAsync(OpCode.CheckWatches, new CheckWatchesRequest(path, (int)type), Ct);

    public static Task<RawCall> RemoveWatchesAsync(this RawZooKeeperConnection c, string path, WatcherType type) =>
        c.CallAsync(OpCode.RemoveWatches, new RemoveWatchesRequest(path, (int)type), Ct);

    public static Task<RawCall> AuthAsync(this RawZooKeeperConnection c, string scheme, string auth) =>
        c.CallAsync(OpCode.Auth, new AuthPacket(0, scheme, System.Text.Encoding.UTF8.GetBytes(auth)), Ct);

    public static Task<RawCall> DigestAsync(this RawZooKeeperConnection c, string user, string password) =>
        c.AuthAsync("digest", user + ":" + password);

    public static Task<RawCall> WhoAmIAsync(this RawZooKeeperConnection c) => c.CallAsync(OpCode.WhoAmI, null, Ct);

    public static Task<RawCall> GetEphemeralsAsync(this RawZooKeeperConnection c, string prefix) =>
        c.CallAsync(OpCode.GetEphemerals, new GetEphemeralsRequest(prefix), Ct);

    public static Task<RawCall> GetAllChildrenNumberAsync(this RawZooKeeperConnection c, string path) =>
        c.CallAsync(OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest(path), Ct);

    public static Task<RawCall> MultiAsync(this RawZooKeeperConnection c, params MultiOp[] ops) =>
        c.CallAsync(OpCode.Multi, new MultiRequest(ops), Ct);

    public static Task<RawCall> MultiReadAsync(this RawZooKeeperConnection c, params MultiOp[] ops) =>
        c.CallAsync(OpCode.MultiRead, new MultiRequest(ops), Ct);

    public static Task<RawCall> PingAsync(this RawZooKeeperConnection c) => c.CallAsync(OpCode.Ping, null, Ct);

    /// <summary>Asserts success and returns the call.</summary>
    public static RawCall AssertOk(this RawCall call)
    {
        Assert.True(call.Error == KeeperErrorCode.Ok, $"Expected Ok, got {call.Error} ({call.Reply}).");
        return call;
    }

    /// <summary>Asserts an error reply: the code, and no body (or, for Ok, just the code).</summary>
    public static RawCall AssertError(this RawCall call, KeeperErrorCode expected)
    {
        if (expected == KeeperErrorCode.Ok)
        {
            return call.AssertOk();
        }

        Assert.True(call.Error == expected, $"Expected {expected}, got {call.Error} ({call.Reply}).");
        Assert.Empty(call.Reply.Body);
        return call;
    }

    public static Stat CreatedStat(this RawCall call) => call.AssertOk().Read<Create2Response>().Stat;

    public static Stat ExistsStat(this RawCall call) => call.AssertOk().Read<ExistsResponse>().Stat;

    public static Stat SetStat(this RawCall call) => call.AssertOk().Read<SetDataResponse>().Stat;

    public static string[] SortedChildren(this RawCall call) =>
        [.. call.AssertOk().Read<GetChildrenResponse>().Children!.Order(StringComparer.Ordinal)];

    public static string[] SortedChildren2(this RawCall call) =>
        [.. call.AssertOk().Read<GetChildren2Response>().Children!.Order(StringComparer.Ordinal)];

    public static byte[] Encode(IJuteRecord record)
    {
        using var writer = new JuteWriter();
        record.Write(writer);
        return writer.ToArray();
    }

    public static MultiOp Create(string path, byte[]? data = null, CreateMode mode = CreateMode.Persistent, OpCode op = OpCode.Create) =>
        new(op, new CreateRequest(path, data ?? [], Acls.OpenAclUnsafe, (int)mode));

    public static MultiOp Delete(string path, int version = -1) => new(OpCode.Delete, new DeleteRequest(path, version));

    public static MultiOp SetData(string path, byte[] data, int version = -1) => new(OpCode.SetData, new SetDataRequest(path, data, version));

    public static MultiOp Check(string path, int version) => new(OpCode.Check, new CheckVersionRequest(path, version));

    public static MultiOp GetData(string path) => new(OpCode.GetData, new GetDataRequest(path, false));

    public static MultiOp GetChildren(string path) => new(OpCode.GetChildren, new GetChildrenRequest(path, false));

    /// <summary>The events of a call's notifications, as (type, path) pairs, for compact assertions.</summary>
    public static (EventType Type, string? Path)[] EventList(this RawCall call) =>
        [.. call.Events.Select(e => (e.Type, e.Path))];

    /// <summary>
    /// Receives one notification that must arrive on its own (no reply expected), within the
    /// connection's receive timeout.
    /// </summary>
    public static async Task<(RawFrame Frame, WatcherEvent Event)> ReceiveNotificationAsync(this RawZooKeeperConnection c)
    {
        var frame = await c.ReceiveAsync(Ct) ?? throw new InvalidOperationException("The server closed the connection.");
        Assert.True(frame.IsNotification, $"Expected a notification, got {frame}.");
        return (frame, frame.ReadEvent());
    }
}
