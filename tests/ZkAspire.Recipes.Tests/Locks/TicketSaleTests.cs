// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Recipes.Locks;
using ZkAspire.Recipes.Tests.Infrastructure;

namespace ZkAspire.Recipes.Tests.Locks;

/// <summary>The ticket sale: several sessions, each with several tasks, sell N tickets under one mutex.</summary>
/// <typeparam name="TServer">The server under test.</typeparam>
public abstract class TicketSaleTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task EveryTicketIsSoldExactlyOnceUnderTheReentrantMutex() =>
        await SellAsync((client, path) => new InterProcessMutex(client, path));

    [Fact]
    public async Task EveryTicketIsSoldExactlyOnceUnderTheSemaphoreMutex() =>
        await SellAsync((client, path) => new InterProcessSemaphoreMutex(client, path));

    private async Task SellAsync(Func<ZooKeeperClient, string, IInterProcessLock> makeLock)
    {
        var sale = new TicketSale(Server.UniquePath("tickets"), 40);
        var clients = new List<ZooKeeperClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                clients.Add(await Server.ConnectAsync());
            }

            await sale.SetUpAsync(clients[0]);
            var sellers = new List<Task>();
            foreach (var (client, index) in clients.Select((c, i) => (c, i)))
            {
                var mutex = makeLock(client, sale.LockPath);
                for (var task = 0; task < 3; task++)
                {
                    var seller = $"s{index}-t{task}";
                    sellers.Add(Task.Run(() => sale.SellAsync(client, mutex, seller), TestHelpers.Ct));
                }
            }

            await Task.WhenAll(sellers).Soon();
            await sale.VerifyAsync(clients[0]);
            Assert.Equal(0, sale.Overlaps);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
