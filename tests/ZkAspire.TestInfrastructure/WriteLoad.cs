// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using ZkAspire.Protocol;

namespace ZkAspire.TestInfrastructure;

/// <summary>What a <see cref="WriteLoad"/> run measured, after its warm-up.</summary>
/// <param name="Clients">The concurrent clients.</param>
/// <param name="Operations">The creates acknowledged in the measured period.</param>
/// <param name="Elapsed">The measured period.</param>
/// <param name="P50Ms">The median create latency, in milliseconds.</param>
/// <param name="P99Ms">The 99th percentile create latency, in milliseconds.</param>
/// <param name="MaxMs">The largest create latency, in milliseconds.</param>
public sealed record WriteLoadResult(int Clients, long Operations, TimeSpan Elapsed, double P50Ms, double P99Ms, double MaxMs)
{
    /// <summary>Gets the acknowledged creates per second.</summary>
    public double OpsPerSecond => Operations / Elapsed.TotalSeconds;

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Clients} clients: {OpsPerSecond:F0} creates/s, p50 {P50Ms:F2} ms, p99 {P99Ms:F2} ms, max {MaxMs:F1} ms ({Operations} creates in {Elapsed.TotalSeconds:F1} s)");
}

/// <summary>
/// A write load for side-by-side measurements (ZkAspire against Apache ZooKeeper with the same
/// client): several clients on raw connections, each creating znodes with data of a given size one
/// after another (one request in flight per client, as a synchronous ZooKeeper client does) for a
/// fixed time. Latency is from the request's send to its reply. Not a test: it asserts nothing
/// about time.
/// </summary>
public static class WriteLoad
{
    /// <summary>Runs the load against a server and returns what it measured after the warm-up.</summary>
    /// <param name="port">The server's client port on 127.0.0.1.</param>
    /// <param name="clients">The concurrent clients.</param>
    /// <param name="duration">How long to measure, after the warm-up.</param>
    /// <param name="warmUp">How long to run first without measuring (JIT, JVM, page cache).</param>
    /// <param name="dataBytes">The data of each znode.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The measurements.</returns>
    /// <exception cref="InvalidOperationException">A create failed.</exception>
    public static async Task<WriteLoadResult> RunAsync(int port, int clients, TimeSpan duration, TimeSpan warmUp, int dataBytes = 100, CancellationToken cancellationToken = default)
    {
        var run = Guid.NewGuid().ToString("n")[..8];
        var acl = new List<ACL> { new(Perms.All, new Id("world", "anyone")) };
        await using (var setup = await RawZooKeeperConnection.ConnectAsync(port, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var created = await setup.CallAsync(OpCode.Create, new CreateRequest("/load-" + run, [], acl, 0), cancellationToken).ConfigureAwait(false);
            if (created.Error != KeeperErrorCode.Ok)
            {
                throw new InvalidOperationException($"Creating /load-{run} failed: {created.Error}");
            }
        }

        var connections = new RawZooKeeperConnection[clients];
        for (var i = 0; i < clients; i++)
        {
            connections[i] = await RawZooKeeperConnection.ConnectAsync(port, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var data = new byte[dataBytes];
            Random.Shared.NextBytes(data);
            var start = Stopwatch.GetTimestamp();
            var measureFrom = start + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
            var end = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var latencies = await Task.WhenAll(connections.Select((connection, c) => Task.Run(
                async () =>
                {
                    var measured = new List<long>(64 * 1024);
                    for (var n = 0; ; n++)
                    {
                        var sent = Stopwatch.GetTimestamp();
                        if (sent >= end)
                        {
                            return measured;
                        }

                        var reply = await connection.CallAsync(OpCode.Create, new CreateRequest(string.Create(CultureInfo.InvariantCulture, $"/load-{run}/c{c}-{n}"), data, acl, 0), cancellationToken).ConfigureAwait(false);
                        var received = Stopwatch.GetTimestamp();
                        if (reply.Error != KeeperErrorCode.Ok)
                        {
                            throw new InvalidOperationException($"A create failed: {reply.Error}");
                        }

                        if (sent >= measureFrom)
                        {
                            measured.Add(received - sent);
                        }
                    }
                },
                cancellationToken))).ConfigureAwait(false);

            var all = latencies.SelectMany(l => l).Order().ToArray();
            if (all.Length == 0)
            {
                throw new InvalidOperationException("No create was acknowledged in the measured period.");
            }

            return new WriteLoadResult(
                clients,
                all.Length,
                duration,
                Milliseconds(all[(int)(all.Length * 0.50)]),
                Milliseconds(all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))]),
                Milliseconds(all[^1]));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
