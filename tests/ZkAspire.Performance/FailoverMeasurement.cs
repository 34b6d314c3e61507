// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using ZkAspire.Protocol;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Performance;

/// <summary>
/// Issue 4's availability numbers on a fresh three-node ensemble: cold start (starting the three
/// processes until the first create is acknowledged) and leader failover (kill -9 of the leader
/// until the first create is acknowledged again), several kills in a row, the killed server
/// restarted and back as a follower before the next one. The writes are probes on raw connections
/// to every live server at once, a new session and a create each, every 5 ms per server: what is
/// measured is the servers, not a client's reconnect backoff.
/// </summary>
internal static class FailoverMeasurement
{
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(120);
    private static readonly List<ACL> OpenAcl = [new(Perms.All, new Id("world", "anyone"))];

    public static async Task<FailoverSample> RunAsync(ServerFlavor flavor, int repetition, int failovers, Action<string> log, CancellationToken cancellationToken)
    {
        await using var ensemble = await ZooKeeperEnsemble.CreateAsync(ServerCluster.Kind(flavor), ServerCluster.Options(Topology.ThreeNodes), cancellationToken).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();
            foreach (var member in ensemble.Members)
            {
                member.Start();
            }

            var coldStart = await UntilFirstWriteAsync(ensemble, started, cancellationToken).ConfigureAwait(false);
            log(string.Create(CultureInfo.InvariantCulture, $"[{repetition}] {flavor,-8} cold start to the first write {coldStart:0} ms"));

            var times = new List<double>();
            for (var i = 0; i < failovers; i++)
            {
                // Every member serving, one leader: the state a failover starts from.
                var leader = await ensemble.WaitUntilServingAsync(PhaseTimeout, cancellationToken).ConfigureAwait(false);
                var killed = Stopwatch.GetTimestamp();
                await leader.KillAsync().ConfigureAwait(false);
                var failover = await UntilFirstWriteAsync(ensemble, killed, cancellationToken).ConfigureAwait(false);
                times.Add(failover);
                var successor = await ensemble.WaitUntilServingAsync(PhaseTimeout, cancellationToken).ConfigureAwait(false);
                log(string.Create(CultureInfo.InvariantCulture, $"[{repetition}] {flavor,-8} failover {i + 1}/{failovers}: kill -9 of server.{leader.Id} to the first write {failover:0} ms (server.{successor.Id} leads)"));

                leader.Start();
                await ensemble.WaitForModeAsync(leader, "follower", PhaseTimeout, cancellationToken).ConfigureAwait(false);
            }

            return new FailoverSample(flavor, repetition, coldStart, times);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{flavor} three-node failover measurement failed: {e.Message}\n{ensemble.Logs}", e);
        }
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
