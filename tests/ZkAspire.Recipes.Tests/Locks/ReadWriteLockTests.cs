// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Recipes.Locks;
using ZkAspire.Recipes.Tests.Infrastructure;
using static ZkAspire.Recipes.Tests.Infrastructure.TestHelpers;

namespace ZkAspire.Recipes.Tests.Locks;

/// <summary>The read-write lock (InterProcessReadWriteLock): sharing, exclusion, queueing, downgrade.</summary>
/// <typeparam name="TServer">The server under test.</typeparam>
public abstract class ReadWriteLockTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task ReadersShareAndAWriterExcludesEveryone()
    {
        var path = Server.UniquePath("rw");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var lockA = new InterProcessReadWriteLock(a, path);
        var lockB = new InterProcessReadWriteLock(b, path);

        var readA = await lockA.ReadLock.AcquireAsync(Ct);
        await using (var readB = await lockB.ReadLock.AcquireAsync(TimeSpan.Zero, Ct))
        {
            Assert.Null(await new InterProcessReadWriteLock(b, path).WriteLock.TryAcquireAsync(TimeSpan.Zero, Ct));
        }

        var writing = lockB.WriteLock.AcquireAsync(Ct);
        await writing.StillWaiting();

        // A reader that comes after a waiting writer waits for it (no writer starvation).
        var lateReader = new InterProcessReadWriteLock(a, path).ReadLock.AcquireAsync(Ct);
        await a.WaitForChildrenAsync(path, 3);
        await lateReader.StillWaiting();

        var names = await a.ChildrenAsync(path);
        Assert.Equal(2, names.Count(n => n.Contains("-__READ__", StringComparison.Ordinal)));
        Assert.Single(names, n => n.Contains("-__WRIT__", StringComparison.Ordinal));

        await readA.DisposeAsync();
        var write = await writing.Soon();
        await lateReader.StillWaiting();
        await write.DisposeAsync();
        await using var late = await lateReader.Soon();
    }

    [Fact]
    public async Task AWriterDowngradesToAReadLockWithoutLettingAWriterIn()
    {
        var path = Server.UniquePath("downgrade");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        await using var c = await Server.ConnectAsync();
        var lockA = new InterProcessReadWriteLock(a, path);

        var write = await lockA.WriteLock.AcquireAsync(Ct);
        var otherWriter = new InterProcessReadWriteLock(b, path).WriteLock.AcquireAsync(Ct);
        await a.WaitForChildrenAsync(path, 2);
        var readerBehind = new InterProcessReadWriteLock(c, path).ReadLock.AcquireAsync(Ct);
        await a.WaitForChildrenAsync(path, 3);

        // Curator's downgrade: take the read lock while holding the write lock, then release it.
        var read = await lockA.ReadLock.AcquireAsync(TimeSpan.Zero, Ct);
        var writeName = PathNameOf(((LockHandle)write).NodePath);
        var readName = PathNameOf(((LockHandle)read).NodePath);
        Assert.Contains("-__WRIT__", writeName, StringComparison.Ordinal);
        Assert.Contains("-__READ__", readName, StringComparison.Ordinal);
        Assert.Equal(writeName[^10..], readName[^10..]);
        Assert.Equal(a.SessionId, (await a.ExistsAsync(((LockHandle)read).NodePath, Ct))!.Value.EphemeralOwner);
        await write.DisposeAsync();

        // The writer queued after the write lock still waits for our read lock, and so does the
        // reader queued behind that writer.
        await otherWriter.StillWaiting();
        await readerBehind.StillWaiting();
        Assert.False(read.HandleLost.IsCancellationRequested);
        await read.DisposeAsync();
        var other = await otherWriter.Soon();
        await readerBehind.StillWaiting();
        await other.DisposeAsync();
        await using var behind = await readerBehind.Soon();
    }

    [Fact]
    public async Task DowngradeAsyncTurnsAWriteHandleIntoAReadHandle()
    {
        var path = Server.UniquePath("downgrade2");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var rw = new InterProcessReadWriteLock(a, path);
        var write = await rw.WriteLock.AcquireAsync(Ct);
        var read = await rw.DowngradeAsync(write, Ct);
        Assert.True(write.IsReleased);
        var names = await a.ChildrenAsync(path);
        Assert.Single(names);
        Assert.Contains("-__READ__", names[0], StringComparison.Ordinal);

        // Other readers come in, writers do not.
        await using (var shared = await new InterProcessReadWriteLock(b, path).ReadLock.AcquireAsync(TimeSpan.Zero, Ct))
        {
            Assert.Null(await new InterProcessReadWriteLock(b, path).WriteLock.TryAcquireAsync(TimeSpan.Zero, Ct));
        }

        await Assert.ThrowsAsync<ArgumentException>(() => rw.DowngradeAsync(write, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => new InterProcessReadWriteLock(a, path).DowngradeAsync(read, Ct));
        await read.DisposeAsync();
        await using var exclusive = await new InterProcessReadWriteLock(b, path).WriteLock.AcquireAsync(TimeSpan.Zero, Ct);
    }

    [Fact]
    public async Task BothLocksAreReentrantAndAnUpgradeIsRefused()
    {
        var path = Server.UniquePath("rw-reenter");
        await using var a = await Server.ConnectAsync();
        var rw = new InterProcessReadWriteLock(a, path);
        await using (var write = await rw.WriteLock.AcquireAsync(Ct))
        {
            await using var again = await rw.WriteLock.AcquireAsync(TimeSpan.Zero, Ct);
            Assert.Single(await a.ChildrenAsync(path));
        }

        await using var read = await rw.ReadLock.AcquireAsync(Ct);
        await using var readAgain = await rw.ReadLock.AcquireAsync(TimeSpan.Zero, Ct);
        Assert.Single(await a.ChildrenAsync(path));
        await Assert.ThrowsAsync<InvalidOperationException>(() => rw.WriteLock.TryAcquireAsync(TimeSpan.Zero, Ct));
    }

    private static string PathNameOf(string path) => path[(path.LastIndexOf('/') + 1)..];
}
