// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;

namespace ZkAspire.Client.Tests.Unit;

/// <summary>Parsing connection strings as the Java client does.</summary>
public sealed class ConnectionStringTests
{
    [Fact]
    public void HostsPortsAndChroot()
    {
        var parsed = ZooKeeperConnectionString.Parse("zk1:2181, zk2:2182 ,10.0.0.3,[::1]:2183,[fe80::1]/app/v1");
        Assert.Equal(
            [new DnsEndPoint("zk1", 2181), new DnsEndPoint("zk2", 2182), new DnsEndPoint("10.0.0.3", 2181), new DnsEndPoint("::1", 2183), new DnsEndPoint("fe80::1", 2181)],
            parsed.Hosts);
        Assert.Equal("/app/v1", parsed.ChrootPath);
        Assert.Equal("zk1:2181,zk2:2182,10.0.0.3:2181,[::1]:2183,[fe80::1]:2181/app/v1", parsed.ToString());
    }

    [Theory]
    [InlineData("zk1", 2181, "zk1:2181")]
    [InlineData("zk-1.example", 2888, "zk-1.example:2888")]
    [InlineData("10.0.0.3", 2182, "10.0.0.3:2182")]
    [InlineData("127.0.0.1", 2181, "127.0.0.1:2181")]
    [InlineData("::1", 2183, "[::1]:2183")]
    [InlineData("::1", 2181, "[::1]:2181")]
    public void OneServerIsFormattedAsAnEntryOfTheString(string host, int port, string entry)
    {
        Assert.Equal(entry, ZooKeeperConnectionString.FormatHost(new DnsEndPoint(host, port)));
        Assert.Equal(new DnsEndPoint(host, port), ZooKeeperConnectionString.Parse(entry).Hosts.Single());
    }

    [Theory]
    [InlineData("host:2181/", null)]
    [InlineData("host:2181", null)]
    [InlineData("host/a", "/a")]
    public void ALoneSlashIsNoChroot(string text, string? chroot) => Assert.Equal(chroot, ZooKeeperConnectionString.Parse(text).ChrootPath);

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(",,")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:abc")]
    [InlineData(":2181")]
    [InlineData("[::1")]
    [InlineData("[::1]x")]
    [InlineData("host:2181/a/")]
    [InlineData("host:2181/a//b")]
    public void BadStringsAreRejected(string text) => Assert.ThrowsAny<ArgumentException>(() => ZooKeeperConnectionString.Parse(text));
}
