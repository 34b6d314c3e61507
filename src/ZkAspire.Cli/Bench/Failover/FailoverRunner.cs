// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ZkAspire.Cli.ServerControl;
using ZkAspire.Client;

namespace ZkAspire.Cli.Bench.Failover;

/// <summary>
/// The failover workload (issue 8: "kill the leader through a command, measure until the first
/// successful write"). The leader is the server whose <c>srvr</c> says <c>Mode: leader</c>; it is
/// killed through <see cref="IFailoverControl"/>; from the moment the kill returns, every writer
/// session (our client, each given the whole connect string, so it can move to a survivor) sets
/// its znode again and again until one is acknowledged, and every survivor is asked <c>srvr</c>
/// every 5 ms until one says it leads. With a restart, the killed server is brought back and the
/// next round waits until every server of the connect string serves again, one of them leading.
/// </summary>
/// <remarks>
/// Only writes issued after the kill count: a write in flight at the kill could still be
/// acknowledged by the old leader's last breath. The writes are setData with version −1 (the
/// client's retry policy is off, as in every workload: each failed try is counted, by kind).
/// </remarks>
internal sealed class FailoverRunner
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan WholeInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan SrvrTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan KilledCheckTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ElectionGrace = TimeSpan.FromSeconds(5);

    private readonly BenchOptions _options;
    private readonly IFailoverControl _control;
    private readonly Action<string>? _progress;
    private readonly Action<string> _warning;
    private readonly string _runId = Guid.NewGuid().ToString("n")[..8];

    /// <summary>Creates a runner.</summary>
    /// <param name="options">The run's options (connect string, clients, rounds, timeout, path, payload).</param>
    /// <param name="control">Kills and restarts servers.</param>
    /// <param name="progress">Shows a progress line; null for none.</param>
    /// <param name="warning">Says something went wrong that does not void the results.</param>
    public FailoverRunner(BenchOptions options, IFailoverControl control, Action<string>? progress, Action<string> warning)
    {
        _options = options;
        _control = control;
        _progress = progress;
        _warning = warning;
    }

    /// <summary>Runs every round.</summary>
    /// <param name="cancellationToken">Ends the run.</param>
    /// <returns>What was measured.</returns>
    /// <exception cref="BenchRunException">Bad input (no ensemble, no leader), a failed kill or restart, or no write within the timeout.</exception>
    public async Task<FailoverResult> RunAsync(CancellationToken cancellationToken)
    {
        var parsed = ZooKeeperConnectionString.Parse(_options.ConnectString);
        var servers = parsed.Hosts.Select((h, i) => new FailoverServer(h.Host, h.Port, i + 1)).ToList();
        if (_options.Rounds > 1 && !_control.CanRestart)
        {
            throw new BenchRunException("more than one failover round needs a way to restart the killed server (--restart-command)");
        }

        var leader = Whole(servers, await ModesAsync(servers, cancellationToken).ConfigureAwait(false));
        var writers = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var directory = _options.Path + "/failover-" + _runId;
        var paths = Enumerable.Range(0, writers.Count).Select(i => directory + "/w" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var payload = new byte[_options.PayloadBytes];
        Random.Shared.NextBytes(payload);
        try
        {
            try
            {
                await SetupAsync(writers, directory, paths, payload, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KeeperException or TimeoutException)
            {
                throw new BenchRunException($"the failover workload could not be set up under {directory}: {e.Message}", e);
            }

            var rounds = new List<FailoverRound>();
            for (var round = 1; round <= _options.Rounds; round++)
            {
                if (round > 1)
                {
                    leader = await WaitUntilWholeAsync(servers, cancellationToken).ConfigureAwait(false);
                }

                var result = await RoundAsync(round, leader, servers, writers, paths, payload, cancellationToken).ConfigureAwait(false);
                rounds.Add(result);
                Progress(string.Create(
                    CultureInfo.InvariantCulture,
                    $"bench failover: round {round}/{_options.Rounds}: killed {leader}, first write {result.FirstWrite.TotalMilliseconds:0} ms, new leader {result.NewLeader?.ToString() ?? "not seen"} after {Milliseconds(result.Election)}"));
                if (_control.CanRestart)
                {
                    // After the last round too: the ensemble is left whole, as it was found.
                    Progress($"bench failover: round {round}/{_options.Rounds}: restarting {leader}");
                    await _control.RestartAsync(leader, cancellationToken).ConfigureAwait(false);
                    if (round == _options.Rounds)
                    {
                        await WaitUntilWholeAsync(servers, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            return new FailoverResult { Label = _options.Label, ConnectString = _options.ConnectString, Clients = writers.Count, Rounds = rounds };
        }
        finally
        {
            if (!_options.KeepData)
            {
                await CleanupAsync(writers[0], directory).ConfigureAwait(false);
            }

            await Task.WhenAll(writers.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Checks that the servers make a whole ensemble: every one serves, exactly one leads, none is
    /// standalone, and there are at least three (a leader's loss must leave a quorum).
    /// </summary>
    /// <param name="servers">The servers of the connect string.</param>
    /// <param name="modes">Their <c>srvr</c> modes, null for one that does not serve.</param>
    /// <returns>The leader.</returns>
    /// <exception cref="BenchRunException">They do not.</exception>
    internal static FailoverServer Whole(IReadOnlyList<FailoverServer> servers, IReadOnlyList<string?> modes)
    {
        var described = Describe(servers, modes);
        for (var i = 0; i < servers.Count; i++)
        {
            if (modes[i] == "standalone")
            {
                throw new BenchRunException($"{servers[i]} is a standalone server (srvr: Mode: standalone): the failover workload needs an ensemble, with every server in the connect string");
            }
        }

        var leaders = servers.Where((_, i) => modes[i] == "leader").ToList();
        if (leaders.Count == 0)
        {
            throw new BenchRunException($"no leader among the servers of the connect string ({described}): the failover workload needs every server of the ensemble in the connect string, serving");
        }

        if (leaders.Count > 1)
        {
            throw new BenchRunException($"more than one server says it leads ({described}): are two ensembles in the connect string?");
        }

        if (modes.Any(m => m is null))
        {
            throw new BenchRunException($"not every server of the connect string serves ({described}): the failover workload starts from a whole ensemble");
        }

        if (servers.Count < 3)
        {
            throw new BenchRunException($"the connect string lists {servers.Count} servers ({described}): the failover workload needs an ensemble of at least 3, all of them listed, so that a quorum survives the kill");
        }

        return leaders[0];
    }

    /// <summary>Reads the <c>Mode: …</c> line of a <c>srvr</c> answer; null when there is none (the server says it is not serving).</summary>
    /// <param name="answer">The answer, or null when nothing answered.</param>
    /// <returns>The mode.</returns>
    internal static string? ParseMode(string? answer)
    {
        foreach (var line in (answer ?? string.Empty).ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.StartsWith("Mode: ", StringComparison.Ordinal))
            {
                return line["Mode: ".Length..].Trim();
            }
        }

        return null;
    }

    private static string Describe(IReadOnlyList<FailoverServer> servers, IReadOnlyList<string?> modes) =>
        string.Join(", ", servers.Select((s, i) => s + " " + (modes[i] ?? "not serving")));

    private static string Milliseconds(TimeSpan? time) =>
        time is { } t ? t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms" : "-";

    private static async Task<string?> ModeAsync(FailoverServer server, CancellationToken cancellationToken) =>
        ParseMode(await FourLetterWord.SendAsync(server.Host, server.Port, "srvr", SrvrTimeout, cancellationToken).ConfigureAwait(false));

    private static async Task<string?[]> ModesAsync(IReadOnlyList<FailoverServer> servers, CancellationToken cancellationToken) =>
        await Task.WhenAll(servers.Select(s => ModeAsync(s, cancellationToken))).ConfigureAwait(false);

    private async Task<FailoverRound> RoundAsync(int round, FailoverServer leader, IReadOnlyList<FailoverServer> servers, IReadOnlyList<ZooKeeperClient> writers, IReadOnlyList<string> paths, byte[] payload, CancellationToken cancellationToken)
    {
        Progress($"bench failover: round {round}/{_options.Rounds}: killing the leader {leader}");
        var killStarted = Stopwatch.GetTimestamp();
        await _control.KillAsync(leader, cancellationToken).ConfigureAwait(false);
        var killed = Stopwatch.GetTimestamp();

        using var measuring = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        measuring.CancelAfter(_options.FailoverTimeout);
        var errors = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var writes = writers.Select((w, i) => WriteUntilAcknowledgedAsync(w, paths[i], payload, errors, measuring.Token)).ToList();
        var election = ElectionAsync(servers.Where(s => s != leader).ToList(), measuring.Token);
        var killCheck = EnsureKilledAsync(leader, cancellationToken);

        long[] acknowledged;
        try
        {
            // A kill that did not kill fails the round before its numbers mean anything.
            await killCheck.ConfigureAwait(false);
            acknowledged = await Task.WhenAll(writes).ConfigureAwait(false);

            // The new leader normally answers srvr before any write succeeds; on a busy machine
            // the answer may come a little later, so it gets a moment more before it is given up.
            try
            {
                await election.WaitAsync(ElectionGrace, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Reported as not seen.
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var done = writes.Count(w => w.IsCompletedSuccessfully);
            throw new BenchRunException(string.Create(
                CultureInfo.InvariantCulture,
                $"round {round}: {(done == 0 ? "no write was" : $"only {done} of {writes.Count} writer sessions had a write")} acknowledged within {_options.FailoverTimeout.TotalSeconds:0} s of killing {leader}; failed writes: {FormatErrors(errors)}"));
        }
        finally
        {
            await measuring.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(writes.Append<Task>(election).Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default))).ConfigureAwait(false);
        }

        // Finished by now (cancelled above at the latest), so this does not wait.
        var elected = await election.ConfigureAwait(false);
        if (elected is null)
        {
            _warning($"zkaspire bench: failover round {round}: no surviving server answered srvr as leader within {ElectionGrace.TotalSeconds:0} s of every writer having written");
        }

        var errorList = errors.ToArray();
        return new FailoverRound
        {
            Round = round,
            Killed = leader,
            NewLeader = elected?.Server,
            FirstWrite = Stopwatch.GetElapsedTime(killed, acknowledged.Min()),
            AllWriters = Stopwatch.GetElapsedTime(killed, acknowledged.Max()),
            Election = elected is { } e ? Stopwatch.GetElapsedTime(killed, e.Timestamp) : null,
            KillCommand = Stopwatch.GetElapsedTime(killStarted, killed),
            Errors = errorList.Sum(p => p.Value),
            ErrorsByKind = new SortedDictionary<string, long>(errorList.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal),
        };
    }

    private static string FormatErrors(ConcurrentDictionary<string, long> errors) =>
        errors.IsEmpty ? "none" : string.Join(", ", errors.OrderByDescending(p => p.Value).Select(p => p.Value.ToString(CultureInfo.InvariantCulture) + " x " + p.Key));

    /// <summary>Sets the writer's znode until a set is acknowledged; returns when, as a <see cref="Stopwatch"/> timestamp.</summary>
    private static async Task<long> WriteUntilAcknowledgedAsync(ZooKeeperClient client, string path, byte[] payload, ConcurrentDictionary<string, long> errors, CancellationToken cancellationToken)
    {
        // Off the caller's stack: the writers start together.
        await Task.Yield();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(AttemptTimeout);
            try
            {
                await client.SetDataAsync(path, payload, -1, attempt.Token).ConfigureAwait(false);
                return Stopwatch.GetTimestamp();
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                errors.AddOrUpdate("AttemptTimeout", 1, (_, n) => n + 1);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Whatever the client throws while the ensemble recovers is a failed try, counted
                // by kind, as in every workload (BenchRunner).
                errors.AddOrUpdate(BenchRunner.KindOf(e), 1, (_, n) => n + 1);
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Asks every survivor <c>srvr</c> every 5 ms until one says it leads.</summary>
    private static async Task<(FailoverServer Server, long Timestamp)?> ElectionAsync(IReadOnlyList<FailoverServer> survivors, CancellationToken cancellationToken)
    {
        using var found = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var polls = survivors.Select(PollAsync).ToList();
        var results = await Task.WhenAll(polls).ConfigureAwait(false);
        return results.Where(r => r is not null).OrderBy(r => r!.Value.Timestamp).FirstOrDefault();

        async Task<(FailoverServer Server, long Timestamp)?> PollAsync(FailoverServer server)
        {
            await Task.Yield();
            try
            {
                while (!found.IsCancellationRequested)
                {
                    if (await ModeAsync(server, found.Token).ConfigureAwait(false) == "leader")
                    {
                        var at = Stopwatch.GetTimestamp();
                        await found.CancelAsync().ConfigureAwait(false);
                        return (server, at);
                    }

                    await Task.Delay(PollInterval, found.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // Another survivor was first, or the round's time ran out.
            }

            return null;
        }
    }

    /// <summary>Fails when the killed server still answers <c>srvr</c> as leader for <see cref="KilledCheckTimeout"/>.</summary>
    private static async Task EnsureKilledAsync(FailoverServer leader, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(KilledCheckTimeout.TotalSeconds * Stopwatch.Frequency);
        while (await ModeAsync(leader, cancellationToken).ConfigureAwait(false) == "leader")
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchRunException($"the kill command ran, but {leader} still answers srvr as leader {KilledCheckTimeout.TotalSeconds:0} s later: it did not kill the leader (check the command, and that {{pid}}, {{host}}, {{port}} or {{index}} name the right server)");
            }

            await Task.Delay(WholeInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<FailoverServer> WaitUntilWholeAsync(IReadOnlyList<FailoverServer> servers, CancellationToken cancellationToken)
    {
        Progress("bench failover: waiting until every server serves again");
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.FailoverTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var modes = await ModesAsync(servers, cancellationToken).ConfigureAwait(false);
            try
            {
                return Whole(servers, modes);
            }
            catch (BenchRunException e) when (Stopwatch.GetTimestamp() < deadline)
            {
                // Still electing or syncing; a standalone server will not become a member by waiting.
                if (modes.Contains("standalone"))
                {
                    throw new BenchRunException("after the restart: " + e.Message, e);
                }
            }
            catch (BenchRunException e)
            {
                throw new BenchRunException($"the ensemble did not serve whole again within {_options.FailoverTimeout.TotalSeconds:0} s of the restart: {e.Message}", e);
            }

            await Task.Delay(WholeInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    // The whole list for every session: a session must be able to move to a survivor (the client shuffles it).
    private Task<List<ZooKeeperClient>> ConnectAsync(CancellationToken cancellationToken) =>
        BenchSessions.ConnectAsync(_options.Clients, _ => _options.ConnectString, _options.ConnectString, _options.SessionTimeout, cancellationToken);

    private async Task SetupAsync(IReadOnlyList<ZooKeeperClient> writers, string directory, IReadOnlyList<string> paths, byte[] payload, CancellationToken cancellationToken)
    {
        try
        {
            await writers[0].CreateAsync(directory, null, CreateOptions.Persistent with { Parents = ParentCreation.Persistent }, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
        }

        await Task.WhenAll(paths.Select(p => writers[0].CreateAsync(p, payload, CreateOptions.Persistent, cancellationToken))).ConfigureAwait(false);

        // Every writer has written once before the kill: its session is up and the path works.
        await Task.WhenAll(writers.Select((w, i) => w.SetDataAsync(paths[i], payload, -1, cancellationToken))).ConfigureAwait(false);
    }

    private async Task CleanupAsync(ZooKeeperClient client, string directory)
    {
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await client.DeleteAsync(directory, new DeleteOptions { DeleteChildren = true }, timeout.Token).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
        }
        catch (Exception e) when (e is KeeperException or TimeoutException or OperationCanceledException)
        {
            _warning($"zkaspire bench: failover: cleanup failed ({e.Message}); znodes may be left under {directory}");
        }
    }

    private void Progress(string line) => _progress?.Invoke(line);
}
