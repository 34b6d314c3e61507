// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using System.Diagnostics;
using ZkAspire.Client;
using ZkAspire.Protocol;
using ZkAspire.Recipes.Leader;
using ZkAspire.Recipes.Locks;
using ZkAspire.Recipes.Tests.Infrastructure;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Recipes.Tests.Telemetry;

/// <summary>The recipes' spans: lock acquire and release, leadership changes.</summary>
public sealed class RecipeTelemetryTests(ZkAspireServer server) : IClassFixture<ZkAspireServer>
{
    [Fact]
    public async Task AcquireAndReleaseOfAMutexAreSpansThatParentTheClientRequests()
    {
        var path = server.UniquePath("lock");
        using var spans = new Spans();
        await using var client = await server.ConnectAsync();
        var mutex = new InterProcessMutex(client, path);

        var handle = await mutex.AcquireAsync(Ct);
        var nodePath = ((LockHandle)handle).NodePath;
        var again = await mutex.AcquireAsync(Ct);
        await again.DisposeAsync();
        await handle.DisposeAsync();

        var acquires = spans.Named(ZooKeeperRecipesTelemetry.Spans.LockAcquire).Where(s => Equals(s.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.Path), path)).ToList();
        Assert.Equal(2, acquires.Count);
        var first = acquires.Single(s => s.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.LockReentrant) is null);
        Assert.Equal("mutex", first.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.LockKind));
        Assert.Equal(true, first.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.LockAcquired));
        Assert.Equal(nodePath, first.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.LockNode));
        Assert.Equal(handle.FencingToken, first.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.FencingToken));

        // The lock node's create is a client span inside the acquire.
        Assert.Contains(spans.All, s => s.Source.Name == ZooKeeperClientTelemetry.SourceName && s.ParentSpanId == first.SpanId && s.OperationName.StartsWith("create", StringComparison.Ordinal));

        var reentrant = acquires.Single(s => s != first);
        Assert.Equal(true, reentrant.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.LockReentrant));

        // One release: the reentrant handle only drops a reference.
        var release = Assert.Single(spans.Named(ZooKeeperRecipesTelemetry.Spans.LockRelease), s => Equals(s.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.LockNode), nodePath));
        Assert.Contains(spans.All, s => s.Source.Name == ZooKeeperClientTelemetry.SourceName && s.ParentSpanId == release.SpanId && s.OperationName == "delete");
    }

    [Fact]
    public async Task TheNextInLineTakesTheMutexWhenItsPredecessorGoesWithoutListingAgain()
    {
        var path = server.UniquePath("handoff");
        using var spans = new Spans();
        await using var a = await server.ConnectAsync();
        await using var b = await server.ConnectAsync();
        var held = await new InterProcessMutex(a, path).AcquireAsync(Ct);
        var holderNode = ((LockHandle)held).NodePath;

        // The waiter has listed the children and left its watch on the holder's node.
        var waiting = new InterProcessMutex(b, path).AcquireAsync(Ct);
        await Eventually(async () => Assert.True(await b.CheckWatchesAsync(holderNode, WatcherType.Data, local: true, Ct)));
        await held.DisposeAsync();
        await using var next = await waiting.Soon();

        // Its listing had only the holder before it, and nodes join only behind existing ones, so
        // the holder's deletion is enough: one listing, before the wait, and none after it.
        var acquire = Assert.Single(spans.Named(ZooKeeperRecipesTelemetry.Spans.LockAcquire), s =>
            Equals(s.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.LockNode), ((LockHandle)next).NodePath));
        Assert.Single(spans.All, s => s.ParentSpanId == acquire.SpanId && s.OperationName.StartsWith("getChildren", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ATimedOutAcquireSaysSo()
    {
        var path = server.UniquePath("busy");
        using var spans = new Spans();
        await using var a = await server.ConnectAsync();
        await using var b = await server.ConnectAsync();
        await using var held = await new InterProcessMutex(a, path).AcquireAsync(Ct);

        Assert.Null(await new InterProcessMutex(b, path).TryAcquireAsync(TimeSpan.FromMilliseconds(50), Ct));

        Assert.Single(spans.Named(ZooKeeperRecipesTelemetry.Spans.LockAcquire), s =>
            Equals(s.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.Path), path) && Equals(s.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.LockAcquired), false));
    }

    [Fact]
    public async Task SemaphoreLeasesAreLockSpans()
    {
        var path = server.UniquePath("sem");
        using var spans = new Spans();
        await using var client = await server.ConnectAsync();
        var semaphore = new InterProcessSemaphoreV2(client, path, 2);

        await using (await semaphore.AcquireAsync(Ct))
        {
        }

        var acquire = Assert.Single(spans.Named(ZooKeeperRecipesTelemetry.Spans.LockAcquire), s => Equals(s.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.Path), path));
        Assert.Equal("semaphore", acquire.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.LockKind));
        Assert.Equal(true, acquire.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.LockAcquired));
    }

    [Fact]
    public async Task LeadershipChangesOfALatchAreSpans()
    {
        var path = server.UniquePath("latch");
        using var spans = new Spans();
        await using var client = await server.ConnectAsync();
        var latch = new LeaderLatch(client, path, "only");
        await latch.StartAsync(Ct);
        Assert.True(await latch.AwaitLeadershipAsync(Patience, Ct));
        await latch.DisposeAsync();

        var changes = spans.Named(ZooKeeperRecipesTelemetry.Spans.LeadershipChange).Where(s => Equals(s.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.Path), path)).ToList();
        Assert.Equal([true, false], changes.Select(s => (bool)s.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.IsLeader)!));
        Assert.All(changes, s => Assert.Equal("latch", s.GetTagItem(ZooKeeperRecipesTelemetry.Attributes.LeaderRecipe)));
    }

    /// <summary>Listens to the recipes' and the client's sources.</summary>
    private sealed class Spans : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _spans = new();
        private readonly ActivityListener _listener;

        public Spans()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name is ZooKeeperRecipesTelemetry.SourceName or ZooKeeperClientTelemetry.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _spans.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> All => [.. _spans];

        public IEnumerable<Activity> Named(string name) => All.Where(s => s.Source.Name == ZooKeeperRecipesTelemetry.SourceName && s.OperationName == name);

        public void Dispose() => _listener.Dispose();
    }
}
