// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using ZkAspire.Client.Tests.Infrastructure;
using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;
using static ZkAspire.Client.Tests.Infrastructure.TestHelpers;

namespace ZkAspire.Client.Tests.Scenarios;

/// <summary>
/// Connection states, reconnects keeping the session (with watches re-registered), expiry (from
/// the server and local), several hosts, pipelining, cancellation, closing.
/// </summary>
/// <typeparam name="TFixture">The server under test.</typeparam>
public abstract class ConnectionTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ZooKeeperServerFixture
{
    protected TFixture Server { get; } = server;

    [Fact]
    public async Task TheFirstConnectionIsReportedAsConnected()
    {
        await using var client = new ZooKeeperClient(Server.Options());
        var states = client.RecordStates();
        Assert.Null(client.ConnectionState);
        await client.ConnectAsync(Ct);
        var connected = await states.NextAsync();
        Assert.Equal(ConnectionState.Connected, connected.State);
        Assert.Equal(KeeperState.SyncConnected, connected.KeeperState);
        Assert.Equal(client.SessionId, connected.SessionId);
        Assert.True(connected.IsNewSession);
        Assert.True(client.IsConnected);
        Assert.NotEqual(0, client.SessionId);
        Assert.Equal(16, client.SessionPassword.Length);
        Assert.Equal(TimeSpan.FromSeconds(10), client.SessionTimeout);
        Assert.Equal(ConnectionState.Connected, client.ConnectionState);
    }

    [Fact]
    public async Task TheFirstOperationConnectsAClientThatWasNotStarted()
    {
        await using var client = new ZooKeeperClient(Server.Options());
        Assert.False(client.IsConnected);
        Assert.NotNull(await client.ExistsAsync("/", Ct));
        Assert.True(client.IsConnected);
        Assert.True(await client.WaitUntilConnectedAsync(TimeSpan.FromSeconds(1), Ct));

        await using var nowhere = new ZooKeeperClient(Server.Options("127.0.0.1:" + FreePort.Get()));
        Assert.False(await nowhere.WaitUntilConnectedAsync(TimeSpan.FromMilliseconds(200), Ct));
    }

    [Fact]
    public async Task ConnectionStatesStreamAsAsyncEnumerable()
    {
        await using var proxy = new NetworkProxy(Server.Port);
        await using var client = new ZooKeeperClient(Server.Options(proxy.ConnectionString));
        await using var states = client.WatchConnectionStateAsync(Ct).GetAsyncEnumerator(Ct);
        var next = states.MoveNextAsync();
        await client.ConnectAsync(Ct);
        Assert.True(await next);
        Assert.Equal(ConnectionState.Connected, states.Current.State);

        proxy.Drop();
        Assert.True(await states.MoveNextAsync());
        Assert.Equal(ConnectionState.Suspended, states.Current.State);
        Assert.True(await states.MoveNextAsync());
        Assert.Equal(ConnectionState.Reconnected, states.Current.State);

        await client.DisposeAsync();
        Assert.False(await states.MoveNextAsync());
    }

