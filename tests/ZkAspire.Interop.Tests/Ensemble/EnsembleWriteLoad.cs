// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;
using ZkAspire.Client;

namespace ZkAspire.Interop.Tests.Ensemble;

/// <summary>
/// Several clients, each with the whole ensemble's connection string, creating znodes under one
/// parent one after another until stopped; every create the server acknowledged is recorded. A
/// create whose outcome is unknown (the connection broke after it was sent) is counted, not
/// recorded: it may or may not exist afterwards, and either is correct.
/// </summary>
internal sealed class EnsembleWriteLoad : IAsyncDisposable
{
    private readonly List<ZooKeeperClient> _clients;
    private readonly CancellationTokenSource _stop;
    private readonly List<Task> _loops = [];
    private readonly Lock _gate = new();
    private readonly List<string> _acknowledged = [];
    private readonly List<Exception> _unexpected = [];
    private readonly List<(long Target, TaskCompletionSource Reached)> _waiters = [];
    private int _uncertain;

    private EnsembleWriteLoad(List<ZooKeeperClient> clients, CancellationToken cancellationToken)
    {
        _clients = clients;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Gets the number of creates acknowledged so far.</summary>
    public long Acknowledged
    {
        get
        {
            lock (_gate)
            {
                return _acknowledged.Count;
            }
        }
    }

    /// <summary>Gets the creates whose reply was lost with the connection.</summary>
    public int Uncertain => Volatile.Read(ref _uncertain);

    /// <summary>Gets the paths of the acknowledged creates (each znode's data is its path in UTF-8).</summary>
    public IReadOnlyList<string> AcknowledgedPaths
    {
        get
        {
            lock (_gate)
            {
                return [.. _acknowledged];
            }
        }
    }

    /// <summary>Gets the failures other than a lost connection: none is expected.</summary>
    public IReadOnlyList<Exception> Unexpected
    {
        get
        {
            lock (_gate)
            {
                return [.. _unexpected];
            }
        }
    }

    /// <summary>Creates <paramref name="parent"/> and starts the clients.</summary>
    /// <param name="connectionString">The ensemble's connection string.</param>
    /// <param name="parent">The parent znode of the writes.</param>
    /// <param name="clients">The concurrent clients.</param>
    /// <param name="cancellationToken">The test's token.</param>
    /// <returns>The running load.</returns>
    public static async Task<EnsembleWriteLoad> StartAsync(string connectionString, string parent, int clients, CancellationToken cancellationToken)
    {
        var connected = new List<ZooKeeperClient>();
        try
        {
            for (var i = 0; i < clients; i++)
            {
                connected.Add(await ZooKeeperClient.ConnectAsync(Options(connectionString), cancellationToken));
            }

            await connected[0].CreateAsync(parent, null, CreateOptions.Persistent, cancellationToken);
        }
        catch
        {
            await Task.WhenAll(connected.Select(c => c.DisposeAsync().AsTask()));
            throw;
        }

        var load = new EnsembleWriteLoad(connected, cancellationToken);
        for (var i = 0; i < clients; i++)
        {
            var client = connected[i];
            var prefix = string.Create(CultureInfo.InvariantCulture, $"{parent}/c{i}-");
            load._loops.Add(Task.Run(() => load.WriteAsync(client, prefix), CancellationToken.None));
        }

        return load;
    }

    /// <summary>The client settings of the load and of the tests' own clients.</summary>
    /// <param name="connectionString">The servers.</param>
    /// <returns>The options: a 10 s session (a client on a paused server gives up on it after two thirds of that).</returns>
    public static ZooKeeperClientOptions Options(string connectionString) => new()
    {
        ConnectionString = connectionString,
        SessionTimeout = TimeSpan.FromSeconds(10),
        ConnectionTimeout = TimeSpan.FromSeconds(30),
        DefaultData = null,
    };

    /// <summary>Waits until <paramref name="count"/> more creates than now are acknowledged.</summary>
    /// <param name="count">How many more.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="what">What the wait shows, for the failure message.</param>
    /// <returns>A task.</returns>
    /// <exception cref="TimeoutException">Fewer were acknowledged in time.</exception>
    public async Task WaitForMoreAsync(int count, TimeSpan timeout, string what)
    {
        TaskCompletionSource reached;
        long target;
        lock (_gate)
        {
            target = _acknowledged.Count + count;
            reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, reached));
        }

        try
        {
            await reached.Task.WaitAsync(timeout, _stop.Token);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what}: {Acknowledged} of {target} creates acknowledged within {timeout.TotalSeconds:0} s ({Uncertain} uncertain; unexpected: {string.Join("; ", Unexpected.Select(e => e.Message))})");
        }
    }

    /// <summary>Stops the clients (closing their sessions) and waits for their loops to end.</summary>
    /// <returns>A task.</returns>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        await Task.WhenAll(_clients.Select(c => c.DisposeAsync().AsTask())).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task WriteAsync(ZooKeeperClient client, string prefix)
    {
        var token = _stop.Token;
        for (var n = 0; !token.IsCancellationRequested; n++)
        {
            var path = prefix + n.ToString("D6", CultureInfo.InvariantCulture);
            try
            {
                await client.CreateAsync(path, Encoding.UTF8.GetBytes(path), CreateOptions.Persistent, token);
                Acknowledge(path);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is ConnectionLossException or OperationTimeoutException or RequestTimeoutException)
            {
                // Sent or not, the server may have applied it; the next create gets a new name.
                // Await the connection's return (bounded) rather than spin on failures.
                Interlocked.Increment(ref _uncertain);
                try
                {
                    await client.WaitUntilConnectedAsync(TimeSpan.FromSeconds(30), token);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    _unexpected.Add(e);
                }

                return;
            }
        }
    }

    private void Acknowledge(string path)
    {
        lock (_gate)
        {
            _acknowledged.Add(path);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_acknowledged.Count >= _waiters[i].Target)
                {
                    _waiters[i].Reached.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
