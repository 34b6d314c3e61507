// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using ZkAspire.Client;
using ZkAspire.Recipes.Locks;
using ZkAspire.Recipes.Tests.Infrastructure;
using ZkAspire.TestInfrastructure;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Recipes.Tests.Faults;

/// <summary>
/// Locks under faults: a session killed from outside, a session expired behind a cut network,
/// suspensions shorter and longer than the grace. Safety — a holder has noticed the loss before the
/// next holder gets the lock, and its fenced writes are refused — and liveness — waiters go on, the
/// loser can take the lock again.
/// </summary>
/// <typeparam name="TServer">A server of the test class's own (100 ms tick).</typeparam>
public abstract class LockFaultTests<TServer>(TServer server) : IClassFixture<TServer>
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task AKilledSessionLosesItsLockAndTheNextWaiterGetsIt()
    {
        var path = Server.UniquePath("killed");
        var data = Server.UniquePath("killed-data");
        await using var proxy = new NetworkProxy(Server.Port);
        await using var a = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        await using var b = await Server.ConnectAsync();
        await b.CreateAsync(data, [], cancellationToken: Ct);
        var held = await new InterProcessMutex(a, path).AcquireAsync(Ct);
        var waiting = new InterProcessMutex(b, path).AcquireAsync(Ct);
        await b.WaitForChildrenAsync(path, 2);

        await a.KillSessionAsync(Server.ConnectionString, proxy);
        await held.HandleLost.CancelledSoon();
        var next = await waiting.Soon();
        Assert.True(next.FencingToken > held.FencingToken);
        await Assert.ThrowsAnyAsync<KeeperException>(() => held.CreateGuardedTransaction().SetData(data, Bytes("zombie")).CommitAsync(Ct));
        await next.CreateGuardedTransaction().SetData(data, Bytes("next")).CommitAsync(Ct);
        await held.DisposeAsync();

        // The loser's client carries on with a new session and queues again.
        var again = new InterProcessMutex(a, path).AcquireAsync(Ct);
        await again.StillWaiting();
        await next.DisposeAsync();
        await using var third = await again.Soon();
        Assert.True(third.FencingToken > next.FencingToken);
        Assert.Equal("next", Text((await b.GetDataAsync(data, Ct)).Data));
    }

    [Fact]
    public async Task AnExpiredSessionLosesItsLockBeforeTheNextWaiterGetsIt()
    {
        var path = Server.UniquePath("expired");
        await using var proxy = new NetworkProxy(Server.Port);
        await using var a = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        await using var b = await Server.ConnectAsync();
        var held = await new InterProcessMutex(a, path).AcquireAsync(Ct);
        var states = Record(a);
        var waiting = new InterProcessMutex(b, path).AcquireAsync(Ct);
        await b.WaitForChildrenAsync(path, 2);

        proxy.Refuse();
        var next = await waiting.Soon();
        Assert.True(held.HandleLost.IsCancellationRequested, "The holder must know before the next one gets the lock.");
        Assert.Equal(ConnectionState.Suspended, (await states.NextAsync()).State);

        proxy.Forward();
        await states.WaitForAsync(s => s.State == ConnectionState.Reconnected && s.IsNewSession);
        await held.DisposeAsync();
        var again = new InterProcessMutex(a, path).AcquireAsync(Ct);
        await again.StillWaiting();
        await next.DisposeAsync();
        await using var third = await again.Soon();
    }

    [Fact]
    public async Task ASuspensionWithinTheGraceKeepsTheLock()
    {
        var path = Server.UniquePath("grace");
        await using var proxy = new NetworkProxy(Server.Port);
        await using var a = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        var patient = await new InterProcessMutex(a, path + "-patient", new RecipeOptions { ErrorPolicy = new ConnectionErrorPolicy(TimeSpan.FromMinutes(1)) }).AcquireAsync(Ct);
        var sessionOnly = await new InterProcessMutex(a, path + "-session", new RecipeOptions { ErrorPolicy = ConnectionErrorPolicy.SessionOnly }).AcquireAsync(Ct);
        var standard = await new InterProcessMutex(a, path + "-standard").AcquireAsync(Ct);
        var states = Record(a);

        proxy.Drop();
        await states.WaitForAsync(s => s.State == ConnectionState.Reconnected);
        Assert.False(patient.HandleLost.IsCancellationRequested);
        Assert.False(sessionOnly.HandleLost.IsCancellationRequested);
        Assert.True(standard.HandleLost.IsCancellationRequested, "Curator's default treats Suspended as lost.");
        await patient.CreateGuardedTransaction().CommitAsync(Ct);
        await patient.DisposeAsync();
        await sessionOnly.DisposeAsync();
        await standard.DisposeAsync();
    }

    [Fact]
    public async Task ASuspensionLongerThanTheGraceLosesTheLock()
    {
        var path = Server.UniquePath("beyond");
        await using var proxy = new NetworkProxy(Server.Port);
        await using var a = await ZooKeeperClient.ConnectAsync(Server.Options(proxy.ConnectionString), Ct);
        var grace = TimeSpan.FromMilliseconds(300);
        var held = await new InterProcessMutex(a, path, new RecipeOptions { ErrorPolicy = new ConnectionErrorPolicy(grace) }).AcquireAsync(Ct);
        var states = Record(a);

        proxy.Refuse();
        await states.WaitForAsync(s => s.State == ConnectionState.Suspended);
        var suspended = Stopwatch.StartNew();
        await held.HandleLost.CancelledSoon();
        Assert.True(suspended.Elapsed >= grace - TimeSpan.FromMilliseconds(50), $"Lost after {suspended.Elapsed}, before the grace of {grace}.");
        Assert.Contains("grace", ((LockHandle)held).LostReason);
        proxy.Forward();
        await held.DisposeAsync();
    }

    [Fact]
    public async Task TheTicketSaleSurvivesKilledSessions()
    {
        var sale = new TicketSale(Server.UniquePath("tickets-killed"), 30);
        var clients = new List<ZooKeeperClient>();
        var proxies = new List<NetworkProxy>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                proxies.Add(new NetworkProxy(Server.Port));
                clients.Add(await ZooKeeperClient.ConnectAsync(Server.Options(proxies[i].ConnectionString), Ct));
            }

            await sale.SetUpAsync(clients[0]);
            var sellers = new List<Task>();
            foreach (var (client, index) in clients.Select((c, i) => (c, i)))
            {
                var mutex = new InterProcessMutex(client, sale.LockPath);
                for (var task = 0; task < 2; task++)
                {
                    var seller = $"s{index}-{task}";
                    sellers.Add(Task.Run(() => sale.SellAsync(client, mutex, seller), Ct));
                }
            }

            // Kill the session of whoever holds the lock, three times during the sale.
            var killed = 0;
            var all = Task.WhenAll(sellers);
            while (killed < 3 && !all.IsCompleted)
            {
                var holderPath = (await new InterProcessMutex(clients[0], sale.LockPath).GetParticipantNodesAsync(Ct)).FirstOrDefault();
                var owner = holderPath is null ? null : await clients[0].ExistsAsync(holderPath, Ct);
                var victim = clients.FindIndex(c => owner is not null && c.SessionId == owner.Value.EphemeralOwner);
                if (victim >= 0 && sale.Sold >= (killed + 1) * 6)
                {
                    await clients[victim].KillSessionAsync(Server.ConnectionString, proxies[victim]);
                    killed++;
                }
                else
                {
                    await Task.WhenAny(all, Task.Delay(20, Ct));
                }
            }

            await all.Soon();
            await sale.VerifyAsync(clients[0], faults: true);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    private static Recorder<ConnectionStateChange> Record(ZooKeeperClient client)
    {
        var recorder = new Recorder<ConnectionStateChange>();
        client.ConnectionStateChanged += (_, change) => recorder.Add(change);
        return recorder;
    }
}

