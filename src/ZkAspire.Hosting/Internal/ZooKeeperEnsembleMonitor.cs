// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Immutable;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging;

namespace ZkAspire.Hosting.Internal;

/// <summary>
/// Keeps the dashboard current while the application runs: each replica's role and zxid (from
/// <c>srvr</c>, every <see cref="ZooKeeperEnsembleResource.StatusPollInterval"/>) as resource
/// properties, and the ensemble's own state, which no orchestrator publishes for it (without it
/// <c>WaitFor(zk)</c> would never release).
/// </summary>
internal sealed class ZooKeeperEnsembleMonitor(ZooKeeperEnsembleResource ensemble, ResourceNotificationService notifications, ILogger ensembleLog)
{
    /// <summary>The resource property holding a replica's role: leader, follower, observer or standalone.</summary>
    public const string RoleProperty = "zookeeper.role";

    /// <summary>The resource property holding the last zxid a replica reported.</summary>
    public const string ZxidProperty = "zookeeper.zxid";

    /// <summary>The resource property holding a replica's server id.</summary>
    public const string ServerIdProperty = "zookeeper.server.id";

    /// <summary>The resource property holding whether a replica votes.</summary>
    public const string LearnerTypeProperty = "zookeeper.learner.type";

    /// <summary>The resource property on the ensemble naming the replica that leads.</summary>
    public const string LeaderProperty = "zookeeper.leader";

    /// <summary>The resource property on the ensemble counting the replicas that serve.</summary>
    public const string ServingProperty = "zookeeper.serving";

    private readonly Dictionary<string, (string? Role, string? Zxid)> _lastSeen = new(StringComparer.Ordinal);
    private string? _lastState;
    private string? _lastLeader;
    private string? _lastServing;
    private bool _anyRan;

    /// <summary>Polls until <paramref name="cancellationToken"/> is canceled (the application stops).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var replica in ensemble.Replicas)
        {
            await notifications.PublishUpdateAsync(replica, s => s with
            {
                Properties = s.Properties
                    .SetResourceProperty(ServerIdProperty, replica.ServerId.ToString(CultureInfo.InvariantCulture))
                    .SetResourceProperty(LearnerTypeProperty, replica.LearnerType == ZooKeeperLearnerType.Observer ? "observer" : "participant"),
            }).ConfigureAwait(false);
        }

        using var timer = new PeriodicTimer(ensemble.StatusPollInterval);
        try
        {
            do
            {
                await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        var running = 0;
        var serving = 0;
        string? leader = null;
        foreach (var replica in ensemble.Replicas)
        {
            var isRunning = notifications.TryGetCurrentState(replica.Name, out var current)
                && current.Snapshot.State?.Text == KnownResourceStates.Running;
            ServerStatus? status = null;
            if (isRunning)
            {
                running++;
                status = await ReplicaProbe.TryGetStatusAsync(replica, cancellationToken).ConfigureAwait(false);
            }

            if (status is { Serving: true })
            {
                serving++;
                if (status.Mode is "leader" or "standalone")
                {
                    leader = replica.Name;
                }
            }

            var role = status switch
            {
                null => isRunning ? "unreachable" : null,
                { Serving: false } => "not serving",
                _ => status.Mode,
            };
            await PublishReplicaAsync(replica, role, status?.Zxid).ConfigureAwait(false);
        }

        _anyRan |= running > 0;
        var state = running > 0 ? KnownResourceStates.Running : _anyRan ? "No replica running" : KnownResourceStates.Starting;
        var servingText = string.Create(CultureInfo.InvariantCulture, $"{serving}/{ensemble.Replicas.Count}");
        if (state != _lastState || leader != _lastLeader || servingText != _lastServing)
        {
            if (leader != _lastLeader && _lastState is not null)
            {
                ensembleLog.LogInformation("Leader: {Leader}", leader ?? "none");
            }

            _lastState = state;
            _lastLeader = leader;
            _lastServing = servingText;
            await notifications.PublishUpdateAsync(ensemble, s => s with
            {
                State = new ResourceStateSnapshot(state, state == KnownResourceStates.Running ? KnownResourceStateStyles.Success : state == KnownResourceStates.Starting ? KnownResourceStateStyles.Info : KnownResourceStateStyles.Error),
                StartTimeStamp = s.StartTimeStamp ?? (state == KnownResourceStates.Running ? DateTime.UtcNow : null),
                Properties = s.Properties
                    .SetResourceProperty(LeaderProperty, leader ?? "none", highlighted: true)
                    .SetResourceProperty(ServingProperty, servingText),
            }).ConfigureAwait(false);
        }
    }

    private async Task PublishReplicaAsync(ZooKeeperReplicaResource replica, string? role, string? zxid)
    {
        _lastSeen.TryGetValue(replica.Name, out var last);
        if (last.Role == role && (last.Zxid == zxid || zxid is null))
        {
            return;
        }

        if (last.Role != role && role is not null)
        {
            ensembleLog.LogInformation("{Replica} is {Role}", replica.Name, role);
        }

        _lastSeen[replica.Name] = (role, zxid ?? last.Zxid);
        await notifications.PublishUpdateAsync(replica, s => s with
        {
            Properties = s.Properties
                .SetResourceProperty(RoleProperty, role ?? string.Empty, highlighted: true)
                .SetResourceProperty(ZxidProperty, zxid ?? last.Zxid ?? string.Empty, highlighted: true),
        }).ConfigureAwait(false);
    }
}

/// <summary>Sets one property of a snapshot, replacing an earlier value of the same name.</summary>
internal static class ResourcePropertyExtensions
{
    /// <summary>Returns <paramref name="properties"/> with <paramref name="name"/> set to <paramref name="value"/>.</summary>
    /// <param name="properties">The snapshot's properties.</param>
    /// <param name="name">The property's name.</param>
    /// <param name="value">Its value.</param>
    /// <param name="highlighted">
    /// Whether the dashboard shows it by default: it hides the properties it does not know (all of
    /// ours) until "Show all properties" is chosen, except highlighted ones. The role, zxid and
    /// leader are what a person opens the details to see.
    /// </param>
    public static ImmutableArray<ResourcePropertySnapshot> SetResourceProperty(this ImmutableArray<ResourcePropertySnapshot> properties, string name, object value, bool highlighted = false)
    {
        for (var i = 0; i < properties.Length; i++)
        {
            if (properties[i].Name == name)
            {
                return properties.SetItem(i, properties[i] with { Value = value, IsHighlighted = highlighted });
            }
        }

        return properties.Add(new ResourcePropertySnapshot(name, value) { IsHighlighted = highlighted });
    }
}
