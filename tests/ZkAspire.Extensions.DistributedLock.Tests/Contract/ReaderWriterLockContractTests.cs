// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Extensions.DistributedLock.Tests.Infrastructure;
using ZkAspire.TestInfrastructure.Contract;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.DistributedLock.Tests.Contract;

/// <summary>
/// Reader-writer behaviour, modelled on DistributedLock's <c>DistributedReaderWriterLockCoreTestCases</c>:
/// many readers or one writer, and a waiting writer keeps new readers out.
/// </summary>
public abstract class ReaderWriterLockContractTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task ManyReadersOrOneWriter()
    {
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var basePath = Server.UniquePath("rw");
        var lockA = Provider(a, basePath).CreateReaderWriterLock("rw");
        var lockB = Provider(b, basePath).CreateReaderWriterLock("rw");

        var read1 = await lockA.TryAcquireReadLockAsync(cancellationToken: Ct);
        var read2 = await lockB.TryAcquireReadLockAsync(cancellationToken: Ct);
        Assert.NotNull(read1);
        Assert.NotNull(read2);
        Assert.Null(await lockA.TryAcquireWriteLockAsync(cancellationToken: Ct));

        var writing = lockA.AcquireWriteLockAsync(cancellationToken: Ct).AsTask();
        await read1.DisposeAsync();
        await writing.StillWaiting();
        await read2.DisposeAsync();
        var write = await writing.Soon();

        Assert.Null(await lockB.TryAcquireWriteLockAsync(cancellationToken: Ct));
        Assert.Null(await lockB.TryAcquireReadLockAsync(cancellationToken: Ct));
        await write.DisposeAsync();
        await using var write2 = await lockB.TryAcquireWriteLockAsync(cancellationToken: Ct);
        Assert.NotNull(write2);
    }

    [Fact]
    public async Task AWaitingWriterKeepsNewReadersOut()
    {
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        await using var c = await Server.ConnectAsync();
        var basePath = Server.UniquePath("writer-first");
        var reader = await Provider(a, basePath).CreateReaderWriterLock("rw").AcquireReadLockAsync(cancellationToken: Ct);
        var writing = Provider(b, basePath).CreateReaderWriterLock("rw").AcquireWriteLockAsync(cancellationToken: Ct).AsTask();
        await writing.StillWaiting();

        // DistributedLock's TestWriterTrumpsReader: a reader that comes after a waiting writer waits too.
        var lateReader = Provider(c, basePath).CreateReaderWriterLock("rw");
        Assert.Null(await lateReader.TryAcquireReadLockAsync(TimeSpan.FromMilliseconds(100), Ct));
        var lateReading = lateReader.AcquireReadLockAsync(cancellationToken: Ct).AsTask();

        await reader.DisposeAsync();
        var write = await writing.Soon();
        await lateReading.StillWaiting();
        await write.DisposeAsync();
        await using var read = await lateReading.Soon();
    }

    [Fact]
    public async Task NeitherLockIsReentrant()
    {
        await using var client = await Server.ConnectAsync();
        var @lock = Provider(client, Server.UniquePath("rw-reentry")).CreateReaderWriterLock("rw");

        await using (var write = await @lock.AcquireWriteLockAsync(cancellationToken: Ct))
        {
            Assert.Null(await @lock.TryAcquireWriteLockAsync(cancellationToken: Ct));
            Assert.Null(await @lock.TryAcquireReadLockAsync(cancellationToken: Ct));
            Assert.Null(@lock.TryAcquireReadLock(cancellationToken: Ct));
        }

        await using var read = await @lock.AcquireReadLockAsync(cancellationToken: Ct);
        Assert.Null(await @lock.TryAcquireWriteLockAsync(cancellationToken: Ct));
        await using var read2 = await @lock.TryAcquireReadLockAsync(cancellationToken: Ct);
        Assert.NotNull(read2);
    }

    [Fact]
    public async Task BadTimeoutsAreRefusedForBothLocks()
    {
        await using var client = await Server.ConnectAsync();
        var @lock = Provider(client, Server.UniquePath("rw-args")).CreateReaderWriterLock("rw");
        var bad = TimeSpan.FromSeconds(-2);
        Assert.Throws<ArgumentOutOfRangeException>(() => @lock.AcquireReadLock(bad, Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => @lock.TryAcquireReadLock(bad, Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = @lock.AcquireReadLockAsync(bad, Ct); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = @lock.TryAcquireReadLockAsync(bad, Ct); });
        Assert.Throws<ArgumentOutOfRangeException>(() => @lock.AcquireWriteLock(bad, Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => @lock.TryAcquireWriteLock(bad, Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = @lock.AcquireWriteLockAsync(bad, Ct); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = @lock.TryAcquireWriteLockAsync(bad, Ct); });
        await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await using var write = await @lock.AcquireWriteLockAsync(cancellationToken: Ct);
            await @lock.AcquireReadLockAsync(TimeSpan.FromMilliseconds(50), Ct);
        });
    }

    private static ZooKeeperDistributedSynchronizationProvider Provider(ZooKeeperClient client, string basePath) =>
        new(client, new ZooKeeperDistributedLockOptions { BasePath = basePath });
}
