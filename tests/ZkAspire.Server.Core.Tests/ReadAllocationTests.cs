// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// The core serves the hottest reads without allocating (docs/performance.md, "Allocations on the
/// request path"): a read held inline by the transport, a reused Request, the reply body inline to
/// a host that encodes it at once. Counted in bytes, not timed.
/// </summary>
public sealed class ReadAllocationTests
{
    private const long Now = 1_700_000_000_000;

    [Theory]
    [InlineData(OpCode.GetData)]
    [InlineData(OpCode.Exists)]
    [InlineData(OpCode.GetChildren)]
    [InlineData(OpCode.GetChildren2)]
    public void A_read_through_the_core_allocates_nothing(OpCode type)
    {
        var output = new EncodingOutput();
        var replica = new Replica(new ReplicaOptions { TickTimeMs = 2000, SessionIdSeed = 0x0100_0000_0000_0001 }, output);
        replica.ConnectionOpened(1, "127.0.0.1", Now);
        replica.ConnectRequestReceived(1, new ConnectRequest(0, 0, 30_000, 0, new byte[16], false), Now);
        replica.RequestReceived(1, new ClientRequest(1, (int)OpCode.Create, new CreateRequest("/p", new byte[100], Acls.OpenAclUnsafe, 0)), Now);
        replica.RequestReceived(1, new ClientRequest(2, (int)OpCode.Create, new CreateRequest("/p/c", null, Acls.OpenAclUnsafe, 0)), Now);
        var request = ClientRequest.PathRead(3, (int)type, "/p", watch: false);

        // Warm up (the JIT's tiers, the tables' first growth), then count.
        for (var i = 0; i < 200; i++)
        {
            replica.RequestReceived(1, request, Now);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            replica.RequestReceived(1, request, Now);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(KeeperErrorCode.Ok, output.LastError);
        Assert.Equal(1200, output.Replies - 2);
        Assert.Equal(0, allocated);
    }
}
