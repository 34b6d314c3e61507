// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using ZkAspire.Cli.Bench;
using ZkAspire.Cli.Bench.Failover;
using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Performance;

/// <summary>
/// Issue 4's and 8's availability numbers on a fresh three-node ensemble: cold start (starting the
/// three processes until the first create is acknowledged) and leader failover. Cold start is
/// timed by probes on raw connections to every server at once, a new session and a create each,
/// every 5 ms per server. Failover is the bench's failover workload (<see cref="FailoverRunner"/>,
/// the same code as <c>zkaspire bench -w failover</c>) driven by this harness: kill -9 of the leader
/// until the first write acknowledged to our client, and until a survivor answers <c>srvr</c> as
/// leader; several kills in a row, the killed server restarted and the ensemble whole again before
/// the next one.
/// </summary>
internal static class FailoverMeasurement
{
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(120);
    private static readonly List<ACL> OpenAcl = [new(Perms.All, new Id("world", "anyone"))];

    public static async Task<FailoverSample> RunAsync(ServerFlavor flavor, ZkAspireServerProgram program, int repetition, int failovers, int clients, Action<string> log, CancellationToken cancellationToken)
    {
        await using var ensemble = await ZooKeeperEnsemble.CreateAsync(ServerCluster.Kind(flavor), ServerCluster.Options(Topology.ThreeNodes, program), cancellationToken).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();
            foreach (var member in ensemble.Members)
            {
                member.Start();
            }

            var coldStart = await UntilFirstWriteAsync(ensemble, started, cancellationToken).ConfigureAwait(false);
            log(string.Create(CultureInfo.InvariantCulture, $"[{repetition}] {flavor,-8} cold start to the first write {coldStart:0} ms"));

            // Every member serving, one leader: the state a failover starts from.
            await ensemble.WaitUntilServingAsync(PhaseTimeout, cancellationToken).ConfigureAwait(false);
            var options = new BenchOptions
            {
                ConnectString = ensemble.ConnectionString,
                Clients = clients,
                Rounds = failovers,
                FailoverTimeout = PhaseTimeout,
                Label = flavor.ToString(),
                Quiet = true,
            };
            var result = await new FailoverRunner(options, new HarnessControl(ensemble), progress: null, log).RunAsync(cancellationToken).ConfigureAwait(false);
            foreach (var round in result.Rounds)
            {
                log(string.Create(CultureInfo.InvariantCulture, $"[{repetition}] {flavor,-8} failover {round.Round}/{failovers}: kill -9 of {round.Killed} to the first write {round.FirstWrite.TotalMilliseconds:0} ms (every writer {round.AllWriters.TotalMilliseconds:0} ms), {round.NewLeader?.ToString() ?? "no server"} leads after {round.Election?.TotalMilliseconds ?? double.NaN:0} ms, {round.Errors} failed writes"));
            }

            return new FailoverSample(
                flavor,
                repetition,
                coldStart,
                [.. result.Rounds.Select(r => r.FirstWrite.TotalMilliseconds)],
                [.. result.Rounds.Select(r => r.Election?.TotalMilliseconds ?? double.NaN)],
                [.. result.Rounds.Select(r => BenchReport.FailoverJsonLine(result, r))]);
        }
        catch (BenchRunException e)
        {
            throw new InvalidOperationException($"{flavor} three-node failover measurement failed: {e.Message}\n{ensemble.Logs}", e);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{flavor} three-node failover measurement failed: {e.Message}\n{ensemble.Logs}", e);
        }
    }

    /// <summary>Kills and restarts the harness's processes (SIGKILL, as kill -9), so the harness still owns every process it must stop.</summary>
    private sealed class HarnessControl(ZooKeeperEnsemble ensemble) : IFailoverControl
    {
        public bool CanRestart => true;

        public Task KillAsync(FailoverServer server, CancellationToken cancellationToken) => Member(server).KillAsync();

        public Task RestartAsync(FailoverServer server, CancellationToken cancellationToken)
        {
            Member(server).Start();
            return Task.CompletedTask;
        }

        private EnsembleMember Member(FailoverServer server) => ensemble.Members.Single(m => m.ClientPort == server.Port);
    }

    /// <summary>Probes every live member until one acknowledges a create; returns the milliseconds since <paramref name="since"/>.</summary>
    private static async Task<double> UntilFirstWriteAsync(ZooKeeperEnsemble ensemble, long since, CancellationToken cancellationToken)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        done.CancelAfter(PhaseTimeout);
        var probes = ensemble.Members.Where(m => m.IsRunning).Select(m => ProbeAsync(m, done.Token)).ToList();
        try
        {
            var first = await Task.WhenAny(probes).ConfigureAwait(false);
            var acknowledged = await first.ConfigureAwait(false);
            return Stopwatch.GetElapsedTime(since, acknowledged).TotalMilliseconds;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no server acknowledged a create within {PhaseTimeout.TotalSeconds:0} s");
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(probes.Select(p => p.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default))).ConfigureAwait(false);
        }
    }

    private static async Task<long> ProbeAsync(EnsembleMember member, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await using var connection = await RawZooKeeperConnection.ConnectAsync(member.ClientPort, cancellationToken: attempt.Token).ConfigureAwait(false);
                var path = "/probe-" + Guid.NewGuid().ToString("n");
                var call = await connection.CallAsync(OpCode.Create, new CreateRequest(path, [], OpenAcl, 0), attempt.Token).ConfigureAwait(false);
                if (call.Error == KeeperErrorCode.Ok)
                {
                    var acknowledged = Stopwatch.GetTimestamp();
                    try
                    {
                        await connection.CloseSessionAsync(attempt.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or OperationCanceledException or ProtocolException)
                    {
                        // The write is what was measured; a lingering session expires by itself.
                    }

                    return acknowledged;
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or InvalidOperationException or OperationCanceledException or ProtocolException)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }
}
