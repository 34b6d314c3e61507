// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Recipes.Locks;
using ZkAspire.Recipes.Tests.Infrastructure;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Recipes.Tests.Locks;

/// <summary>The all-or-none multi-lock (InterProcessMultiLock).</summary>
/// <typeparam name="TServer">The server under test.</typeparam>
public abstract class MultiLockTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task AllLocksOrNone()
    {
        var first = Server.UniquePath("multi-1");
        var second = Server.UniquePath("multi-2");
        var data = Server.UniquePath("multi-data");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        await a.CreateAsync(data, [], cancellationToken: Ct);

        var held = await new InterProcessMultiLock(a, [first, second]).AcquireAsync(Ct);
        Assert.Single(await a.ChildrenAsync(first));
        Assert.Single(await a.ChildrenAsync(second));
        var multi = Assert.IsType<MultiLockHandle>(held);
        Assert.Equal(multi.Handles.Max(h => h.FencingToken), held.FencingToken);
        var results = await held.CreateGuardedTransaction().SetData(data, Bytes("x")).CommitAsync(Ct);
        Assert.Equal(3, results.Count);

        // b gets the first lock (free) but not the second: it lets the first go again.
        var third = Server.UniquePath("multi-3");
        Assert.Null(await new InterProcessMutex(b, second).TryAcquireAsync(TimeSpan.Zero, Ct));
        Assert.Null(await new InterProcessMultiLock(b, [third, second]).TryAcquireAsync(TimeSpan.FromMilliseconds(200), Ct));
        Assert.Empty(await a.ChildrenAsync(third));

        var lostToken = held.HandleLost;
        await b.DeleteAsync(((LockHandle)multi.Handles[1]).NodePath, cancellationToken: Ct);
        await lostToken.CancelledSoon();
        await Assert.ThrowsAsync<NoNodeException>(() => held.CreateGuardedTransaction().SetData(data, Bytes("y")).CommitAsync(Ct));

        await held.DisposeAsync();
        await held.DisposeAsync();
        await using var both = await new InterProcessMultiLock(b, [first, second]).AcquireAsync(TimeSpan.Zero, Ct);
    }
}
