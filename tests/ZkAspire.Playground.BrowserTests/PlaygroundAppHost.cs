// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace ZkAspire.Playground.BrowserTests;

/// <summary>
/// The playground AppHost run as the README's quick start runs it (<c>dotnet run</c> of the
/// AppHost project with its <c>http</c> launch profile: no certificate, no login), as a child
/// process; stopped as Ctrl+C stops it, and then every process it started is made sure to be gone.
/// </summary>
internal sealed partial class PlaygroundAppHost : IAsyncDisposable
{
    private static readonly TimeSpan MinimumCleanup = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Dictionary<(int Id, long StartTicks), ProcessEntry> _tracked = [];
    private readonly Action<string> _log;
    private int _openStreams = 2;
    private bool _stopped;

    private PlaygroundAppHost(Process process, Action<string> log)
    {
        _process = process;
        _log = log;
    }

    /// <summary>Gets the dashboard's address as the AppHost printed it (with the login token when it prints one).</summary>
    public Uri DashboardUrl { get; private set; } = null!;

    /// <summary>Gets everything the AppHost printed so far.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts the AppHost and waits, within <paramref name="timeout"/>, for it to print the
    /// dashboard's address and that the application started, and for the dashboard to answer.
    /// </summary>
    /// <param name="dotnet">The dotnet host.</param>
    /// <param name="project">The AppHost's project file.</param>
    /// <param name="configuration">The configuration it was built in (it is run without building).</param>
    /// <param name="log">Where its output lines go as they come.</param>
    /// <param name="timeout">How long start-up may take.</param>
    /// <param name="cancellationToken">Cancels the start (the AppHost is stopped).</param>
    public static async Task<PlaygroundAppHost> StartAsync(string dotnet, string project, string configuration, Action<string> log, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(dotnet)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = Path.GetDirectoryName(project)!,
        };
        // RandomizePorts: the orchestrator picks free ports for the dashboard, its OTLP and resource
        // service endpoints and the ticket office's proxy, instead of the launch profile's 15080,
        // 19080, 20080 and 5180, so the test runs beside a playground someone has open.
        foreach (var argument in new[] { "run", "--no-build", "--configuration", configuration, "--project", project, "--launch-profile", "http", "--", "--DcpPublisher:RandomizePorts=true" })
        {
            start.ArgumentList.Add(argument);
        }

