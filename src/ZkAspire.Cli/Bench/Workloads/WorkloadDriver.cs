// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using ZkAspire.Client;

namespace ZkAspire.Cli.Bench.Workloads;

/// <summary>
/// One workload: what it prepares, what one operation of a slot does, and what it removes after.
/// A driver gets its own directory under the run's path, so runs never see each other's znodes.
/// </summary>
internal abstract class WorkloadDriver
{
    /// <summary>How many requests cleanup and setup keep in flight on one session.</summary>
    protected const int BulkWindow = 512;

    /// <summary>Creates a driver.</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="clients">The sessions.</param>
    /// <param name="directory">The driver's own znode, under the run's path; it does not exist yet.</param>
    protected WorkloadDriver(BenchOptions options, IReadOnlyList<ZooKeeperClient> clients, string directory)
    {
        Options = options;
        Clients = clients;
        Directory = directory;
        Payload = new byte[options.PayloadBytes];
        Random.Shared.NextBytes(Payload);
    }

    /// <summary>Gets the run's options.</summary>
    protected BenchOptions Options { get; }

    /// <summary>Gets the sessions.</summary>
    protected IReadOnlyList<ZooKeeperClient> Clients { get; }

    /// <summary>Gets the driver's directory znode.</summary>
    protected string Directory { get; }

    /// <summary>Gets the data written (one array for every write: the client copies it into the frame).</summary>
    protected byte[] Payload { get; }

    /// <summary>Makes the driver for a workload.</summary>
    /// <param name="workload">The workload.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="clients">The sessions.</param>
    /// <param name="directory">The driver's directory.</param>
    /// <returns>The driver.</returns>
    public static WorkloadDriver Create(BenchWorkload workload, BenchOptions options, IReadOnlyList<ZooKeeperClient> clients, string directory) => workload switch
    {
        BenchWorkload.Create => new CreateWorkload(options, clients, directory),
        BenchWorkload.Set or BenchWorkload.Get or BenchWorkload.Mixed => new KeyValueWorkload(workload, options, clients, directory),
        BenchWorkload.Watch => new WatchWorkload(options, clients, directory),
        BenchWorkload.Lock => new LockWorkload(options, clients, directory),
        BenchWorkload.Mutex => new MutexWorkload(options, clients, directory),
        _ => throw new ArgumentOutOfRangeException(nameof(workload)),
    };

    /// <summary>Creates the directory and whatever the workload needs before it starts.</summary>
    /// <param name="slots">The slots that will run.</param>
    /// <param name="cancellationToken">Stops the setup.</param>
    /// <returns>A task that completes when the workload can start.</returns>
    public virtual Task SetupAsync(IReadOnlyList<BenchSlot> slots, CancellationToken cancellationToken) =>
        Clients[0].CreateAsync(Directory, null, CreateOptions.Persistent, cancellationToken);

    /// <summary>Runs one operation of a slot.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="cancellationToken">Fires when the run ends; the operation is abandoned.</param>
    /// <returns>The operation's latency in <see cref="Stopwatch"/> ticks.</returns>
    public abstract ValueTask<long> ExecuteAsync(BenchSlot slot, CancellationToken cancellationToken);

    /// <summary>Deletes what the workload made, the directory last.</summary>
    /// <param name="slots">The slots that ran.</param>
    /// <param name="cancellationToken">Stops the cleanup.</param>
    /// <returns>A task that completes when the znodes are gone.</returns>
    public virtual Task CleanupAsync(IReadOnlyList<BenchSlot> slots, CancellationToken cancellationToken) =>
        DeleteTreeAsync(Directory, cancellationToken);

    /// <summary>Deletes znodes with a window of requests in flight; ones already gone are fine.</summary>
    /// <param name="paths">The znodes; all of one level (a parent in the same call may be tried before its children).</param>
    /// <param name="cancellationToken">Stops the deletion.</param>
    /// <returns>A task that completes when they are gone.</returns>
    protected async Task DeleteManyAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        await BulkAsync(paths, (client, path) => IgnoreNoNodeAsync(client.DeleteAsync(path, -1, cancellationToken)), cancellationToken).ConfigureAwait(false);

        static async Task IgnoreNoNodeAsync(Task delete)
        {
            try
            {
                await delete.ConfigureAwait(false);
            }
            catch (NoNodeException)
            {
            }
        }
    }

    /// <summary>Runs one request per item, spread over the sessions, with <see cref="BulkWindow"/> in flight per session.</summary>
    /// <param name="items">The items.</param>
    /// <param name="request">Issues the request for an item on a session.</param>
    /// <param name="cancellationToken">Stops issuing.</param>
    /// <returns>A task that completes when every request is answered.</returns>
    protected async Task BulkAsync(IEnumerable<string> items, Func<ZooKeeperClient, string, Task> request, CancellationToken cancellationToken)
    {
        var inFlight = new List<Task>(BulkWindow * Clients.Count);
        var next = 0;
        foreach (var item in items)
        {
            inFlight.Add(request(Clients[next++ % Clients.Count], item));
            if (inFlight.Count == inFlight.Capacity)
            {
                await Task.WhenAll(inFlight).WaitAsync(cancellationToken).ConfigureAwait(false);
                inFlight.Clear();
            }
        }

        await Task.WhenAll(inFlight).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes a znode with everything under it: its children are deleted as leaves in bulk, and
    /// those that turn out to have children of their own are deleted the same way, one by one.
    /// </summary>
    /// <param name="path">The znode.</param>
    /// <param name="cancellationToken">Stops the deletion.</param>
    /// <returns>A task that completes when it is gone.</returns>
    protected async Task DeleteTreeAsync(string path, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> children;
        try
        {
            children = await Clients[0].GetChildrenAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return;
        }

        var parents = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await BulkAsync(
            children.Select(child => path + "/" + child),
            async (client, child) =>
            {
                try
                {
                    await client.DeleteAsync(child, -1, cancellationToken).ConfigureAwait(false);
                }
                catch (NoNodeException)
                {
                }
                catch (NotEmptyException)
                {
                    parents.Enqueue(child);
                }
            },
            cancellationToken).ConfigureAwait(false);
        foreach (var parent in parents)
        {
            await DeleteTreeAsync(parent, cancellationToken).ConfigureAwait(false);
        }

        await DeleteManyAsync([path], cancellationToken).ConfigureAwait(false);
    }
}
