// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Extensions.Configuration;
using ZkAspire.Extensions.Configuration.Internal;
using ZkAspire.Protocol;
using static ZkAspire.Extensions.Tests.Infrastructure.ExtensionsTestHelpers;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.Tests.Configuration;

/// <summary>How znodes map to keys, and which reads may replace what is shown; no server.</summary>
public sealed class NodeMappingTests
{
    [Theory]
    [InlineData("/config/app", "/config/app/A", "A")]
    [InlineData("/config/app", "/config/app/A/B/C", "A:B:C")]
    [InlineData("/config/app", "/config/app", "")]
    [InlineData("/", "/A/B", "A:B")]
    [InlineData("/", "/", "")]
    [InlineData("/config/app", "/config/app/Pricing.json", "Pricing")]
    [InlineData("/config/app.json", "/config/app.json", "")]
    [InlineData("/config/app", "/config/app/A.json/B", "A.json:B")]
    public void KeysArePathSegmentsBelowTheRootJoinedWithColons(string root, string path, string key) =>
        Assert.Equal(key, new NodeMapper(root, ".json").KeyOf(path));

    [Fact]
    public void NullDataAndTheRootsOwnDataMakeNoKey()
    {
        var mapper = new NodeMapper("/app", null);
        Assert.Empty(mapper.Map("/app/A", null, Stat(1, 1)).Values);
        Assert.Empty(mapper.Map("/app", Bytes("root data"), Stat(1, 1)).Values);
        Assert.Equal([new("A", string.Empty)], mapper.Map("/app/A", [], Stat(1, 1)).Values);
        Assert.Equal([new("A", "{\"x\":1}")], mapper.Map("/app/A", Bytes("{\"x\":1}"), Stat(1, 1)).Values);
    }

    [Fact]
    public void JsonNodesFlattenUnderTheirKey()
    {
        var entry = new NodeMapper("/app", ".json").Map("/app/Db.json", Bytes("""{"Hosts":["a","b"],"Pool":{"Max":5}}"""), Stat(3, 4));
        Assert.Equal(3, entry.Czxid);
        Assert.Equal(4, entry.Mzxid);
        Assert.Equal(
            new Dictionary<string, string?> { ["Db:Hosts:0"] = "a", ["Db:Hosts:1"] = "b", ["Db:Pool:Max"] = "5" },
            entry.Values.ToDictionary());
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("{ \"a\": 1, \"A\": 2 }")]
    [InlineData("{ broken")]
    public void InvalidJsonIsInvalidDataNamingTheNode(string json)
    {
        var e = Assert.Throws<InvalidDataException>(() => new NodeMapper("/app", ".json").Map("/app/Db.json", Bytes(json), Stat(1, 1)));
        Assert.Contains("/app/Db.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANodeIsReplacedOnlyByTheSameOrANewerVersionOrANewIncarnation()
    {
        var known = new NodeEntry(Czxid: 10, Mzxid: 20, []);
        Assert.True(ZooKeeperConfigurationProvider.IsNotOlder(null, Stat(1, 1)));
        Assert.True(ZooKeeperConfigurationProvider.IsNotOlder(known, Stat(10, 20)));
        Assert.True(ZooKeeperConfigurationProvider.IsNotOlder(known, Stat(10, 21)));
        Assert.False(ZooKeeperConfigurationProvider.IsNotOlder(known, Stat(10, 19)));
        Assert.True(ZooKeeperConfigurationProvider.IsNotOlder(known, Stat(30, 30)));
        Assert.False(ZooKeeperConfigurationProvider.IsNotOlder(known, Stat(5, 25)));
    }

    [Fact]
    public void AFullReadOlderThanWhatIsShownIsDiscarded()
    {
        Assert.True(ZooKeeperConfigurationProvider.IsNotOlder(snapshotZxid: 0x1_0000_0005, appliedZxid: 0x1_0000_0005));
        Assert.True(ZooKeeperConfigurationProvider.IsNotOlder(snapshotZxid: 0x2_0000_0001, appliedZxid: 0x1_0000_0005));
        Assert.False(ZooKeeperConfigurationProvider.IsNotOlder(snapshotZxid: 0x1_0000_0004, appliedZxid: 0x1_0000_0005));
    }

    private static Stat Stat(long czxid, long mzxid) => new(czxid, mzxid, 0, 0, 0, 0, 0, 0, 0, 0, mzxid);
}