/// <summary>Locks across a restart of ZkAspire's server (sessions and data survive in memory, connections do not).</summary>
public sealed class ZkAspireRestartTests(ZkAspireFaultServer server) : IClassFixture<ZkAspireFaultServer>
{
    [Fact]
    public async Task ARestartSuspendsHoldersAndWaitersGoOn()
    {
        var path = server.UniquePath("restart");
        await using var a = await server.ConnectAsync();
        await using var b = await server.ConnectAsync();
        var held = await new InterProcessMutex(a, path).AcquireAsync(Ct);
        var patient = await new InterProcessMutex(a, path + "-patient", new RecipeOptions { ErrorPolicy = ConnectionErrorPolicy.SessionOnly }).AcquireAsync(Ct);
        var waiting = new InterProcessMutex(b, path).AcquireAsync(Ct);
        await b.WaitForChildrenAsync(path, 2);
        var sessionA = a.SessionId;

        await server.Server.RestartAsync(Ct);
        await held.HandleLost.CancelledSoon();
        Assert.True(await a.WaitUntilConnectedAsync(Patience, Ct));
        Assert.Equal(sessionA, a.SessionId);

        // The session survived, so the lock node did: the waiter still waits (never two holders).
        await waiting.StillWaiting();
        Assert.False(patient.HandleLost.IsCancellationRequested);
        await patient.CreateGuardedTransaction().CommitAsync(Ct);
        await held.DisposeAsync();
        await using var next = await waiting.Soon();
        await patient.DisposeAsync();
    }

    [Fact]
    public async Task TheTicketSaleSurvivesARestart()
    {
        var sale = new TicketSale(server.UniquePath("tickets-restart"), 30);
        var clients = new List<ZooKeeperClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients.Add(await server.ConnectAsync());
            }

            await sale.SetUpAsync(clients[0]);
            var sellers = new List<Task>();
            foreach (var (client, index) in clients.Select((c, i) => (c, i)))
            {
                var mutex = new InterProcessMutex(client, sale.LockPath);
                for (var task = 0; task < 2; task++)
                {
                    var seller = $"s{index}-{task}";
                    sellers.Add(Task.Run(() => sale.SellAsync(client, mutex, seller), Ct));
                }
            }

            await clients[0].WaitForChildrenAsync(sale.TicketsPath, children => children.Count >= 10);
            await server.Server.RestartAsync(Ct);
            await Task.WhenAll(sellers).Soon();
            await sale.VerifyAsync(clients[0], faults: true);
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
