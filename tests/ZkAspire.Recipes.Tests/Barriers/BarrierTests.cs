// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Recipes.Barriers;
using ZkAspire.Recipes.Tests.Infrastructure;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Recipes.Tests.Barriers;

/// <summary>The barrier and the double barrier.</summary>
/// <typeparam name="TServer">The server under test.</typeparam>
public abstract class BarrierTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task WaitersWaitWhileTheBarrierIsSetAndGoOnWhenItIsRemoved()
    {
        var path = Server.UniquePath("barrier") + "/b";
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        var barrier = new DistributedBarrier(a, path);
        Assert.True(await barrier.WaitOnBarrierAsync(TimeSpan.Zero, Ct));
        await barrier.SetBarrierAsync(Ct);
        await barrier.SetBarrierAsync(Ct);

        var first = new DistributedBarrier(b, path).WaitOnBarrierAsync(Ct);
        var second = new DistributedBarrier(a, path).WaitOnBarrierAsync(Patience, Ct);
        Assert.False(await new DistributedBarrier(b, path).WaitOnBarrierAsync(TimeSpan.FromMilliseconds(100), Ct));
        await first.StillWaiting();
        await second.StillWaiting();

        await new DistributedBarrier(b, path).RemoveBarrierAsync(Ct);
        await first.Soon();
        Assert.True(await second.Soon());
        await barrier.RemoveBarrierAsync(Ct);
    }

    [Fact]
    public async Task MembersEnterTogetherAndLeaveTogether()
    {
        var path = Server.UniquePath("double");
        var clients = new List<ZooKeeperClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients.Add(await Server.ConnectAsync());
            }

            var members = clients.Select(c => new DistributedDoubleBarrier(c, path, 3)).ToList();
            var entering = new List<Task<bool>> { members[0].EnterAsync(Patience, Ct), members[1].EnterAsync(Patience, Ct) };
            await clients[0].WaitForChildrenAsync(path, 2);
            foreach (var waiting in entering)
            {
                await waiting.StillWaiting();
            }

            entering.Add(members[2].EnterAsync(Patience, Ct));
            Assert.All(await Task.WhenAll(entering).Soon(), Assert.True);
            var children = await clients[0].ChildrenAsync(path);
            Assert.Contains("ready", children);
            Assert.Equal(3, children.Count(c => Guid.TryParse(c, out _)));

            var leaving = new List<Task<bool>> { members[0].LeaveAsync(Patience, Ct), members[1].LeaveAsync(Patience, Ct) };
            foreach (var waiting in leaving)
            {
                await waiting.StillWaiting();
            }

            leaving.Add(members[2].LeaveAsync(Patience, Ct));
            Assert.All(await Task.WhenAll(leaving).Soon(), Assert.True);
            Assert.Empty(await clients[0].ChildrenAsync(path));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task EnteringTimesOutWhenTooFewMembersCome()
    {
        var path = Server.UniquePath("double-timeout");
        await using var a = await Server.ConnectAsync();
        var member = new DistributedDoubleBarrier(a, path, 2);
        Assert.False(await member.EnterAsync(TimeSpan.FromMilliseconds(150), Ct));
        Assert.True(await member.LeaveAsync(Patience, Ct));
        Assert.Empty(await a.ChildrenAsync(path));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedDoubleBarrier(a, path, 0));
    }
}
