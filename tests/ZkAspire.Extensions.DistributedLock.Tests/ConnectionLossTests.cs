// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Extensions.DistributedLock.Tests.Infrastructure;
using ZkAspire.Recipes;
using ZkAspire.TestInfrastructure.Contract;
using ZkAspire.Testing;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.DistributedLock.Tests;

/// <summary>The error policy: by default a Suspended connection already counts as a lost lock.</summary>
public sealed class ConnectionLossTests
{
    [Fact]
    public async Task WithTheStandardPolicyHandleLostFiresWhenTheConnectionIsSuspended()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: Ct);
        await using var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectionString = server.ConnectionString,
            SessionTimeout = TimeSpan.FromSeconds(30),
            ConnectionTimeout = TimeSpan.FromSeconds(5),
        }, Ct);
        var standard = new ZooKeeperDistributedSynchronizationProvider(client);
        var sessionOnly = new ZooKeeperDistributedSynchronizationProvider(client, new ZooKeeperDistributedLockOptions { ErrorPolicy = ConnectionErrorPolicy.SessionOnly });
        var strict = await standard.CreateLock("strict").AcquireAsync(cancellationToken: Ct);
        var lenient = await sessionOnly.CreateLock("lenient").AcquireAsync(cancellationToken: Ct);
        var suspended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionStateChanged += (_, change) =>
        {
            if (change.State == ConnectionState.Suspended)
            {
                suspended.TrySetResult();
            }
        };

        await server.StopAsync(Ct);

        await strict.HandleLostToken.CancelledSoon();
        await suspended.Task.WaitAsync(Patience, Ct);
        // The session (30 s) has not expired: the session-only hold is not lost.
        Assert.False(lenient.HandleLostToken.IsCancellationRequested);
    }
}