        var host = new PlaygroundAppHost(new Process { StartInfo = start }, log);
        host._process.OutputDataReceived += (_, e) => host.OnLine(e.Data, null);
        host._process.ErrorDataReceived += (_, e) => host.OnLine(e.Data, "stderr: ");
        log($"starting: {dotnet} {string.Join(' ', start.ArgumentList)}");
        host._process.Start();
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        try
        {
            await host.WaitForStartAsync(timeout, cancellationToken);
            host.Track();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops the AppHost as Ctrl+C does (SIGTERM), so that it stops its resources, and waits for
    /// every process it started to end; kills whatever is left after <paramref name="timeout"/>.
    /// </summary>
    /// <returns>The processes that had not ended by themselves within the timeout (and were killed).</returns>
    public async Task<IReadOnlyList<ProcessEntry>> StopAsync(TimeSpan timeout)
    {
        if (_stopped)
        {
            return [];
        }

        _stopped = true;
        var clock = Stopwatch.StartNew();
        if (!_process.HasExited)
        {
            Track();
            var appHost = _tracked.Values.Where(p => p.ParentId == _process.Id).ToList();
            ProcessTable.Signal(ProcessTable.SigTerm, appHost.Count > 0 ? appHost : _tracked.Values.Where(p => p.Id == _process.Id));
            using var graceful = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(graceful.Token);
                _log($"the AppHost exited {clock.Elapsed.TotalSeconds:0.0} s after SIGTERM");
            }
            catch (OperationCanceledException)
            {
                _log($"the AppHost did not stop within {timeout.TotalSeconds:0} s of SIGTERM");
            }
        }

        // The orchestrator ends the resources after the AppHost has gone (it watches its pid): what
        // is left of the timeout, and a few seconds at least, is theirs.
        var rest = timeout - clock.Elapsed;
        var left = await ProcessTable.WaitForExitAsync(_tracked.Values, rest > MinimumCleanup ? rest : MinimumCleanup);
        if (left.Count == 0)
        {
            _log($"every process of the run ended {clock.Elapsed.TotalSeconds:0.0} s after SIGTERM");
        }
        else
        {
            _log($"killing what is left: {string.Join("; ", left)}");
            ProcessTable.Signal(ProcessTable.SigKill, left);
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            var unkillable = await ProcessTable.WaitForExitAsync(left, TimeSpan.FromSeconds(10));
            if (unkillable.Count > 0)
            {
                _log($"still running after SIGKILL: {string.Join("; ", unkillable)}");
            }
        }

        _log($"stopped in {clock.Elapsed.TotalSeconds:0.0} s; {_tracked.Count} processes tracked, {left.Count} had to be killed");
        return left;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>
    /// Records the processes that belong to this run: <c>dotnet run</c>'s tree (the AppHost and the
    /// dashboard it may start), and the orchestrator (dcp, which watches the AppHost's pid from
    /// outside the tree) with everything it runs (replicas, ticket-office instances, dashboard).
    /// </summary>
    public void Track()
    {
        if (_process.HasExited)
        {
            return;
        }

        var table = ProcessTable.Read();
        var ours = ProcessTable.Trees(table, [_process.Id]).ToList();
        var watchers = table.Values
            .Where(p => MonitorArgument().Match(p.CommandLine) is { Success: true } m && ours.Any(o => o.Id == int.Parse(m.Groups[1].ValueSpan, provider: null)))
            .Select(p => p.Id);
        foreach (var process in ours.Concat(ProcessTable.Trees(table, watchers)))
        {
            _tracked[(process.Id, process.StartTicks)] = process;
        }
    }

    [GeneratedRegex(@"--monitor (\d+)\b")]
    private static partial Regex MonitorArgument();

    // "Login to the dashboard at http://localhost:p/login?t=…" when a token is needed; with the
    // http profile (anonymous access) only "Now listening on: http://localhost:p" and "Dashboard: …".
    [GeneratedRegex(@"Login to the dashboard at (?<url>https?://\S+)")]
    private static partial Regex LoginLine();

    [GeneratedRegex(@"(?:Now listening on:|- Dashboard:)\s+(?<url>https?://\S+)")]
    private static partial Regex DashboardLine();

    private void OnLine(string? line, string? prefix)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0)
            {
                _lines.Writer.TryComplete();
            }

            return;
        }

        _output.Enqueue(prefix + line);
        _log(prefix + line);
        _lines.Writer.TryWrite(line);
    }

    private async Task WaitForStartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        Uri? login = null, listening = null;
        try
        {
            var started = false;
            while (!started)
            {
                if (!await _lines.Reader.WaitToReadAsync(limit.Token))
                {
                    throw new InvalidOperationException($"The AppHost ended before the application started (exit code {(_process.WaitForExit(5000) ? _process.ExitCode : -1)}):\n{Output}");
                }

                while (_lines.Reader.TryRead(out var line))
                {
                    if (LoginLine().Match(line) is { Success: true } l)
                    {
                        login = new Uri(l.Groups["url"].Value);
                    }
                    else if (DashboardLine().Match(line) is { Success: true } d)
                    {
                        listening ??= new Uri(d.Groups["url"].Value);
                    }

                    started |= line.Contains("Distributed application started", StringComparison.Ordinal);
                }
            }

            DashboardUrl = login ?? listening ?? throw new InvalidOperationException($"The AppHost started but printed no dashboard address:\n{Output}");

            // The dashboard is a web application of its own, started by the orchestrator: it is
            // asked until it answers (bounded by the same limit).
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri(DashboardUrl.GetLeftPart(UriPartial.Authority)), limit.Token);
                    if ((int)response.StatusCode < 500)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), limit.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The AppHost did not start within {timeout.TotalSeconds:0} s (dashboard: {login ?? listening}):\n{Output}");
        }
    }
}
