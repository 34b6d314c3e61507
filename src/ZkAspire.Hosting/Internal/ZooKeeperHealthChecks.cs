// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Net.Sockets;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ZkAspire.Hosting.Internal;

/// <summary>Asks replicas for their <c>srvr</c>; shared by the health checks, the status poller and the dashboard commands.</summary>
internal static class ReplicaProbe
{
    /// <summary>How long one 4lw exchange may take: a serving server answers at once.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>Sends <paramref name="word"/> to the replica's client port.</summary>
    /// <returns>The answer, or <see langword="null"/> when the replica has no port yet or cannot be reached.</returns>
    public static async Task<string?> TrySendAsync(ZooKeeperReplicaResource replica, string word, CancellationToken cancellationToken)
    {
        if (!replica.ClientEndpoint.IsAllocated)
        {
            return null;
        }

        try
        {
            return await FourLetterWordClient.SendAsync(replica.ClientEndpoint.Port, word, Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>The replica's status from <c>srvr</c>, or <see langword="null"/> when it does not answer.</summary>
    public static async Task<ServerStatus?> TryGetStatusAsync(ZooKeeperReplicaResource replica, CancellationToken cancellationToken) =>
        await TrySendAsync(replica, "srvr", cancellationToken).ConfigureAwait(false) is { } answer ? ServerStatus.Parse(answer) : null;
}

/// <summary>
/// A replica is healthy when it serves clients: its <c>srvr</c> answer has a <c>Mode:</c> line. A
/// member that is up but has no quorum answers "not currently serving requests" and is unhealthy,
/// as ZooKeeper's own <c>ruok</c>-plus-<c>srvr</c> probes judge it.
/// </summary>
internal sealed class ZooKeeperReplicaHealthCheck(ZooKeeperEnsembleResource ensemble, string replicaName) : IHealthCheck
{
    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var replica = ensemble.Replicas.FirstOrDefault(r => r.Name == replicaName);
        if (replica is null)
        {
            return HealthCheckResult.Unhealthy($"{replicaName} is no longer a replica of {ensemble.Name}.");
        }

        var status = await ReplicaProbe.TryGetStatusAsync(replica, cancellationToken).ConfigureAwait(false);
        return status switch
        {
            null => HealthCheckResult.Unhealthy($"{replica.Name} does not answer on its client port."),
            { Serving: false } => HealthCheckResult.Unhealthy($"{replica.Name} is up but not serving requests (no quorum)."),
            // The text names no role or zxid: the dashboard shows a healthy resource's last text
            // until its status changes, so a zxid (or a role, after an election) in it would go
            // stale. The zookeeper.role and zookeeper.zxid properties are the current ones.
            _ => HealthCheckResult.Healthy(
                $"{replica.Name} serves clients.",
                new Dictionary<string, object> { ["mode"] = status.Mode!, ["zxid"] = status.Zxid ?? string.Empty }),
        };
    }
}

/// <summary>
/// The ensemble is Healthy when every replica serves, Degraded while a quorum of participants (a
/// strict majority, ZooKeeper's <c>QuorumMaj</c>) serves, and Unhealthy without one: then no write
/// can commit.
/// </summary>
internal sealed class ZooKeeperEnsembleHealthCheck(ZooKeeperEnsembleResource ensemble) : IHealthCheck
{
    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var replicas = ensemble.Replicas;
        var statuses = await Task.WhenAll(replicas.Select(r => ReplicaProbe.TryGetStatusAsync(r, cancellationToken))).ConfigureAwait(false);
        var serving = replicas.Zip(statuses).Where(p => p.Second is { Serving: true }).Select(p => p.First).ToList();
        var servingParticipants = serving.Count(r => r.LearnerType == ZooKeeperLearnerType.Participant);
        var participants = replicas.Count(r => r.LearnerType == ZooKeeperLearnerType.Participant);
        var leader = replicas.Zip(statuses).FirstOrDefault(p => p.Second?.Mode is "leader" or "standalone").First?.Name;

        var data = new Dictionary<string, object>
        {
            ["serving"] = string.Join(",", serving.Select(r => r.Name)),
            ["leader"] = leader ?? string.Empty,
        };
        var summary = string.Create(CultureInfo.InvariantCulture, $"{serving.Count} of {replicas.Count} replicas serve ({servingParticipants} of {participants} participants); leader: {leader ?? "none"}.");
        if (replicas.Count > 0 && serving.Count == replicas.Count)
        {
            return HealthCheckResult.Healthy(summary, data);
        }

        return servingParticipants > participants / 2
            ? HealthCheckResult.Degraded(summary, data: data)
            : HealthCheckResult.Unhealthy(summary, data: data);
    }
}

/// <summary>
/// An ensemble that runs elsewhere (<c>AsExisting</c>) is Healthy when one of the servers of its
/// connect string opens a session, as a client would connect to any of them, and Unhealthy when
/// none does. The probe is a session handshake, not a four-letter word: Apache ZooKeeper 3.5+
/// allows only <c>srvr</c> unless <c>4lw.commands.whitelist</c> says otherwise.
/// </summary>
internal sealed class ZooKeeperExistingEnsembleHealthCheck(ZooKeeperEnsembleResource ensemble) : IHealthCheck
{
    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (ensemble.ExistingConnectionString is not { } expression)
        {
            return HealthCheckResult.Unhealthy($"{ensemble.Name} does not stand for an existing ensemble.");
        }

        IReadOnlyList<(string Host, int Port)> servers;
        try
        {
            var connectString = await expression.GetValueAsync(cancellationToken).ConfigureAwait(false);
            servers = ConnectString.ParseServers(connectString ?? string.Empty);
        }
        catch (FormatException e)
        {
            return HealthCheckResult.Unhealthy($"The connect string of {ensemble.Name} is not one: {e.Message}");
        }

        var failures = new List<string>();
        foreach (var (host, port) in servers)
        {
            var server = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}" : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";
            try
            {
                var session = await ZooKeeperSessionProbe.OpenAndCloseSessionAsync(host, port, ReplicaProbe.Timeout, cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy(
                    $"{server} opened a session ({session}).",
                    new Dictionary<string, object> { ["server"] = server, ["unreachable"] = string.Join(",", failures) });
            }
            catch (Exception e) when (e is SocketException or IOException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failures.Add(server);
            }
        }

        return HealthCheckResult.Unhealthy(
            $"No server of {ensemble.Name} opens a session: {string.Join(", ", failures)}.",
            data: new Dictionary<string, object> { ["unreachable"] = string.Join(",", failures) });
    }
}
