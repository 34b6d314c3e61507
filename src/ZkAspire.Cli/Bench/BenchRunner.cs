// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using ZkAspire.Cli.Bench.Workloads;
using ZkAspire.Client;

namespace ZkAspire.Cli.Bench;

/// <summary>
/// Runs workloads as closed loops: N sessions, each with K requests in flight; a slot issues its
/// next request when the last one is answered. Each workload gets fresh sessions and a directory
/// of its own, runs unmeasured for the warm-up, is measured for the duration, and is cleaned up.
/// </summary>
/// <remarks>
/// An operation is measured when it both starts and ends inside the measured window; throughput
/// is those operations over the window's length. Failures are counted by kind and never end the
/// run: the slot backs off for a millisecond and carries on.
/// </remarks>
internal sealed class BenchRunner
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromMinutes(2);

    private readonly BenchOptions _options;
    private readonly Action<string>? _progress;
    private readonly Action<string> _warning;
    private readonly string _runId = Guid.NewGuid().ToString("n")[..8];

    /// <summary>Creates a runner.</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="progress">Shows a progress line (replacing the last one); null for none.</param>
    /// <param name="warning">Says something went wrong that does not void the results (stderr).</param>
    public BenchRunner(BenchOptions options, Action<string>? progress, Action<string> warning)
    {
        _options = options;
        _progress = progress;
        _warning = warning;
    }

    /// <summary>Runs one workload.</summary>
    /// <param name="workload">The workload.</param>
    /// <param name="cancellationToken">Ends the run early; the task is then cancelled.</param>
    /// <returns>What it measured.</returns>
    /// <exception cref="BenchRunException">The sessions could not connect, or the setup failed.</exception>
    public async Task<BenchResult> RunAsync(BenchWorkload workload, CancellationToken cancellationToken)
    {
        var clients = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var name = BenchReport.WorkloadName(workload);
            var directory = _options.Path + "/" + name + "-" + _runId;
            var slots = new List<BenchSlot>(_options.Clients * _options.InFlight);
            for (var k = 0; k < _options.InFlight; k++)
            {
                for (var c = 0; c < clients.Count; c++)
                {
                    slots.Add(new BenchSlot(slots.Count, c, clients[c]));
                }
            }

            var driver = WorkloadDriver.Create(workload, _options, clients, directory);
            try
            {
                try
                {
                    await EnsurePathAsync(clients[0], cancellationToken).ConfigureAwait(false);
                    await driver.SetupAsync(slots, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is KeeperException or TimeoutException)
                {
                    throw new BenchRunException($"the {name} workload could not be set up under {directory}: {e.Message}", e);
                }

                var (elapsed, histogram) = await MeasureAsync(name, driver, slots, cancellationToken).ConfigureAwait(false);
                var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
                foreach (var slot in slots)
                {
                    foreach (var (kind, count) in slot.ErrorsByKind ?? [])
                    {
                        errors[kind] = errors.GetValueOrDefault(kind) + count;
                    }
                }

                return new BenchResult
                {
                    Workload = workload,
                    Label = _options.Label,
                    ConnectString = _options.ConnectString,
                    Clients = _options.Clients,
                    InFlight = _options.InFlight,
                    PayloadBytes = _options.PayloadBytes,
                    ReadRatio = workload == BenchWorkload.Mixed ? _options.ReadRatio : null,
                    Locks = workload is BenchWorkload.Lock or BenchWorkload.Mutex ? _options.Locks : null,
                    Elapsed = elapsed,
                    Operations = histogram.TotalCount,
                    Errors = slots.Sum(s => s.Errors),
                    ErrorsByKind = errors,
                    Latency = LatencySummary.From(histogram),
                };
            }
            finally
            {
                // After a failed setup too: whatever part of it was made goes.
                if (!_options.KeepData)
                {
                    await CleanupAsync(name, driver, slots).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        }
    }

    /// <summary>The time of <see cref="Stopwatch"/> ticks in nanoseconds.</summary>
    internal static long ToNanoseconds(long ticks) =>
        Stopwatch.Frequency == 1_000_000_000 ? ticks : (long)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));

    /// <summary>The kind a failure is counted under: the ZooKeeper error code's name, or the exception's type.</summary>
    internal static string KindOf(Exception e) => e switch
    {
        KeeperException k => k.Code.ToString(),
        WatchLostException w => "WatchLost(" + w.What + ")",
        _ => e.GetType().Name,
    };

    /// <summary>The connect string of session <paramref name="index"/>: one server of the list, in turn, with the chroot.</summary>
    internal static string SessionConnectString(ZooKeeperConnectionString parsed, int index)
    {
        var host = parsed.Hosts[index % parsed.Hosts.Count];
        var name = host.Host.Contains(':', StringComparison.Ordinal) ? "[" + host.Host + "]" : host.Host;
        return name + ":" + host.Port.ToString(CultureInfo.InvariantCulture) + (parsed.ChrootPath ?? string.Empty);
    }

    private static async Task RunSlotAsync(WorkloadDriver driver, BenchSlot slot, MeasuredWindow window, CancellationToken stop)
    {
        // Off the caller's stack: every slot runs as its own continuation chain.
        await Task.Yield();
        while (!stop.IsCancellationRequested)
        {
            var measured = window.IsOpen;
            try
            {
                var ticks = await driver.ExecuteAsync(slot, stop).ConfigureAwait(false);
                slot.Succeeded(ToNanoseconds(ticks), measured && window.IsOpen);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // Abandoned at the end of the run: neither a success nor a failure.
                return;
            }
            catch (Exception e)
            {
                slot.Failure(KindOf(e), measured);
                try
                {
                    await Task.Delay(ErrorBackoff, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<(TimeSpan Elapsed, LatencyHistogram Histogram)> MeasureAsync(string name, WorkloadDriver driver, List<BenchSlot> slots, CancellationToken cancellationToken)
    {
        var window = new MeasuredWindow();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loops = slots.Select(s => RunSlotAsync(driver, s, window, stop.Token)).ToArray();
        var phaseStart = Stopwatch.GetTimestamp();
        var lastCount = 0L;
        var lastTime = Stopwatch.GetTimestamp();
        var progress = _progress is null ? null : new Timer(_ => ShowProgress(), null, ProgressInterval, ProgressInterval);
        TimeSpan elapsed;
        try
        {
            if (_options.Warmup > TimeSpan.Zero)
            {
                await Task.Delay(_options.Warmup, cancellationToken).ConfigureAwait(false);
            }

            window.Open();
            phaseStart = Stopwatch.GetTimestamp();
            await Task.Delay(_options.Duration, cancellationToken).ConfigureAwait(false);
            window.Close();
            elapsed = Stopwatch.GetElapsedTime(phaseStart);
        }
        finally
        {
            window.Close();
            if (progress is not null)
            {
                await progress.DisposeAsync().ConfigureAwait(false);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(loops).WaitAsync(StopTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A request that ignores cancellation must not hang the run; its slot is dropped.
            }
        }

        var histogram = new LatencyHistogram();
        foreach (var slot in slots)
        {
            histogram.Add(slot.Histogram);
        }

        return (elapsed, histogram);

        void ShowProgress()
        {
            var count = 0L;
            var failed = 0L;
            foreach (var slot in slots)
            {
                count += slot.Completed;
                failed += slot.Failed;
            }

            var now = Stopwatch.GetTimestamp();
            var seconds = Stopwatch.GetElapsedTime(lastTime, now).TotalSeconds;
            var rate = seconds > 0 ? (count - lastCount) / seconds : 0;
            lastCount = count;
            lastTime = now;
            var phase = window.IsOpen
                ? string.Create(CultureInfo.InvariantCulture, $"{Stopwatch.GetElapsedTime(phaseStart).TotalSeconds:0}/{_options.Duration.TotalSeconds:0} s")
                : string.Create(CultureInfo.InvariantCulture, $"warm-up {Stopwatch.GetElapsedTime(phaseStart).TotalSeconds:0}/{_options.Warmup.TotalSeconds:0} s");
            _progress!(string.Create(CultureInfo.InvariantCulture, $"bench {name}: {phase}, {rate:N0} ops/s, {failed} errors"));
        }
    }

    private Task<List<ZooKeeperClient>> ConnectAsync(CancellationToken cancellationToken)
    {
        var parsed = ZooKeeperConnectionString.Parse(_options.ConnectString);
        return BenchSessions.ConnectAsync(_options.Clients, i => SessionConnectString(parsed, i), _options.ConnectString, _options.SessionTimeout, cancellationToken);
    }

    private async Task EnsurePathAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        if (await client.ExistsAsync(_options.Path, cancellationToken).ConfigureAwait(false) is null)
        {
            try
            {
                await client.CreateAsync(_options.Path, null, CreateOptions.Persistent with { Parents = ParentCreation.Persistent }, cancellationToken).ConfigureAwait(false);
            }
            catch (NodeExistsException)
            {
                // Another bench run made it meanwhile.
            }
        }
    }

    private async Task CleanupAsync(string name, WorkloadDriver driver, List<BenchSlot> slots)
    {
        // Not cancelled with the run: a run ended early (Ctrl+C) still removes its znodes, within a bound.
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        try
        {
            _progress?.Invoke($"bench {name}: cleaning up");
            await driver.CleanupAsync(slots, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KeeperException or TimeoutException or OperationCanceledException)
        {
            // The result stands; the znodes stay, and the user is told where.
            _warning($"zkaspire bench: {name}: cleanup failed ({e.Message}); znodes may be left under {_options.Path}");
        }
    }

    /// <summary>Whether operations are being measured; flipped by the runner, read by every slot.</summary>
    private sealed class MeasuredWindow
    {
        private volatile bool _open;

        public bool IsOpen => _open;

        public void Open() => _open = true;

        public void Close() => _open = false;
    }
}
