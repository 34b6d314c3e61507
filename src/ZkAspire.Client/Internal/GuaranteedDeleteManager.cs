// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Logging;

namespace ZkAspire.Client.Internal;

/// <summary>
/// Retries failed guaranteed deletes in the background until they succeed, the node is gone, or
/// the client is disposed (Curator's <c>FailedDeleteManager</c>). Each delete waits for a
/// connection — across reconnects and new sessions — and backs off between attempts.
/// </summary>
internal sealed class GuaranteedDeleteManager
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly ZooKeeperClient _client;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _lock = new();
    private readonly HashSet<Task> _running = [];
    private bool _stopping;

    public GuaranteedDeleteManager(ZooKeeperClient client, ILogger logger)
    {
        _client = client;
        _logger = logger;
    }

    /// <summary>Gets how many deletes are still being retried.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>Starts retrying a delete in the background.</summary>
    /// <param name="path">The client path.</param>
    /// <param name="options">The delete's options (not guaranteed again).</param>
    /// <param name="failure">Why the caller's attempt failed.</param>
    public void Add(string path, DeleteOptions options, Exception failure)
    {
        Log.GuaranteedDeleteQueued(_logger, path, failure.Message);
        lock (_lock)
        {
            if (_stopping)
            {
                return;
            }

            var task = Task.Run(() => RunAsync(path, options, _stop.Token));
            _running.Add(task);
            _ = task.ContinueWith(
                t =>
                {
                    lock (_lock)
                    {
                        _running.Remove(t);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>Stops the retries and waits for them to end.</summary>
    /// <returns>A task that completes when they have ended.</returns>
    public async Task StopAsync()
    {
        Task[] running;
        lock (_lock)
        {
            _stopping = true;
            running = [.. _running];
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task RunAsync(string path, DeleteOptions options, CancellationToken stop)
    {
        var backoff = FirstBackoff;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _client.Connection.WaitForConnectedAsync(stop).ConfigureAwait(false);
                await _client.DeleteCoreAsync(path, options, stop).ConfigureAwait(false);
                return;
            }
            catch (NoNodeException)
            {
                // Gone: that is what we wanted.
                return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (Exception e) when (ZooKeeperClient.IsConnectionProblem(e))
            {
                try
                {
                    await Task.Delay(backoff, _client.Time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
            }
#pragma warning disable CA1031 // Anything else (BadVersion, NoAuth, NotEmpty, AuthFailed) will not heal by retrying.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.GuaranteedDeleteGaveUp(_logger, path, e);
                return;
            }
        }
    }
}
