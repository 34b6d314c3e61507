// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests;

public sealed class ApacheZooKeeperFixtureTests
{
    [Fact]
    public async Task StartsOnAFreePortAndAnswersSrvr()
    {
        await using var server = await ApacheZooKeeper.StartAsync();
        var srvr = await FourLetterWordClient.SendAsync(server.Port, "srvr");
        Assert.Contains("Mode: standalone", srvr, StringComparison.Ordinal);
        Assert.Contains("Node count: 5", srvr, StringComparison.Ordinal);
    }
}
