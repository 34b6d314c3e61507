// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Recipes.Locks;
using ZkAspire.Recipes.Tests.Infrastructure;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

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

    [Fact]
    public async Task ReadersWatchTheNearestWriterAndWritersTheirPredecessor()
    {
        var path = Server.UniquePath("rw-herd");
        var clients = new List<ZooKeeperClient>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                clients.Add(await Server.ConnectAsync());
            }

            // W1 holds; R1 and R2 wait for W1; W2 waits for R2; R3 waits for W2.
            var w1 = await new InterProcessReadWriteLock(clients[0], path).WriteLock.AcquireAsync(Ct);
            var waiting = new List<Task<ILockHandle>>();
            var queue = new (int Client, bool Write)[] { (1, false), (2, false), (3, true), (4, false) };
            foreach (var (index, write) in queue)
            {
                var rw = new InterProcessReadWriteLock(clients[index], path);
                waiting.Add((write ? rw.WriteLock : rw.ReadLock).AcquireAsync(Ct));
                await clients[0].WaitForChildrenAsync(path, waiting.Count + 1);
            }

            var nodes = await new InterProcessReadWriteLock(clients[0], path).WriteLock.GetParticipantNodesAsync(Ct);
            var ordered = (await Task.WhenAll((await clients[0].GetChildrenAsync(path, Ct)).Select(async name =>
                (Path: path + "/" + name, Stat: (await clients[0].ExistsAsync(path + "/" + name, Ct))!.Value)))).OrderBy(n => n.Stat.Czxid).ToList();
            var owner = ordered.Select(n => n.Stat.EphemeralOwner).ToList();
            await Eventually(async () =>
            {
                var watches = await Server.WatchesAsync(path);
                Assert.False(watches.ContainsKey(path));
                Assert.Equal(new HashSet<long> { owner[0], owner[1], owner[2] }, watches[ordered[0].Path]);
                Assert.False(watches.ContainsKey(ordered[1].Path));
                Assert.Equal(new HashSet<long> { owner[3] }, watches[ordered[2].Path]);
                Assert.Equal(new HashSet<long> { owner[4] }, watches[ordered[3].Path]);
                Assert.False(watches.ContainsKey(ordered[4].Path));
            });
            Assert.Equal(2, nodes.Count);

            await w1.DisposeAsync();
            var r1 = await waiting[0].Soon();
            var r2 = await waiting[1].Soon();
            await waiting[2].StillWaiting();
            await waiting[3].StillWaiting();
            await r1.DisposeAsync();
            await waiting[2].StillWaiting();
            await r2.DisposeAsync();
            var w2 = await waiting[2].Soon();
            await waiting[3].StillWaiting();
            await w2.DisposeAsync();
            await using var r3 = await waiting[3].Soon();
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static string PathNameOf(string path) => path[(path.LastIndexOf('/') + 1)..];
}
