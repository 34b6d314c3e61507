// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client.Tests.Infrastructure;
using ZkAspire.Protocol;
using static ZkAspire.Client.Tests.Infrastructure.TestHelpers;

namespace ZkAspire.Client.Tests.Scenarios;

/// <summary>One-time watches (callbacks and awaitables), persistent watch streams, removing and checking watches.</summary>
/// <typeparam name="TFixture">The server under test.</typeparam>
public abstract class WatchTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ZooKeeperServerFixture
{
    protected TFixture Server { get; } = server;

    [Fact]
    public async Task DataWatchFiresOnceWithTheClientPath()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), Bytes("a"), cancellationToken: Ct);
        var events = new Recorder<WatchedEvent>();
        await client.GetDataAsync(path, events.Callback, Ct);

        await client.SetDataAsync(path, Bytes("b"), cancellationToken: Ct);
        var fired = await events.NextAsync();
        Assert.Equal(new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, path, fired.Zxid), fired);
        Assert.Equal($"WatchedEvent state:SyncConnected type:NodeDataChanged path:{path}", fired.ToString());

        // One-time: a second change does not fire it. A later watch's event, delivered in order,
        // proves the first one had its chance.
        await client.SetDataAsync(path, Bytes("c"), cancellationToken: Ct);
        var marker = new Recorder<WatchedEvent>();
        await client.ExistsAsync(path, marker.Callback, Ct);
        await client.DeleteAsync(path, cancellationToken: Ct);
        await marker.NextAsync();
        Assert.Single(events.All);
    }

    [Fact]
    public async Task ExistsWatchOnAMissingNodeFiresOnCreate()
    {
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();
        var events = new Recorder<WatchedEvent>();
        Assert.Null(await client.ExistsAsync(path, events.Callback, Ct));
        await client.CreateAsync(path, [], cancellationToken: Ct);
        Assert.Equal(EventType.NodeCreated, (await events.NextAsync()).Type);
    }

    [Fact]
    public async Task ChildWatchFiresOnMembershipChangesAndDeletion()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var events = new Recorder<WatchedEvent>();
        await client.GetChildrenAsync(path, events.Callback, Ct);
        await client.CreateAsync(path + "/c", [], cancellationToken: Ct);
        Assert.Equal(new WatchedEvent(EventType.NodeChildrenChanged, KeeperState.SyncConnected, path, -1), (await events.NextAsync()) with { Zxid = -1 });

        // A child's data change does not fire a child watch; deleting the node does.
        await client.GetChildrenWithStatAsync(path, events.Callback, Ct);
        await client.SetDataAsync(path + "/c", Bytes("x"), cancellationToken: Ct);
        await client.DeleteAsync(path + "/c", cancellationToken: Ct);
        Assert.Equal(EventType.NodeChildrenChanged, (await events.NextAsync()).Type);
        await client.GetChildrenAsync(path, events.Callback, Ct);
        await client.DeleteAsync(path, cancellationToken: Ct);
        Assert.Equal(EventType.NodeDeleted, (await events.NextAsync()).Type);
    }

    [Fact]
    public async Task TheSameCallbackOnOnePathIsCalledOnceAndDifferentOnesEach()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var shared = new Recorder<WatchedEvent>();
        var other = new Recorder<WatchedEvent>();
        await client.GetDataAsync(path, shared.Callback, Ct);
        await client.ExistsAsync(path, shared.Callback, Ct);
        await client.GetDataAsync(path, other.Callback, Ct);
        await client.SetDataAsync(path, [], cancellationToken: Ct);
        await other.NextAsync();
        await shared.NextAsync();
        Assert.Single(shared.All);
        Assert.Single(other.All);
    }

    [Fact]
    public async Task EventsAreDeliveredInTheOrderTheServerSentThem()
    {
        await using var client = await Server.ConnectAsync();
        await using var writer = await Server.ConnectAsync();
        var root = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var paths = new List<string>();
        var events = new Recorder<WatchedEvent>();
        for (var i = 0; i < 30; i++)
        {
            paths.Add(await client.CreateAsync(root + "/n" + i, [], cancellationToken: Ct));
            await client.GetDataAsync(paths[^1], events.Callback, Ct);
        }

        // Writes in a random order from another session; events must come in that order.
        var order = paths.OrderBy(_ => Random.Shared.Next()).ToList();
        foreach (var path in order)
        {
            await writer.SetDataAsync(path, Bytes("x"), cancellationToken: Ct);
        }

        var seen = new List<string>();
        for (var i = 0; i < order.Count; i++)
        {
            seen.Add((await events.NextAsync()).Path!);
        }

        Assert.Equal(order, seen);
    }

    [Fact]
    public async Task AwaitableWatchesCompleteWithTheEvent()
    {
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();
        var exists = await client.ExistsAndWatchAsync(path, Ct);
        Assert.Null(exists.Result);
        Assert.False(exists.Triggered.IsCompleted);
        await client.CreateAsync(path, Bytes("v1"), cancellationToken: Ct);
        Assert.Equal(EventType.NodeCreated, (await exists.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct)).Type);

        var data = await client.GetDataAndWatchAsync(path, Ct);
        Assert.Equal("v1", Text(data.Result.Data));
        var children = await client.GetChildrenAndWatchAsync(path, Ct);
        Assert.Empty(children.Result);
        await client.CreateAsync(path + "/c", [], cancellationToken: Ct);
        Assert.Equal(EventType.NodeChildrenChanged, (await children.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct)).Type);
        Assert.False(data.Triggered.IsCompleted);
        await client.SetDataAsync(path, Bytes("v2"), cancellationToken: Ct);
        var changed = await data.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct);
        Assert.Equal(new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, path, changed.Zxid), changed);
    }

    [Fact]
    public async Task AHandlerMayBlockOnTheClientWithoutDeadlock()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), Bytes("a"), cancellationToken: Ct);
        var reread = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await client.GetDataAsync(
            path,
            e =>
            {
                // Blocking in a handler is bad practice, but must not deadlock the client.
#pragma warning disable xUnit1031
                var data = client.GetDataAsync(path, Ct).GetAwaiter().GetResult();
#pragma warning restore xUnit1031
                reread.TrySetResult(Text(data.Data));
            },
            Ct);
        await client.SetDataAsync(path, Bytes("b"), cancellationToken: Ct);
        Assert.Equal("b", await reread.Task.WaitAsync(Recorder<int>.DefaultTimeout, Ct));
    }

    [Fact]
    public async Task ASlowHandlerDoesNotStallRequests()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        using var release = new SemaphoreSlim(0);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var later = new Recorder<WatchedEvent>();
        await client.GetDataAsync(
            path,
            _ =>
            {
                entered.TrySetResult();
                release.Wait(TimeSpan.FromSeconds(30));
            },
            Ct);
        await client.GetChildrenAsync(path, later.Callback, Ct);
        await client.SetDataAsync(path, [], cancellationToken: Ct);
        await entered.Task.WaitAsync(Recorder<int>.DefaultTimeout, Ct);

        // The handler is stuck, yet requests go on; later events wait their turn.
        for (var i = 0; i < 20; i++)
        {
            await client.CreateAsync(path + "/c" + i, [], cancellationToken: Ct);
        }

        Assert.Empty(later.All);
        release.Release();
        Assert.Equal(EventType.NodeChildrenChanged, (await later.NextAsync()).Type);
    }

    [Fact]
    public async Task PersistentWatchStreamsEveryChangeOfThePath()
    {
        await using var client = await Server.ConnectAsync();
        var path = Server.UniquePath();
        await using var stream = client.WatchAsync(path, AddWatchMode.Persistent, Ct).GetAsyncEnumerator(Ct);
        var next = stream.MoveNextAsync();

        await client.CreateAsync(path, [], cancellationToken: Ct);
        Assert.True(await next);
        Assert.Equal((EventType.NodeCreated, path), (stream.Current.Type, stream.Current.Path));

        await client.SetDataAsync(path, Bytes("x"), cancellationToken: Ct);
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal(EventType.NodeDataChanged, stream.Current.Type);

        await client.CreateAsync(path + "/c", [], cancellationToken: Ct);
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal((EventType.NodeChildrenChanged, path), (stream.Current.Type, stream.Current.Path));

        // A child's own changes are not the path's.
        await client.SetDataAsync(path + "/c", Bytes("y"), cancellationToken: Ct);
        await client.DeleteAsync(path + "/c", cancellationToken: Ct);
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal(EventType.NodeChildrenChanged, stream.Current.Type);

        await client.DeleteAsync(path, cancellationToken: Ct);
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal(EventType.NodeDeleted, stream.Current.Type);
    }

    [Fact]
    public async Task RecursiveWatchStreamsTheSubtreeWithoutChildEvents()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var stream = client.WatchAsync(path, AddWatchMode.PersistentRecursive, Ct).GetAsyncEnumerator(Ct);

        // The first MoveNextAsync queues addWatch; requests issued after it are sent after it.
        var next = stream.MoveNextAsync();
        await client.CreateAsync(path + "/a", [], cancellationToken: Ct);
        await client.CreateAsync(path + "/a/b", [], cancellationToken: Ct);
        await client.SetDataAsync(path + "/a/b", Bytes("x"), cancellationToken: Ct);
        await client.DeleteAsync(path + "/a/b", cancellationToken: Ct);
        await client.DeleteAsync(path + "/a", cancellationToken: Ct);
        await client.DeleteAsync(path, cancellationToken: Ct);

        (EventType, string)[] expected =
        [
            (EventType.NodeCreated, path + "/a"),
            (EventType.NodeCreated, path + "/a/b"),
            (EventType.NodeDataChanged, path + "/a/b"),
            (EventType.NodeDeleted, path + "/a/b"),
            (EventType.NodeDeleted, path + "/a"),
            (EventType.NodeDeleted, path),
        ];
        var seen = new List<(EventType, string)>();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(await next.AsTask().WaitAsync(Recorder<int>.DefaultTimeout, Ct));
            seen.Add((stream.Current.Type, stream.Current.Path!));
            if (i + 1 < expected.Length)
            {
                next = stream.MoveNextAsync();
            }
        }

        Assert.Equal(expected, seen);

        // Leaving the stream removes the watch, locally and on the server.
        Assert.True(await client.CheckWatchesAsync(path, WatcherType.Any, local: true, Ct));
        await stream.DisposeAsync();
        Assert.False(await client.CheckWatchesAsync(path, WatcherType.Any, local: true, Ct));
        Assert.False(await client.CheckWatchesAsync(path, WatcherType.Any, cancellationToken: Ct));
    }

    [Fact]
    public async Task PersistentWatchCallbacksStayAfterFiring()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var events = new Recorder<WatchedEvent>();
        await client.AddWatchAsync(path, AddWatchMode.Persistent, events.Callback, Ct);
        for (var i = 0; i < 3; i++)
        {
            await client.SetDataAsync(path, Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken: Ct);
            Assert.Equal(EventType.NodeDataChanged, (await events.NextAsync()).Type);
        }

        Assert.True(await client.CheckWatchesAsync(path, WatcherType.Any, cancellationToken: Ct));
        await client.RemoveWatcherAsync(path, events.Callback, WatcherType.Any, cancellationToken: Ct);
        Assert.Equal(new WatchedEvent(EventType.PersistentWatchRemoved, KeeperState.SyncConnected, path), await events.NextAsync());
        Assert.False(await client.CheckWatchesAsync(path, WatcherType.Any, local: true, Ct));
    }

    [Fact]
    public async Task RemovingWatchesTellsTheWatchersAndStopsEvents()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var data = new Recorder<WatchedEvent>();
        var children = new Recorder<WatchedEvent>();
        await client.GetDataAsync(path, data.Callback, Ct);
        var awaitable = await client.ExistsAndWatchAsync(path, Ct);
        await client.GetChildrenAsync(path, children.Callback, Ct);
        Assert.True(await client.CheckWatchesAsync(path, WatcherType.Data, cancellationToken: Ct));
        Assert.True(await client.CheckWatchesAsync(path, WatcherType.Children, cancellationToken: Ct));

        await client.RemoveAllWatchesAsync(path, WatcherType.Data, cancellationToken: Ct);
        Assert.Equal(EventType.DataWatchRemoved, (await data.NextAsync()).Type);
        Assert.Equal(EventType.DataWatchRemoved, (await awaitable.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct)).Type);
        Assert.False(await client.CheckWatchesAsync(path, WatcherType.Data, cancellationToken: Ct));

        await client.SetDataAsync(path, [], cancellationToken: Ct);
        await client.CreateAsync(path + "/c", [], cancellationToken: Ct);
        Assert.Equal(EventType.NodeChildrenChanged, (await children.NextAsync()).Type);
        Assert.Single(data.All);

        await Assert.ThrowsAsync<NoWatcherException>(() => client.RemoveAllWatchesAsync(path, WatcherType.Data, cancellationToken: Ct));
        await Assert.ThrowsAsync<NoWatcherException>(() => client.RemoveWatcherAsync(path, data.Callback, WatcherType.Children, cancellationToken: Ct));
    }

    [Fact]
    public async Task RemovingOneOfSeveralWatchersKeepsTheOthers()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var first = new Recorder<WatchedEvent>();
        var second = new Recorder<WatchedEvent>();
        await client.GetDataAsync(path, first.Callback, Ct);
        await client.GetDataAsync(path, second.Callback, Ct);
        await client.RemoveWatcherAsync(path, first.Callback, WatcherType.Data, cancellationToken: Ct);
        Assert.Equal(EventType.DataWatchRemoved, (await first.NextAsync()).Type);
        await client.SetDataAsync(path, [], cancellationToken: Ct);
        Assert.Equal(EventType.NodeDataChanged, (await second.NextAsync()).Type);
        Assert.Single(first.All);
    }
}

public sealed class ApacheWatchTests(ApacheZooKeeperFixture server) : WatchTests<ApacheZooKeeperFixture>(server);