    [Fact]
    public async Task DisposingAsTheConnectionDropsDoesNotWaitOutTheConnectionTimeout()
    {
        // The drop and the closeSession race: the client may queue closeSession just after the
        // lost connection failed what was queued, and the run loop does not reconnect to send it
        // while closing. Disposal must end with the run loop then, not when ConnectionTimeout does.
        await using var proxy = new NetworkProxy(Server.Port);
        for (var round = 0; round < 20; round++)
        {
            var options = Server.Options(proxy.ConnectionString);
            options.ConnectionTimeout = TimeSpan.FromMinutes(5);
            var client = await ZooKeeperClient.ConnectAsync(options, Ct);
            var drop = Task.Run(proxy.Drop, Ct);
            await client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);
            await drop;
            Assert.False(client.IsConnected);
        }
    }

    [Fact]
    public async Task ADroppedConnectionReconnectsKeepingTheSessionAndItsWatches()
    {
        await using var proxy = new NetworkProxy(Server.Port);
        await using var client = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        await using var other = await Server.ConnectAsync();
        var states = client.RecordStates();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var ephemeral = await client.CreateAsync(path + "-e", [], CreateOptions.Ephemeral, Ct);
        var events = new Recorder<WatchedEvent>();
        await client.GetDataAsync(path, events.Callback, Ct);
        var sessionId = client.SessionId;

        proxy.Drop();
        var suspended = await states.NextAsync();
        Assert.Equal((ConnectionState.Suspended, KeeperState.Disconnected), (suspended.State, suspended.KeeperState));
        Assert.Equal(new WatchedEvent(EventType.None, KeeperState.Disconnected, null), await events.NextAsync());
        var reconnected = await states.NextAsync();
        Assert.Equal(ConnectionState.Reconnected, reconnected.State);
        Assert.False(reconnected.IsNewSession);
        Assert.Equal(sessionId, reconnected.SessionId);
        Assert.Equal(sessionId, client.SessionId);
        Assert.Equal(new WatchedEvent(EventType.None, KeeperState.SyncConnected, null), await events.NextAsync());

        // The watch was re-registered with setWatches: a change made by another client fires it.
        await other.SetDataAsync(path, Bytes("x"), cancellationToken: Ct);
        Assert.Equal(EventType.NodeDataChanged, (await events.NextAsync()).Type);

        // The session, and its ephemeral node, lived on.
        Assert.Equal(sessionId, (await other.ExistsAsync(ephemeral, Ct))!.Value.EphemeralOwner);
        Assert.Equal(2, proxy.Accepted);
    }

    [Fact]
    public async Task ChangesMissedWhileDisconnectedFireOnReconnect()
    {
        await using var proxy = new NetworkProxy(Server.Port);
        await using var client = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        await using var other = await Server.ConnectAsync();
        var states = client.RecordStates();
        var data = await client.CreateAsync(Server.UniquePath("data"), [], cancellationToken: Ct);
        var missing = Server.UniquePath("missing");
        var parent = await client.CreateAsync(Server.UniquePath("parent"), [], cancellationToken: Ct);
        var persistentPath = await client.CreateAsync(Server.UniquePath("persistent"), [], cancellationToken: Ct);
        var dataWatch = await client.GetDataAndWatchAsync(data, Ct);
        var existWatch = await client.ExistsAndWatchAsync(missing, Ct);
        var childWatch = await client.GetChildrenAndWatchAsync(parent, Ct);
        var persistent = new Recorder<WatchedEvent>();
        await client.AddWatchAsync(persistentPath, AddWatchMode.Persistent, persistent.Callback, Ct);

        // Down: the changes happen while the client cannot hear about them.
        proxy.Refuse();
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);
        await other.SetDataAsync(data, Bytes("changed"), cancellationToken: Ct);
        await other.CreateAsync(missing, [], cancellationToken: Ct);
        await other.CreateAsync(parent + "/child", [], cancellationToken: Ct);
        await other.SetDataAsync(persistentPath, Bytes("missed"), cancellationToken: Ct);
        Assert.False(dataWatch.Triggered.IsCompleted);

        // Up: setWatches carries lastZxid, and the server fires what changed since (§15.6).
        proxy.Forward();
        Assert.Equal(ConnectionState.Reconnected, (await states.NextAsync()).State);
        Assert.Equal(EventType.NodeDataChanged, (await dataWatch.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct)).Type);
        Assert.Equal(EventType.NodeCreated, (await existWatch.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct)).Type);
        Assert.Equal(EventType.NodeChildrenChanged, (await childWatch.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct)).Type);

        // Persistent watches get no catch-up event, but they are registered again.
        Assert.Equal(KeeperState.Disconnected, (await persistent.NextAsync()).State);
        Assert.Equal(KeeperState.SyncConnected, (await persistent.NextAsync()).State);
        await other.SetDataAsync(persistentPath, Bytes("seen"), cancellationToken: Ct);
        Assert.Equal(EventType.NodeDataChanged, (await persistent.NextAsync()).Type);
    }

    [Fact]
    public async Task AnExpiredSessionIsLostAndANewSessionFollows()
    {
        await using var proxy = new NetworkProxy(Server.Port);
        await using var client = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        await using var other = await Server.ConnectAsync();
        var states = client.RecordStates();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var ephemeral = await client.CreateAsync(path + "-e", [], CreateOptions.Ephemeral, Ct);
        var watch = await client.GetDataAndWatchAsync(path, Ct);
        var stream = client.WatchAsync(path, AddWatchMode.Persistent, Ct).GetAsyncEnumerator(Ct);
        var streamed = stream.MoveNextAsync();

        // Replies come in order: once this one is in, the addWatch before it is registered.
        await client.ExistsAsync(path, Ct);
        var oldSession = client.SessionId;

        proxy.Refuse();
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);
        Assert.True(await streamed);
        Assert.Equal(KeeperState.Disconnected, stream.Current.State);
        await client.KillSessionAsync(Server.ConnectionString);
        Assert.Null(await other.ExistsAsync(ephemeral, Ct));

        // The server answers the reconnect with timeOut 0: Expired.
        proxy.Forward();
        var lost = await states.NextAsync();
        Assert.Equal((ConnectionState.Lost, KeeperState.Expired), (lost.State, lost.KeeperState));
        Assert.Equal(new WatchedEvent(EventType.None, KeeperState.Expired, null), await watch.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct));
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal(KeeperState.Expired, stream.Current.State);
        Assert.False(await stream.MoveNextAsync());
        await stream.DisposeAsync();

        // As Curator: a new session, reported as Reconnected.
        var reconnected = await states.NextAsync();
        Assert.Equal(ConnectionState.Reconnected, reconnected.State);
        Assert.True(reconnected.IsNewSession);
        Assert.NotEqual(oldSession, client.SessionId);
        Assert.Empty(await client.GetEphemeralsAsync(cancellationToken: Ct));
        Assert.False(await client.CheckWatchesAsync(path, WatcherType.Any, local: true, Ct));
        await client.CreateAsync(ephemeral, [], CreateOptions.Ephemeral, Ct);
    }

    [Fact]
    public async Task TheSessionIsLostLocallyWhenNoServerAnswersForTheSessionTimeout()
    {
        await using var proxy = new NetworkProxy(Server.Port);
        var options = Server.Options(proxy.ConnectionString);
        options.SessionTimeout = TimeSpan.FromSeconds(4);
        await using var client = await ZooKeeperClient.ConnectAsync(options, Ct);
        var states = client.RecordStates();
        var events = new Recorder<WatchedEvent>();
        await client.ExistsAsync("/", events.Callback, Ct);
        var oldSession = client.SessionId;
        var started = Stopwatch.StartNew();

        // Nothing gets through, nothing is closed: only the timers can tell.
        proxy.Blackhole();
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);
        var lost = await states.NextAsync();
        Assert.Equal((ConnectionState.Lost, KeeperState.Expired), (lost.State, lost.KeeperState));
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));
        Assert.Equal(KeeperState.Disconnected, (await events.NextAsync()).State);
        Assert.Equal(KeeperState.Expired, (await events.NextAsync()).State);

        proxy.Forward();
        var reconnected = await states.NextAsync();
        Assert.Equal(ConnectionState.Reconnected, reconnected.State);
        Assert.True(reconnected.IsNewSession);
        Assert.NotEqual(oldSession, client.SessionId);
    }

    [Fact]
    public async Task AHostThatIsDownIsSkipped()
    {
        var down = "127.0.0.1:" + FreePort.Get();
        for (var i = 0; i < 4; i++)
        {
            var options = Server.Options(down + "," + Server.ConnectionString);
            await using var client = await ZooKeeperClient.ConnectAsync(options, Ct);
            Assert.Equal(Server.Port, client.Server!.Port);
            Assert.NotNull(await client.ExistsAsync("/", Ct));
        }
    }

    [Fact]
    public async Task TheClientMovesToAnotherHostKeepingTheSession()
    {
        await using var first = new NetworkProxy(Server.Port);
        await using var second = new NetworkProxy(Server.Port);
        await using var client = await ZooKeeperClient.ConnectAsync(Server.Options(first.ConnectionString + "," + second.ConnectionString), Ct);
        var states = client.RecordStates();
        var sessionId = client.SessionId;
        var (used, spare) = client.Server!.Port == first.Port ? (first, second) : (second, first);

        used.Refuse();
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);
        var reconnected = await states.NextAsync();
        Assert.Equal(ConnectionState.Reconnected, reconnected.State);
        Assert.Equal(sessionId, reconnected.SessionId);
        Assert.Equal(spare.Port, client.Server!.Port);
        Assert.NotNull(await client.ExistsAsync("/", Ct));
    }

    [Fact]
    public async Task ConnectFailsWithConnectionLossWhenNoServerAnswers()
    {
        var options = Server.Options("127.0.0.1:" + FreePort.Get());
        options.ConnectionTimeout = TimeSpan.FromMilliseconds(500);
        var error = await Assert.ThrowsAsync<ConnectionLossException>(() => ZooKeeperClient.ConnectAsync(options, Ct));
        Assert.False(error.RequestSent);
        Assert.Contains("not connected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManyConcurrentRequestsArePipelinedInOrder()
    {
        await using var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);

        // Issued one after another without waiting: sent, applied and answered in that order.
        var writes = new Task<Stat>[500];
        for (var i = 0; i < writes.Length; i++)
        {
            writes[i] = client.SetDataAsync(path, BitConverter.GetBytes(i), -1, Ct);
        }

        var stats = await Task.WhenAll(writes);
        Assert.Equal(Enumerable.Range(1, writes.Length), stats.Select(s => s.Version));
        Assert.Equal(writes.Length - 1, BitConverter.ToInt32((await client.GetDataAsync(path, Ct)).Data));

        // And from many threads at once.
        var creates = Enumerable.Range(0, 8).Select(t => Task.Run(
            async () =>
            {
                for (var i = 0; i < 100; i++)
                {
                    await client.CreateAsync($"{path}/t{t}-{i}", [], cancellationToken: Ct);
                }
            },
            Ct));
        await Task.WhenAll(creates);
        Assert.Equal(800, (await client.GetChildrenAsync(path, Ct)).Count);
    }

    [Fact]
    public async Task ABlockingContinuationDoesNotStallTheConnection()
    {
        await using var client = await Server.ConnectAsync();
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // A synchronous continuation runs where the task completes: never on the IO loop.
        var blocked = client.ExistsAsync("/", Ct).ContinueWith(
            _ =>
            {
                entered.SetResult();
                release.Wait(TimeSpan.FromSeconds(30));
            },
            Ct,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        await entered.Task.WaitAsync(Recorder<int>.DefaultTimeout, Ct);
        for (var i = 0; i < 20; i++)
        {
            Assert.NotNull(await client.ExistsAsync("/", Ct));
        }

        release.Set();
        await blocked;
    }

    [Fact]
    public async Task CancellationStopsWaiting()
    {
        await using var proxy = new NetworkProxy(Server.Port);
        await using var client = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        var path = await client.CreateAsync(Server.UniquePath(), Bytes("x"), cancellationToken: Ct);

        using (var cancelled = new CancellationTokenSource())
        {
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetDataAsync(path, cancelled.Token));
        }

        // A request the server cannot answer: cancelling stops the wait long before the read timeout.
        proxy.Blackhole();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetDataAsync(path, timeout.Token));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        }

        proxy.Forward();
        Assert.Equal("x", Text((await client.GetDataAsync(path, Ct)).Data));
    }

    [Fact]
    public async Task DisposeClosesTheSession()
    {
        await using var other = await Server.ConnectAsync();
        var client = await Server.ConnectAsync();
        var path = Server.UniquePath();
        await client.CreateAsync(path, [], CreateOptions.Ephemeral, Ct);
        var watch = await client.ExistsAndWatchAsync(path + "-none", Ct);
        var events = new Recorder<WatchedEvent>();
        await client.GetDataAsync(path, events.Callback, Ct);

        await client.DisposeAsync();
        Assert.Null(await other.ExistsAsync(path, Ct));

        // closeSession deletes the ephemeral node, which fires the session's own watch on it
        // before the reply; the watches left over are told Closed.
        Assert.Equal(EventType.NodeDeleted, (await events.NextAsync()).Type);
        Assert.Equal(new WatchedEvent(EventType.None, KeeperState.Closed, null), await watch.Triggered.WaitAsync(Recorder<int>.DefaultTimeout, Ct));
        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetDataAsync(path, Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.CreateAsync(path, [], cancellationToken: Ct));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task AHandlerMayDisposeTheClient()
    {
        var client = await Server.ConnectAsync();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await client.GetDataAsync(
            path,
            _ =>
            {
                // Even blocking on it, from the event loop.
#pragma warning disable xUnit1031
                client.DisposeAsync().AsTask().GetAwaiter().GetResult();
#pragma warning restore xUnit1031
                disposed.SetResult();
            },
            Ct);
        await using var other = await Server.ConnectAsync();
        await other.SetDataAsync(path, [], cancellationToken: Ct);
        await disposed.Task.WaitAsync(Recorder<int>.DefaultTimeout, Ct);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task RequestsWaitForAReconnectAndAreRetried()
    {
        await using var proxy = new NetworkProxy(Server.Port);
        var options = Server.Options(proxy.ConnectionString);
        options.ConnectionTimeout = TimeSpan.FromMilliseconds(200);
        options.RetryPolicy = new RetryNTimes(100, TimeSpan.FromMilliseconds(50));
        await using var client = await ZooKeeperClient.ConnectAsync(options, Ct);
        var states = client.RecordStates();
        var path = await client.CreateAsync(Server.UniquePath(), Bytes("v"), cancellationToken: Ct);
        var other = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);

        // Each operation waits for a connection up to the connection timeout, fails with a
        // ConnectionLoss that was never sent, and is retried by the policy until the server is back.
        proxy.Refuse();
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);
        var read = client.GetDataAsync(path, Ct);
        var write = client.SetDataAsync(other, Bytes("w"), 0, Ct);
        var create = client.CreateAsync(other + "/c", [], cancellationToken: Ct);
        proxy.Forward();
        Assert.Equal("v", Text((await read).Data));
        Assert.Equal(1, (await write).Version);
        Assert.Equal(other + "/c", await create);
    }

    [Fact]
    public async Task AWriteWhoseOutcomeIsUnknownIsNotRetried()
    {
        await using var proxy = new NetworkProxy(Server.Port);
        var options = Server.Options(proxy.ConnectionString);
        options.SessionTimeout = TimeSpan.FromSeconds(4);
        options.RetryPolicy = new RetryNTimes(10, TimeSpan.FromMilliseconds(50));
        await using var client = await ZooKeeperClient.ConnectAsync(options, Ct);
        var path = Server.UniquePath();

        // The request reaches the proxy, then the connection dies: did the server apply it?
        proxy.Blackhole();
        var error = await Assert.ThrowsAsync<ConnectionLossException>(() => client.CreateAsync(path, [], cancellationToken: Ct));
        Assert.True(error.RequestSent);
        Assert.Equal(path, error.Path);
        proxy.Forward();
    }

    [Fact]
    public async Task AnIdempotentWriteWhoseOutcomeIsUnknownIsRetried()
    {
        await using var proxy = new NetworkProxy(Server.Port);
        var options = Server.Options(proxy.ConnectionString);
        options.SessionTimeout = TimeSpan.FromSeconds(4);
        options.RetryPolicy = new RetryNTimes(100, TimeSpan.FromMilliseconds(50));
        await using var client = await ZooKeeperClient.ConnectAsync(options, Ct);
        var states = client.RecordStates();
        var path = await client.CreateAsync(Server.UniquePath(), [], cancellationToken: Ct);

        proxy.Blackhole();
        var write = client.SetDataAsync(path, Bytes("same"), -1, Ct);
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);
        proxy.Forward();
        await write;
        Assert.Equal("same", Text((await client.GetDataAsync(path, Ct)).Data));
    }
}

public sealed class ApacheConnectionTests(ApacheZooKeeperFixture server) : ConnectionTests<ApacheZooKeeperFixture>(server);
