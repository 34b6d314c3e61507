// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Cli.Bench;

/// <summary>
/// <c>zkaspire bench</c>: a closed-loop load generator for any ZooKeeper server, ours or Apache
/// ZooKeeper (docs/performance.md). Results go to stdout as a table or JSON lines; the progress
/// line and problems go to stderr.
/// </summary>
internal sealed class BenchCommand
{
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly bool _progressInPlace;
    private int _progressWidth;

    /// <summary>Creates the command.</summary>
    /// <param name="output">stdout: the results.</param>
    /// <param name="error">stderr: progress, warnings, errors.</param>
    public BenchCommand(TextWriter output, TextWriter error)
    {
        _output = output;
        _error = error;

        // On a terminal the progress line is rewritten in place; into a file or pipe it is a line
        // a second, so a log shows how the run went.
        _progressInPlace = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
    }

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>bench</c>.</param>
    /// <param name="cancellationToken">Ends the run early.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        BenchOptions options;
        try
        {
            options = BenchArguments.Parse(args, out var help);
            if (help)
            {
                await WriteAsync(_output, BenchArguments.Usage.ReplaceLineEndings("\n") + "\n").ConfigureAwait(false);
                return ExitCodes.Success;
            }
        }
        catch (BenchArgumentException e)
        {
            await WriteAsync(_error, "zkaspire bench: " + e.Message + "\n" + BenchArguments.Usage.ReplaceLineEndings("\n") + "\n").ConfigureAwait(false);
            return ExitCodes.InvalidInvocation;
        }

        // Ctrl+C ends the run: the workloads done so far are reported and the znodes removed; a
        // second Ctrl+C ends the process as usual.
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler? onCancel = null;
        if (ReferenceEquals(_error, Console.Error))
        {
            onCancel = (_, e) =>
            {
                e.Cancel = !interrupt.IsCancellationRequested;
                interrupt.Cancel();
            };
            Console.CancelKeyPress += onCancel;
        }

        try
        {
            return await RunAsync(options, interrupt.Token).ConfigureAwait(false);
        }
        finally
        {
            if (onCancel is not null)
            {
                Console.CancelKeyPress -= onCancel;
            }
        }
    }

    private async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var runner = new BenchRunner(options, options.Quiet ? null : Progress, Warn);
        var results = new List<BenchResult>();
        var failovers = new List<Failover.FailoverResult>();
        var exitCode = ExitCodes.Success;
        foreach (var workload in options.Workloads)
        {
            if (workload == BenchWorkload.Failover)
            {
                // Not a closed loop of operations: rounds of kill, first write and election.
                var failover = await RunFailoverAsync(options, cancellationToken).ConfigureAwait(false);
                if (failover is null)
                {
                    exitCode = ExitCodes.Failure;
                    break;
                }

                failovers.Add(failover);
                continue;
            }

            BenchResult result;
            try
            {
                result = await runner.RunAsync(workload, cancellationToken).ConfigureAwait(false);
            }
            catch (BenchRunException e)
            {
                EndProgress();
                await WriteAsync(_error, "zkaspire bench: " + e.Message + "\n").ConfigureAwait(false);
                exitCode = ExitCodes.Failure;
                break;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                EndProgress();
                await WriteAsync(_error, "zkaspire bench: cancelled\n").ConfigureAwait(false);
                exitCode = ExitCodes.Failure;
                break;
            }

            results.Add(result);
            if (options.Json)
            {
                await WriteAsync(_output, BenchReport.JsonLine(result) + "\n").ConfigureAwait(false);
            }

            if (!options.Quiet)
            {
                Progress(string.Create(
                    CultureInfo.InvariantCulture,
                    $"bench {BenchReport.WorkloadName(workload)}: {result.OperationsPerSecond:N0} ops/s, p99 {result.Latency.P99 / 1e6:0.000} ms, {result.Errors} errors"));
                EndProgress();
            }

            if (options.FailOnError && result.Errors > 0)
            {
                exitCode = ExitCodes.Failure;
            }
        }

        if (!options.Json && results.Count > 0)
        {
            await WriteAsync(_output, string.Concat(BenchReport.Table(results).Select(l => l + "\n"))).ConfigureAwait(false);
        }

        if (!options.Json)
        {
            foreach (var failover in failovers)
            {
                await WriteAsync(_output, (results.Count > 0 ? "\n" : string.Empty) + string.Concat(BenchReport.FailoverTable(failover).Select(l => l + "\n"))).ConfigureAwait(false);
            }
        }

        return exitCode;
    }

    /// <summary>Runs the failover workload with the shell commands; null when it failed (the reason is on stderr).</summary>
    private async Task<Failover.FailoverResult?> RunFailoverAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var control = new Failover.ShellFailoverControl(options.KillCommand!, options.RestartCommand);
        var runner = new Failover.FailoverRunner(options, control, options.Quiet ? null : Progress, Warn);
        Failover.FailoverResult result;
        try
        {
            result = await runner.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BenchRunException e)
        {
            EndProgress();
            await WriteAsync(_error, "zkaspire bench: failover: " + e.Message + "\n").ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            EndProgress();
            await WriteAsync(_error, "zkaspire bench: cancelled\n").ConfigureAwait(false);
            return null;
        }

        EndProgress();
        if (options.Json)
        {
            await WriteAsync(_output, string.Concat(result.Rounds.Select(r => BenchReport.FailoverJsonLine(result, r) + "\n"))).ConfigureAwait(false);
        }

        return result;
    }

    private static async Task WriteAsync(TextWriter writer, string text)
    {
        await writer.WriteAsync(text).ConfigureAwait(false);
        await writer.FlushAsync().ConfigureAwait(false);
    }

    private void Progress(string line)
    {
        lock (_error)
        {
            if (_progressInPlace)
            {
                // Pad over the longer line before it, then return to the line's start.
                _error.Write("\r" + line.PadRight(_progressWidth));
                _progressWidth = line.Length;
            }
            else
            {
                _error.Write(line + "\n");
            }

            _error.Flush();
        }
    }

    private void Warn(string line)
    {
        EndProgress();
        lock (_error)
        {
            _error.Write(line + "\n");
            _error.Flush();
        }
    }

    private void EndProgress()
    {
        lock (_error)
        {
            if (_progressInPlace && _progressWidth > 0)
            {
                _error.Write("\n");
                _error.Flush();
                _progressWidth = 0;
            }
        }
    }
}
