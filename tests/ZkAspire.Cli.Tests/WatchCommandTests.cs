// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Tests.Infrastructure;
using static ZkAspire.Cli.Tests.Infrastructure.Expected;

namespace ZkAspire.Cli.Tests;

/// <summary>
/// Watches through the shell: ls/get/stat/config -w, addWatch, removewatches and printwatches.
/// Each event is printed once by zkCli's default watcher, in the order the server sent them.
/// </summary>
public sealed class WatchCommandTests(TestServerFixture fixture) : IClassFixture<TestServerFixture>
{
    private string Server => fixture.ConnectionString;

    [Fact]
    public async Task OneTimeWatchesFireOnceEach()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create {p} 1",
            $"get -w {p}",
            $"set {p} 2",
            $"set {p} 3",
            $"ls -w {p}",
            $"create {p}/c",
            $"stat -w {p}/c",
            $"delete {p}/c",
            $"stat -w {p}/later",
            $"create {p}/later",
            $"ls -R -w {p}",
            $"create {p}/later/x",
            $"set {p} 4",
            "sync /");
        Assert.Equal(
            Banner + Lines($"Created {p}", "1", "[]", $"Created {p}/c")
            + Stat()
            + Lines($"Node does not exist: {p}/later", $"Created {p}/later", p, $"{p}/later", $"Created {p}/later/x", "Sync is OK"),
            run.Transcript);
        Assert.Equal(
            [
                Connected,
                Event("NodeDataChanged", p),
                Event("NodeChildrenChanged", p),
                Event("NodeDeleted", $"{p}/c"),
                Event("NodeCreated", $"{p}/later"),
                Event("NodeChildrenChanged", $"{p}/later"),
                Event("NodeDataChanged", p),
            ],
            run.Events);
    }

    [Fact]
    public async Task TheSameEventForSeveralWatchesOfTheShellIsPrintedOnce()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(Server, $"create {p}", $"get -w {p}", $"stat -w {p}", $"addWatch -m PERSISTENT {p}", $"set {p} x", "sync /");
        Assert.Equal([Connected, Event("NodeDataChanged", p)], run.Events);
    }

    [Fact]
    public async Task AddWatchIsPersistentAndRecursiveByDefault()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"addWatch {p}",
            $"create {p}",
            $"create {p}/a",
            $"set {p}/a x",
            $"set {p}/a y",
            $"delete {p}/a",
            $"addWatch -m persistent {p}/b",
            $"create {p}/b",
            $"create {p}/b/c",
            "addWatch",
            $"addWatch {p} extra",
            $"addWatch -m bogus {p}",
            "addWatch bad",
            "sync /");
        const string usage = "addWatch [-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE";
        Assert.Equal(
            Banner + Lines($"Created {p}", $"Created {p}/a", $"Created {p}/b", $"Created {p}/b/c", usage, usage, usage, "Path must start with / character", "Sync is OK"),
            run.Transcript);

        // The recursive watch never reports NodeChildrenChanged; the persistent one on /b does.
        Assert.Equal(
            [
                Connected,
                Event("NodeCreated", p),
                Event("NodeCreated", $"{p}/a"),
                Event("NodeDataChanged", $"{p}/a"),
                Event("NodeDataChanged", $"{p}/a"),
                Event("NodeDeleted", $"{p}/a"),
                Event("NodeCreated", $"{p}/b"),

                // DataTree.createNode triggers the node's watches, then its parent's.
                Event("NodeCreated", $"{p}/b/c"),
                Event("NodeChildrenChanged", $"{p}/b"),
            ],
            run.Events);
    }

    [Fact]
    public async Task RemoveWatchesPrintsARemovedEventPerKind()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"create {p}",
            $"get -w {p}",
            $"ls -w {p}",
            $"removewatches {p} -d",
            $"removewatches {p} -d",
            $"removewatches {p}",
            $"addWatch {p}",
            $"addWatch -m PERSISTENT {p}",
            $"removewatches {p} -a",
            $"removewatches {p} -c -l",
            $"set {p} x",
            "removewatches",
            "removewatches bad",
            "sync /");
        Assert.Equal(
            Banner + Lines(
                $"Created {p}",
                "null",
                "[]",
                $"KeeperErrorCode = No such watcher for {p}",
                $"KeeperErrorCode = No such watcher for {p}",
                "removewatches path [-c|-d|-a] [-l]",
                "Path must start with / character",
                "Sync is OK"),
            run.Transcript);
        Assert.Equal(
            [
                Connected,
                Event("DataWatchRemoved", p),
                Event("ChildWatchRemoved", p),
                Event("PersistentWatchRemoved", p),
            ],
            run.Events);
    }

    [Fact]
    public async Task PrintwatchesTurnsEventOutputOffAndOn()
    {
        var p = TestServerFixture.UniquePath();
        var run = await CliRun.ScriptAsync(
            Server,
            $"addWatch {p}",
            "printwatches",
            "printwatches off",
            "printwatches",
            $"create {p}",
            "sync /",
            "printwatches on",
            $"set {p} x",
            "sync /",
            "printwatches maybe",
            "printwatches");
        Assert.Equal(
            Banner + Lines("printwatches is on", "printwatches is off", $"Created {p}", "Sync is OK", "Sync is OK", "printwatches is off"),
            run.Transcript);
        Assert.Equal([Connected, Event("NodeDataChanged", p)], run.Events);
    }

    [Fact]
    public async Task ConfigOfAStandaloneServer()
    {
        var run = await CliRun.ScriptAsync(Server, "config", "config -c", "config -s", "config extra -w");
        Assert.Equal(Banner + Lines(string.Empty, " ", string.Empty) + Stat(aclVersion: -1) + Lines(string.Empty), run.Transcript);
    }
}
