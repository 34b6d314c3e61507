// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text.RegularExpressions;
using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Recipes.Locks;
using ZkAspire.Recipes.Tests.Infrastructure;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Recipes.Tests.Locks;

/// <summary>The reentrant mutex (Curator's InterProcessMutex): exclusion, reentrancy, order, herd-freedom, loss, fencing.</summary>
/// <typeparam name="TServer">The server under test.</typeparam>
public abstract partial class MutexTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task TheMutexUsesCuratorsLayoutAndExcludesOtherSessions()
    {
        var path = Server.UniquePath("mutex");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();

        await using var held = await new InterProcessMutex(a, path).AcquireAsync(Ct);
        var children = await a.ChildrenAsync(path);
        var name = Assert.Single(children);
        Assert.Matches(CuratorLockName(), name);
        var node = await a.GetDataAsync(path + "/" + name, Ct);
        Assert.Equal(a.SessionId, node.Stat.EphemeralOwner);
        Assert.Equal(node.Stat.Czxid, held.FencingToken);

        Assert.Null(await new InterProcessMutex(b, path).TryAcquireAsync(TimeSpan.Zero, Ct));
        Assert.Null(await new InterProcessMutex(b, path).TryAcquireAsync(TimeSpan.FromMilliseconds(100), Ct));
        Assert.Equal([name], await a.ChildrenAsync(path));

        await held.DisposeAsync();
        await using var other = await new InterProcessMutex(b, path).AcquireAsync(TimeSpan.Zero, Ct);
        Assert.True(other.FencingToken > held.FencingToken);
    }

    [Fact]
    public async Task TheSameFlowReentersAndTheLastReleaseFreesTheLock()
    {
        var path = Server.UniquePath("reenter");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var mutex = new InterProcessMutex(a, path);

        var first = await mutex.AcquireAsync(Ct);
        Assert.True(mutex.IsOwnedByCurrentFlow);
        var second = await mutex.AcquireAsync(TimeSpan.Zero, Ct);
        Assert.Single(await a.ChildrenAsync(path));
        Assert.Equal(first.FencingToken, second.FencingToken);

        await first.DisposeAsync();
        await first.DisposeAsync();
        Assert.True(first.IsReleased);
        Assert.True(mutex.IsOwnedByCurrentFlow);
        Assert.Null(await new InterProcessMutex(b, path).TryAcquireAsync(TimeSpan.Zero, Ct));

        await second.DisposeAsync();
        Assert.False(mutex.IsOwnedByCurrentFlow);
        Assert.False(mutex.IsAcquiredInThisProcess);
        await using var other = await new InterProcessMutex(b, path).AcquireAsync(TimeSpan.Zero, Ct);
        Assert.Throws<ObjectDisposedException>(() => first.CreateGuardedTransaction());
    }

    [Fact]
    public async Task FlowsOfOneProcessExcludeEachOther()
    {
        var path = Server.UniquePath("flows");
        await using var client = await Server.ConnectAsync();
        var mutex = new InterProcessMutex(client, path);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var leave = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = Task.Run(async () =>
        {
            await using var handle = await mutex.AcquireAsync(Ct);
            entered.SetResult();
            await leave.Task;
        }, Ct);
        await entered.Task.Soon();
        var second = Task.Run(async () =>
        {
            await using var handle = await mutex.AcquireAsync(Ct);
            return handle.FencingToken;
        }, Ct);
        await second.StillWaiting();
        Assert.Equal(2, (await client.ChildrenAsync(path)).Count);

        leave.SetResult();
        await first.Soon();
        Assert.True(await second.Soon() > 0);
    }

    [Fact]
    public async Task AWaiterThatTimesOutOrIsCancelledLeavesNothingBehind()
    {
        var path = Server.UniquePath("giveup");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        await using var held = await new InterProcessMutex(a, path).AcquireAsync(Ct);
        var mutex = new InterProcessMutex(b, path);

        await Assert.ThrowsAsync<TimeoutException>(() => mutex.AcquireAsync(TimeSpan.FromMilliseconds(200), Ct));
        Assert.Single(await a.ChildrenAsync(path));
        Assert.False(await b.CheckWatchesAsync(path + "/" + (await a.ChildrenAsync(path))[0], WatcherType.Any, local: true, Ct));

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waiting = mutex.AcquireAsync(cts.Token);
        await a.WaitForChildrenAsync(path, 2);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Soon());
        await a.WaitForChildrenAsync(path, 1);
        Assert.False(mutex.IsAcquiredInThisProcess);
    }

    [Fact]
    public async Task AWaiterWhosePredecessorGivesUpListsAgainAndWaitsForTheHolder()
    {
        var path = Server.UniquePath("middle");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        await using var c = await Server.ConnectAsync();
        var held = await new InterProcessMutex(a, path).AcquireAsync(Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var middle = new InterProcessMutex(b, path).AcquireAsync(cts.Token);
        await a.WaitForChildrenAsync(path, 2);
        var last = new InterProcessMutex(c, path).AcquireAsync(Ct);
        await a.WaitForChildrenAsync(path, 3);
        var queue = (await a.ChildrenAsync(path)).OrderBy(n => n[^10..], StringComparer.Ordinal).ToList();
        await Eventually(async () => Assert.True(await c.CheckWatchesAsync(path + "/" + queue[1], WatcherType.Data, local: true, Ct)));

        // The middle waiter leaves: the last one's watched node is deleted, but the holder is still
        // before it, so it must not take the lock.
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => middle.Soon());
        await a.WaitForChildrenAsync(path, 2);
        await last.StillWaiting();

        await held.DisposeAsync();
        await using var acquired = await last.Soon();
        Assert.Equal(c.SessionId, (await c.ExistsAsync(((LockHandle)acquired).NodePath, Ct))!.Value.EphemeralOwner);
    }

    [Fact]
    public async Task WaitersAreServedInOrderAndEachWatchesOnlyItsPredecessor()
    {
        var path = Server.UniquePath("herd");
        var clients = new List<ZooKeeperClient>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                clients.Add(await Server.ConnectAsync());
            }

            var holder = await new InterProcessMutex(clients[0], path).AcquireAsync(Ct);
            var waiters = new List<Task<ILockHandle>>();
            for (var i = 1; i < clients.Count; i++)
            {
                waiters.Add(new InterProcessMutex(clients[i], path).AcquireAsync(Ct));
                await clients[0].WaitForChildrenAsync(path, i + 1);
            }

            // Every waiter watches its predecessor only; the holder watches its own node (HandleLost);
            // nobody watches the lock's path, so a release wakes nobody but the next in line.
            await Eventually(() => AssertEachWatchesItsPredecessorAsync(path, clients, holderIndex: 0));

            await holder.DisposeAsync();
            var next = await waiters[0].Soon();
            foreach (var later in waiters.Skip(1))
            {
                await later.StillWaiting();
            }

            await Eventually(() => AssertEachWatchesItsPredecessorAsync(path, clients.Skip(1).ToList(), holderIndex: 0));
            var tokens = new List<long> { holder.FencingToken, next.FencingToken };
            await next.DisposeAsync();
            for (var i = 1; i < waiters.Count; i++)
            {
                var handle = await waiters[i].Soon();
                foreach (var later in waiters.Skip(i + 1))
                {
                    Assert.False(later.IsCompleted);
                }

                tokens.Add(handle.FencingToken);
                await handle.DisposeAsync();
            }

            Assert.Equal(tokens.Order(), tokens);
            Assert.Equal(tokens.Count, tokens.Distinct().Count());
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task HandleLostFiresWhenTheLockNodeIsDeletedAndTheGuardedTransactionThenFails()
    {
        var path = Server.UniquePath("lost");
        var data = Server.UniquePath("data");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        await a.CreateAsync(data, Bytes("0"), cancellationToken: Ct);
        var handle = await new InterProcessMutex(a, path).AcquireAsync(Ct);
        Assert.False(handle.HandleLost.IsCancellationRequested);

        var results = await handle.CreateGuardedTransaction().SetData(data, Bytes("1")).CommitAsync(Ct);
        Assert.IsType<CheckResult>(results[0]);
        Assert.IsType<SetDataResult>(results[1]);

        // Someone (an operator, a buggy peer) deletes the lock node.
        await b.DeleteAsync(path + "/" + (await b.ChildrenAsync(path))[0], cancellationToken: Ct);
        await handle.HandleLost.CancelledSoon();
        Assert.Contains("deleted", ((LockHandle)handle).LostReason);

        await Assert.ThrowsAsync<NoNodeException>(() => handle.CreateGuardedTransaction().SetData(data, Bytes("2")).CommitAsync(Ct));
        Assert.Equal("1", Text((await b.GetDataAsync(data, Ct)).Data));
        await handle.DisposeAsync();
        await handle.DisposeAsync();
        await using var again = await new InterProcessMutex(b, path).AcquireAsync(TimeSpan.Zero, Ct);
        Assert.True(again.FencingToken > handle.FencingToken);
    }

    [Fact]
    public async Task ReleasingDoesNotCancelHandleLost()
    {
        await using var a = await Server.ConnectAsync();
        var handle = await new InterProcessMutex(a, Server.UniquePath("release")).AcquireAsync(Ct);
        var token = handle.HandleLost;
        await handle.DisposeAsync();
        Assert.False(token.IsCancellationRequested);
        Assert.True(handle.IsReleased);
    }

    [Fact]
    public async Task TheHoldersWatchOnItsNodeEndsWithTheRelease()
    {
        var path = Server.UniquePath("release-watch");
        await using var a = await Server.ConnectAsync();
        var handle = await new InterProcessMutex(a, path).AcquireAsync(Ct);

        // The exists watch behind HandleLost is sent before AcquireAsync returns but not waited
        // for; any later reply on the session comes after its reply, so it is registered by now.
        var node = path + "/" + Assert.Single(await a.ChildrenAsync(path));
        Assert.True(await a.CheckWatchesAsync(node, WatcherType.Data, local: true, Ct));
        Assert.True(await a.CheckWatchesAsync(node, WatcherType.Data, cancellationToken: Ct));

        // Release sends no removeWatches: its delete fires the watch, which ends it on both sides.
        await handle.DisposeAsync();
        Assert.Null(await a.ExistsAsync(node, Ct));
        Assert.False(await a.CheckWatchesAsync(node, WatcherType.Any, local: true, Ct));
        Assert.False(handle.HandleLost.IsCancellationRequested);
    }

    [Fact]
    public async Task ParticipantNodesListTheHolderFirst()
    {
        var path = Server.UniquePath("participants");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        Assert.Empty(await new InterProcessMutex(a, path).GetParticipantNodesAsync(Ct));
        await using var held = await new InterProcessMutex(a, path).AcquireAsync(Ct);
        var waiting = new InterProcessMutex(b, path).AcquireAsync(Ct);
        await a.WaitForChildrenAsync(path, 2);

        var participants = await new InterProcessMutex(b, path).GetParticipantNodesAsync(Ct);
        Assert.Equal(2, participants.Count);
        Assert.Equal(a.SessionId, (await a.ExistsAsync(participants[0], Ct))!.Value.EphemeralOwner);
        Assert.Equal(b.SessionId, (await a.ExistsAsync(participants[1], Ct))!.Value.EphemeralOwner);
        await held.DisposeAsync();
        await using var next = await waiting.Soon();
    }

    [Fact]
    public async Task WaitersFollowCreationOrderAcrossTheCounterWrap()
    {
        // The counter cannot be driven to 2^31 in a test (it takes 2^31 creates), so another session
        // creates, by name, the nodes a lock would have from just before the wrap: -2 then -1 (the
        // counter's last values, printed with %010d). Created before our node (small and positive),
        // they hold the lock in that order. Sorting the names as strings, as Curator does, would put
        // -000000001 before -000000002.
        var path = Server.UniquePath("wrap");
        await using var foreign = await Server.ConnectAsync();
        await using var client = await Server.ConnectAsync();
        var older = path + "/_c_" + Guid.NewGuid() + "-lock--000000002";
        var newer = path + "/_c_" + Guid.NewGuid() + "-lock--000000001";
        await foreign.CreateAsync(older, [], CreateOptions.Ephemeral with { Parents = ParentCreation.Persistent }, Ct);
        await foreign.CreateAsync(newer, [], CreateOptions.Ephemeral, Ct);

        var waiting = new InterProcessMutex(client, path).AcquireAsync(Ct);
        await foreign.WaitForChildrenAsync(path, 3);
        var participants = await new InterProcessMutex(foreign, path).GetParticipantNodesAsync(Ct);
        Assert.Equal([older, newer], participants.Take(2));
        await waiting.StillWaiting();

        await foreign.DeleteAsync(newer, cancellationToken: Ct);
        await waiting.StillWaiting();
        await foreign.DeleteAsync(older, cancellationToken: Ct);
        await using var handle = await waiting.Soon();
    }

    private async Task AssertEachWatchesItsPredecessorAsync(string path, IReadOnlyList<ZooKeeperClient> queue, int holderIndex)
    {
        var participants = await new InterProcessMutex(queue[0], path).GetParticipantNodesAsync(Ct);
        Assert.Equal(queue.Count, participants.Count);
        var watches = await Server.WatchesAsync(path);
        Assert.False(watches.ContainsKey(path), "Nobody may watch the lock's path (herd effect).");
        for (var i = 0; i < participants.Count; i++)
        {
            var expected = new HashSet<long>();
            if (i == holderIndex)
            {
                expected.Add(queue[i].SessionId);
            }

            if (i + 1 < participants.Count)
            {
                expected.Add(queue[i + 1].SessionId);
            }

            watches.TryGetValue(participants[i], out var actual);
            Assert.Equal(expected, actual ?? []);
        }
    }

    [GeneratedRegex("^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lock-[0-9]{10}$")]
    private static partial Regex CuratorLockName();
}
