// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Security.Cryptography;
using System.Text;
using ZkAspire.Extensions.DistributedLock.Tests.Infrastructure;
using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure.Contract;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.DistributedLock.Tests;

/// <summary>The name-to-znode mapping (DistributedLock's ZooKeeper provider's rules).</summary>
public sealed class LockNameTests
{
    [Theory]
    [InlineData("orders")]
    [InlineData("Orders-2026.11")]
    [InlineData("zookeeper")]
    [InlineData("a b")]
    [InlineData("...")]
    [InlineData("é")]
    public void AValidNodeNameIsUsedAsItIs(string name)
    {
        Assert.Equal("/locks/" + name, ZooKeeperLockNames.GetPath("/locks", name));
        Assert.Equal(name, ZooKeeperLockNames.GetNodeName(name, isRootChild: false));
    }

    [Theory]
    [InlineData("", "EMPTY")]
    [InlineData(".", "._")]
    [InlineData("..", ".._")]
    [InlineData("a/b", "a_b")]
    [InlineData("/", "_")]
    [InlineData("abc\0", "abc_")]
    [InlineData("x\u0001\u007f\u009f", "x___")]
    [InlineData("\ud83d\udd12", "__")]
    [InlineData("\ufff0z", "_z")]
    public void AnInvalidNameIsEscapedAndGetsItsHash(string name, string prefix)
    {
        var expectedHash = Convert.ToBase64String(SHA512.HashData(Encoding.UTF8.GetBytes(name))).Replace('/', '_');
        var path = ZooKeeperLockNames.GetPath("/locks", name);
        Assert.Equal("/locks/" + prefix + expectedHash, path);
        Assert.True(PathUtils.IsValid(path), path);
    }

    [Fact]
    public void ZookeeperIsReservedOnlyDirectlyUnderTheRoot()
    {
        var path = ZooKeeperLockNames.GetPath("/", "zookeeper");
        Assert.StartsWith("/zookeeper_", path, StringComparison.Ordinal);
        Assert.NotEqual("/zookeeper", path);
        Assert.Equal("/orders", ZooKeeperLockNames.GetPath("/", "orders"));
        Assert.Equal("/a/zookeeper", ZooKeeperLockNames.GetPath("/a", "zookeeper"));
    }

    [Fact]
    public void NamesAreCaseSensitiveAndEscapedNamesDoNotCollide()
    {
        Assert.NotEqual(ZooKeeperLockNames.GetPath("/l", "ABC"), ZooKeeperLockNames.GetPath("/l", "abc"));
        Assert.NotEqual(ZooKeeperLockNames.GetPath("/l", "A/B"), ZooKeeperLockNames.GetPath("/l", "a/b"));
        Assert.NotEqual(ZooKeeperLockNames.GetPath("/l", "a/b"), ZooKeeperLockNames.GetPath("/l", "a_b"));
        Assert.NotEqual(ZooKeeperLockNames.GetPath("/l", "a/b"), ZooKeeperLockNames.GetPath("/l", "a\0b"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("locks")]
    [InlineData("/locks/")]
    [InlineData("/a//b")]
    [InlineData("/a/./b")]
    public void ABadBasePathIsRefused(string basePath) =>
        Assert.Throws<ArgumentException>(() => ZooKeeperLockNames.GetPath(basePath, "x"));

    [Fact]
    public void NullsAreRefused()
    {
        Assert.Throws<ArgumentNullException>(() => ZooKeeperLockNames.GetPath("/locks", null!));
        Assert.Throws<ArgumentNullException>(() => ZooKeeperLockNames.GetPath(null!, "x"));
    }
}

/// <summary>The reserved name directly under the root, on a server.</summary>
public abstract class RootNameTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    [Fact]
    public async Task ALockNamedZookeeperUnderTheRootDoesNotTouchTheReservedSubtree()
    {
        await using var client = await server.ConnectAsync();
        var provider = new ZooKeeperDistributedSynchronizationProvider(client, new ZooKeeperDistributedLockOptions { BasePath = "/" });
        var @lock = provider.CreateLock("zookeeper");
        await using var held = await @lock.AcquireAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.StartsWith("/zookeeper_", held.NodePath, StringComparison.Ordinal);
        Assert.Null(await provider.CreateLock("zookeeper").TryAcquireAsync(cancellationToken: Ct));
    }
}
