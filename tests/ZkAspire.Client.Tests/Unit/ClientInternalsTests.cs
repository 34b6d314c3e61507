// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client.Internal;
using ZkAspire.Protocol;

namespace ZkAspire.Client.Tests.Unit;

/// <summary>Path mapping and the client-side watch tables (§15.3), without a server.</summary>
public sealed class ClientInternalsTests
{
    [Fact]
    public void ChrootAndNamespaceMapBothWays()
    {
        var paths = new PathMapper("/chroot", "app/v1");
        Assert.Equal("/app/v1", paths.Namespace);
        Assert.Equal("/chroot/app/v1", paths.Prefix);
        Assert.Equal(["/chroot/app", "/chroot/app/v1"], paths.NamespaceNodes);
        Assert.Equal("/chroot/app/v1", paths.ToServer("/"));
        Assert.Equal("/chroot/app/v1/a/b", paths.ToServer("/a/b"));
        Assert.Equal("/", paths.ToClient("/chroot/app/v1"));
        Assert.Equal("/a/b", paths.ToClient("/chroot/app/v1/a/b"));
        Assert.Equal("/zookeeper/config", paths.ToClient("/zookeeper/config"));
        Assert.Equal("/chroot/app/v10", paths.ToClient("/chroot/app/v10"));
        Assert.False(paths.IsUnderPrefix("/chroot/app/v10"));

        var none = new PathMapper(null, "/");
        Assert.Null(none.Namespace);
        Assert.Equal("/a", none.ToServer("/a"));
        Assert.Equal("/a", none.ToClient("/a"));
        Assert.Empty(none.NamespaceNodes);
    }

    [Fact]
    public void NodeEventsGoToTheJavaClientsTables()
    {
        var watches = new WatchManager();
        var data = new TestWatcher();
        var exist = new TestWatcher();
        var child = new TestWatcher();
        var persistent = new TestWatcher();
        var recursive = new TestWatcher();
        watches.Register(new WatchRegistration(WatchKind.Data, "/a", data), KeeperErrorCode.Ok);
        watches.Register(new WatchRegistration(WatchKind.Exists, "/a", exist), KeeperErrorCode.NoNode);
        watches.Register(new WatchRegistration(WatchKind.Child, "/a", child), KeeperErrorCode.Ok);
        watches.Register(new WatchRegistration(WatchKind.Persistent, "/a", persistent), KeeperErrorCode.Ok);
        watches.Register(new WatchRegistration(WatchKind.PersistentRecursive, "/", recursive), KeeperErrorCode.Ok);

        // Failed reads leave nothing.
        watches.Register(new WatchRegistration(WatchKind.Data, "/b", new TestWatcher()), KeeperErrorCode.NoNode);
        watches.Register(new WatchRegistration(WatchKind.Child, "/b", new TestWatcher()), KeeperErrorCode.NoAuth);
        Assert.Equal(["/a"], watches.Snapshot().Data);
        Assert.Equal(["/a"], watches.Snapshot().Exist);

        Assert.Equal([data, exist, persistent, recursive], watches.Materialize(EventType.NodeDataChanged, "/a").OrderBy(Order));
        Assert.Equal([persistent, recursive], watches.Materialize(EventType.NodeDataChanged, "/a").OrderBy(Order));
        Assert.Equal([child, persistent], watches.Materialize(EventType.NodeChildrenChanged, "/a").OrderBy(Order));
        Assert.Equal([recursive], watches.Materialize(EventType.NodeCreated, "/x/y/z"));
        Assert.Empty(watches.Materialize(EventType.NodeChildrenChanged, "/x"));

        watches.Register(new WatchRegistration(WatchKind.Child, "/a", child), KeeperErrorCode.Ok);
        watches.Register(new WatchRegistration(WatchKind.Data, "/a", data), KeeperErrorCode.Ok);
        Assert.Equal([data, child, persistent, recursive], watches.Materialize(EventType.NodeDeleted, "/a").OrderBy(Order));

        Assert.Equal([persistent, recursive], watches.MaterializeAll(clear: false).OrderBy(Order));
        Assert.Equal([persistent, recursive], watches.MaterializeAll(clear: true).OrderBy(Order));
        Assert.True(watches.IsEmpty);

        int Order(IWatcher w) => w == data ? 0 : w == exist ? 1 : w == child ? 2 : w == persistent ? 3 : 4;
    }

    [Fact]
    public void RemovingWatchesReportsTheRemovedEvents()
    {
        var watches = new WatchManager();
        var one = new TestWatcher();
        var two = new TestWatcher();
        watches.Register(new WatchRegistration(WatchKind.Data, "/a", one), KeeperErrorCode.Ok);
        watches.Register(new WatchRegistration(WatchKind.Exists, "/a", two), KeeperErrorCode.Ok);
        watches.Register(new WatchRegistration(WatchKind.Child, "/a", one), KeeperErrorCode.Ok);
        watches.Register(new WatchRegistration(WatchKind.Persistent, "/a", two), KeeperErrorCode.Ok);

        Assert.True(watches.Contains("/a", one, WatcherType.Data));
        Assert.False(watches.Contains("/a", two, WatcherType.Children));
        Assert.Equal([(EventType.DataWatchRemoved, (IWatcher)one)], watches.Remove("/a", one, WatcherType.Data));
        Assert.Equal([(EventType.DataWatchRemoved, (IWatcher)two)], watches.Remove("/a", null, WatcherType.Data));
        Assert.Empty(watches.Remove("/a", null, WatcherType.Data));
        Assert.Equal(
            [(EventType.ChildWatchRemoved, (IWatcher)one), (EventType.PersistentWatchRemoved, two)],
            watches.Remove("/a", null, WatcherType.Any));
        Assert.True(watches.IsEmpty);
    }

    [Fact]
    public void SameCallbacksAreOneWatcher()
    {
        Action<WatchedEvent> callback = _ => { };
        Assert.Equal(new CallbackWatcher(callback), new CallbackWatcher(callback));
        Assert.NotEqual(new CallbackWatcher(callback), new CallbackWatcher(_ => { }));
    }

    private sealed class TestWatcher : IWatcher
    {
        public void Process(WatchedEvent watchedEvent)
        {
        }
    }
}
