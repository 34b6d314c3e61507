// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using ZkAspire.Client;
using ZkAspire.Protocol;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.Tests.Infrastructure;

/// <summary>
/// Helpers of the configuration and hosting tests; the general ones (Ct, Soon, Bytes, Patience)
/// are TestInfrastructure's <see cref="ZkAspire.TestInfrastructure.Contract.TestHelpers"/>.
/// </summary>
public static class ExtensionsTestHelpers
{
    /// <summary>Creates nodes (and their parents) with data.</summary>
    /// <param name="client">The client.</param>
    /// <param name="nodes">Paths and data; null data makes a node without data.</param>
    /// <returns>A task.</returns>
    public static async Task CreateTreeAsync(this ZooKeeperClient client, params (string Path, string? Data)[] nodes)
    {
        foreach (var (path, data) in nodes)
        {
            await client.CreateAsync(path, data is null ? null : Bytes(data), CreateOptions.Persistent with { Parents = ParentCreation.Persistent }, Ct);
        }
    }

    /// <summary>Completes when a configuration's reload token fires next.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <returns>A task that completes on the next reload.</returns>
    public static Task NextReload(this IConfiguration configuration)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        configuration.GetReloadToken().RegisterChangeCallback(_ => fired.TrySetResult(), null);
        return fired.Task;
    }

    /// <summary>Waits until a condition on the configuration holds, checking after every reload (no polling).</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="condition">The condition.</param>
    /// <returns>A task.</returns>
    public static async Task UntilAsync(this IConfiguration configuration, Func<IConfiguration, bool> condition)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(Patience);
        var changed = new SemaphoreSlim(0);
        using var subscription = ChangeToken.OnChange(configuration.GetReloadToken, () => changed.Release());
        while (!condition(configuration))
        {
            try
            {
                // Woken by a reload, and every 50 ms besides: a condition may also depend on
                // state that other reload callbacks update just after this one runs.
                await changed.WaitAsync(TimeSpan.FromMilliseconds(50), cts.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                throw new TimeoutException("The configuration did not reach the expected state: " + string.Join(", ", configuration.AsEnumerable().Select(p => p.Key + "=" + p.Value)));
            }
        }
    }

    /// <summary>Completes when a client reports a connection state.</summary>
    /// <param name="client">The client.</param>
    /// <param name="state">The state.</param>
    /// <returns>A task that completes with the change.</returns>
    public static Task<ConnectionStateChange> NextState(this ZooKeeperClient client, ConnectionState state)
    {
        var reached = new TaskCompletionSource<ConnectionStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? sender, ConnectionStateChange change)
        {
            if (change.State == state && reached.TrySetResult(change))
            {
                client.ConnectionStateChanged -= Handler;
            }
        }

        client.ConnectionStateChanged += Handler;
        return reached.Task;
    }
}
