// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using Medallion.Threading;
using ZkAspire.Client;
using ZkAspire.Extensions.DistributedLock.Tests.Infrastructure;
using ZkAspire.Recipes;
using ZkAspire.TestInfrastructure.Contract;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.DistributedLock.Tests.Contract;

/// <summary>
/// The behaviour every exclusive primitive owes its users, modelled on DistributedLock's
/// <c>DistributedLockCoreTestCases</c>: exclusion, no reentrancy, timeouts, cancellation,
/// argument checks, handle disposal and loss, fencing, and names.
/// </summary>
public abstract class LockContractTests<TServer, TKind>(TServer server)
    where TServer : ServerFixture
    where TKind : LockKind, new()
{
    private readonly TKind _kind = new();

    protected TServer Server { get; } = server;

    [Fact]
    public async Task ALockIsNotReentrantAndOtherNamesAreOtherLocks()
    {
        await using var client = await Server.ConnectAsync();
        var provider = Provider(client);
        var @lock = _kind.Create(provider, "basic");

        await using (var handle = await @lock.TryAcquireAsync(cancellationToken: Ct))
        {
            Assert.NotNull(handle);
            // DistributedLock's BasicTest: "should not be reentrant", asynchronously and synchronously.
            Assert.Null(await @lock.TryAcquireAsync(cancellationToken: Ct));
            Assert.Null(@lock.TryAcquire(cancellationToken: Ct));
            Assert.Null(await _kind.Create(provider, "basic").TryAcquireAsync(cancellationToken: Ct));

            await using var other = await _kind.Create(provider, "basic2").TryAcquireAsync(cancellationToken: Ct);
            Assert.NotNull(other);
        }

        using var again = @lock.TryAcquire(cancellationToken: Ct);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task SessionsExcludeEachOtherAndAWaiterGetsTheLockWhenReleased()
    {
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var basePath = Server.UniquePath("locks");
        var lockA = _kind.Create(Provider(a, basePath), "shared");
        var lockB = _kind.Create(Provider(b, basePath), "shared");

        var held = await lockA.AcquireAsync(cancellationToken: Ct);
        Assert.Null(await lockB.TryAcquireAsync(cancellationToken: Ct));
        var waiting = lockB.AcquireAsync(cancellationToken: Ct).AsTask();
        await waiting.StillWaiting();

        await held.DisposeAsync();
        await using var next = await waiting.Soon();
        Assert.Null(await lockA.TryAcquireAsync(cancellationToken: Ct));
    }

    [Fact]
    public async Task ManyTasksOnSeveralSessionsNeverOverlap()
    {
        var basePath = Server.UniquePath("parallel");
        var clients = new List<ZooKeeperClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients.Add(await Server.ConnectAsync());
            }

            var inside = 0;
            var entries = 0;
            var tasks = Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
            {
                var @lock = _kind.Create(Provider(clients[i % clients.Count], basePath), "counter");
                for (var round = 0; round < 3; round++)
                {
                    await using var handle = await @lock.AcquireAsync(Patience, Ct);
                    Assert.Equal(1, Interlocked.Increment(ref inside));
                    Interlocked.Increment(ref entries);
                    // Give another holder, if the lock let one in, the chance to show.
                    await Task.Yield();
                    Assert.Equal(0, Interlocked.Decrement(ref inside));
                }
            }, Ct));
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            Assert.Equal(36, entries);
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
    public async Task TimeoutsOfZeroTryOnceAndLongerOnesWaitThenFailOrThrow()
    {
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var basePath = Server.UniquePath("timeouts");
        await using var held = await _kind.Create(Provider(a, basePath), "t").AcquireAsync(cancellationToken: Ct);
        var other = _kind.Create(Provider(b, basePath), "t");

        Assert.Null(await other.TryAcquireAsync(TimeSpan.Zero, Ct));
        var timeout = TimeSpan.FromMilliseconds(200);
        var clock = Stopwatch.StartNew();
        Assert.Null(await other.TryAcquireAsync(timeout, Ct));
        Assert.True(clock.Elapsed >= timeout - TimeSpan.FromMilliseconds(20), $"Gave up after {clock.Elapsed}, before the timeout.");
        Assert.Null(other.TryAcquire(timeout, Ct));

        await Assert.ThrowsAsync<TimeoutException>(async () => await other.AcquireAsync(timeout, Ct));
        Assert.Throws<TimeoutException>(() => other.Acquire(timeout, Ct));
        await Assert.ThrowsAsync<TimeoutException>(async () => await other.AcquireAsync(TimeSpan.Zero, Ct));

        // None of the attempts left a node behind that would queue ahead of a later waiter.
        await held.DisposeAsync();
        await using var next = await other.TryAcquireAsync(cancellationToken: Ct);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task CancellingAWaitThrowsAndLeavesNoWaiterBehind()
    {
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var basePath = Server.UniquePath("cancel");
        var held = await _kind.Create(Provider(a, basePath), "c").AcquireAsync(cancellationToken: Ct);

        using var source = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waiting = _kind.Create(Provider(b, basePath), "c").AcquireAsync(cancellationToken: source.Token).AsTask();
        await waiting.StillWaiting();
        await source.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Soon());

        // The cancelled waiter's node is gone: a try-once by a third session succeeds right after the release.
        await held.DisposeAsync();
        await using var c = await Server.ConnectAsync();
        await using var next = await _kind.Create(Provider(c, basePath), "c").TryAcquireAsync(cancellationToken: Ct);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task AnAlreadyCancelledTokenThrowsForSyncAndCancelsTheTaskForAsync()
    {
        await using var client = await Server.ConnectAsync();
        var @lock = _kind.Create(Provider(client), "already-cancelled");
        using var source = new CancellationTokenSource();
        await source.CancelAsync();

        Assert.ThrowsAny<OperationCanceledException>(() => @lock.Acquire(cancellationToken: source.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => @lock.TryAcquire(cancellationToken: source.Token));

        var acquire = @lock.AcquireAsync(cancellationToken: source.Token).AsTask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => acquire.Soon());
        Assert.True(acquire.IsCanceled);
        var tryAcquire = @lock.TryAcquireAsync(cancellationToken: source.Token).AsTask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tryAcquire.Soon());
        Assert.True(tryAcquire.IsCanceled);
    }

    [Fact]
    public async Task BadTimeoutsAreRefusedBeforeAnythingStarts()
    {
        await using var client = await Server.ConnectAsync();
        var @lock = _kind.Create(Provider(client), "bad-arguments");
        foreach (var timeout in new[] { TimeSpan.FromSeconds(-2), TimeSpan.FromSeconds(int.MaxValue) })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => @lock.Acquire(timeout, Ct));
            Assert.Throws<ArgumentOutOfRangeException>(() => @lock.TryAcquire(timeout, Ct));
            // Thrown by the call itself, not by the task it would return (DistributedLock's TestBadArguments).
            Assert.Throws<ArgumentOutOfRangeException>(() => { _ = @lock.AcquireAsync(timeout, Ct); });
            Assert.Throws<ArgumentOutOfRangeException>(() => { _ = @lock.TryAcquireAsync(timeout, Ct); });
        }

        // Timeout.InfiniteTimeSpan is the one negative value allowed.
        await using var handle = await @lock.AcquireAsync(Timeout.InfiniteTimeSpan, Ct);
    }

    [Fact]
    public async Task DisposingAHandleReleasesOnceAndLeavesItsTokenUncancelled()
    {
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var basePath = Server.UniquePath("dispose");
        var handle = _kind.Create(Provider(a, basePath), "d").Acquire(cancellationToken: Ct);
        var token = handle.HandleLostToken;
        Assert.True(token.CanBeCanceled);

        handle.Dispose();
        handle.Dispose();
        await handle.DisposeAsync();
        Assert.False(token.IsCancellationRequested, "Releasing is not losing.");
        Assert.Throws<ObjectDisposedException>(() => handle.HandleLostToken);

        await using var other = await _kind.Create(Provider(b, basePath), "d").TryAcquireAsync(cancellationToken: Ct);
        Assert.NotNull(other);
    }

    [Fact]
    public async Task HandleLostFiresWhenTheSessionExpiresAndTheLockPassesOn()
    {
        await using var victim = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var basePath = Server.UniquePath("lost");
        // Only session loss counts, so the token cannot fire for the mere disconnection.
        var handle = await _kind.Create(Provider(victim, basePath, ConnectionErrorPolicy.SessionOnly), "l").AcquireAsync(cancellationToken: Ct);
        var waiting = _kind.Create(Provider(b, basePath), "l").AcquireAsync(cancellationToken: Ct).AsTask();
        await waiting.StillWaiting();
        Assert.False(handle.HandleLostToken.IsCancellationRequested);

        await victim.KillSessionAsync(Server.ConnectionString);

        await handle.HandleLostToken.CancelledSoon();
        await using var next = await waiting.Soon();
        await handle.DisposeAsync();
    }

    [Fact]
    public async Task HandleLostFiresWhenTheNodeIsDeleted()
    {
        await using var client = await Server.ConnectAsync();
        await using var admin = await Server.ConnectAsync();
        var handle = (ZooKeeperDistributedLockHandle)await _kind.Create(Provider(client), "deleted").AcquireAsync(cancellationToken: Ct);

        await admin.DeleteAsync(handle.NodePath, cancellationToken: Ct);

        await handle.HandleLostToken.CancelledSoon();
        await handle.DisposeAsync();
    }

    [Fact]
    public async Task TheFencingTokenIsTheHoldingNodesCzxidAndGrowsFromHolderToHolder()
    {
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var basePath = Server.UniquePath("fencing");
        var first = (ZooKeeperDistributedLockHandle)await _kind.Create(Provider(a, basePath), "f").AcquireAsync(cancellationToken: Ct);
        var node = await a.GetDataAsync(first.NodePath, Ct);
        Assert.Equal(node.Stat.Czxid, first.FencingToken);
        Assert.Equal(a.SessionId, node.Stat.EphemeralOwner);

        var waiting = _kind.Create(Provider(b, basePath), "f").AcquireAsync(cancellationToken: Ct).AsTask();
        await waiting.StillWaiting();
        await first.DisposeAsync();
        await using var second = (ZooKeeperDistributedLockHandle)await waiting.Soon();
        Assert.True(second.FencingToken > first.FencingToken);

        // The guarded transaction commits while the hold exists.
        await second.CreateGuardedTransaction().Create(basePath + "-guarded", []).CommitAsync(Ct);
        await second.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => second.CreateGuardedTransaction());
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("zookeeper")]
    [InlineData("/")]
    [InlineData("a/b")]
    [InlineData("abc\0")]
    [InlineData("tab\there")]
    [InlineData("\ud83d\udd12 lock")]
    [InlineData("\ufff0")]
    [InlineData("Orders")]
    public async Task NamesWithOddCharactersWorkAndStayDistinct(string name)
    {
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var basePath = Server.UniquePath("names");
        await using var held = await _kind.Create(Provider(a, basePath), name).AcquireAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Null(await _kind.Create(Provider(b, basePath), name).TryAcquireAsync(cancellationToken: Ct));

        // A name that differs (here in case, or by the escaped character) is another lock.
        await using var other = await _kind.Create(Provider(b, basePath), name.ToUpperInvariant() + "_").TryAcquireAsync(cancellationToken: Ct);
        Assert.NotNull(other);
    }

    private ZooKeeperDistributedSynchronizationProvider Provider(ZooKeeperClient client, string? basePath = null, ConnectionErrorPolicy? policy = null) =>
        new(client, new ZooKeeperDistributedLockOptions
        {
            BasePath = basePath ?? Server.UniquePath("locks"),
            ErrorPolicy = policy ?? ConnectionErrorPolicy.Standard,
        });
}
