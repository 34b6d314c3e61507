// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ZkAspire.Hosting.Internal;

/// <summary>
/// The ensemble's <b>Restart the leader</b> command: stops the replica that leads, waits until the
/// other participants have elected a new leader, then starts the old one again, which rejoins as a
/// follower with its data directory and ports.
/// </summary>
/// <remarks>
/// Neither ZooKeeper nor zkaspire-server can be asked to give up leadership: a leader leads until
/// it loses its quorum or its process ends (ZooKeeper's answer to "how do I move the leader" is to
/// restart it). Starting the old leader only after the election matters: started at once it could
/// join the election it caused, and with the highest (epoch, zxid, server id) vote win it again
/// (Fast Leader Election, <c>FastLeaderElection.totalOrderPredicate</c>).
/// </remarks>
internal static class LeaderRestartCommand
{
    /// <summary>The command's name.</summary>
    public const string Name = "zookeeper-restart-leader";

    /// <summary>The command's display name.</summary>
    public const string DisplayName = "Restart the leader";

    /// <summary>What the dashboard says about it.</summary>
    public const string Description =
        "Stops the replica that leads, waits until the others elect a new leader, and starts it again as a follower. "
        + "ZooKeeper has no step-down request; this is how a leader is moved.";

    /// <summary>How long the others may take to elect a leader: a few ticks normally, bounded so the stopped replica is always started again.</summary>
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Hidden for an existing ensemble and for one of fewer than three participants (no other
    /// replica could lead); enabled while the ensemble runs and the dashboard knows its leader.
    /// </summary>
    public static ResourceCommandState UpdateState(ZooKeeperEnsembleResource ensemble, UpdateCommandStateContext context)
    {
        if (ensemble.ExistingConnectionString is not null || ensemble.ParticipantCount < 3)
        {
            return ResourceCommandState.Hidden;
        }

        var snapshot = context.ResourceSnapshot;
        var leader = snapshot.Properties.FirstOrDefault(p => p.Name == ZooKeeperEnsembleMonitor.LeaderProperty)?.Value as string;
        return snapshot.State?.Text == KnownResourceStates.Running && ensemble.Replicas.Any(r => r.Name == leader)
            ? ResourceCommandState.Enabled
            : ResourceCommandState.Disabled;
    }

    /// <summary>Moves the leadership to another participant.</summary>
    public static async Task<ExecuteCommandResult> ExecuteAsync(ZooKeeperEnsembleResource ensemble, ExecuteCommandContext context)
    {
        var cancellationToken = context.CancellationToken;

        // Who leads now, asked of the replicas rather than read from the dashboard's last poll.
        var replicas = ensemble.Replicas;
        var statuses = await Task.WhenAll(replicas.Select(r => ReplicaProbe.TryGetStatusAsync(r, cancellationToken))).ConfigureAwait(false);
        var leader = replicas.Zip(statuses).FirstOrDefault(p => p.Second?.Mode == "leader").First;
        if (leader is null)
        {
            return CommandResults.Failure("No replica leads right now: nothing to restart.");
        }

        // Without the leader a majority of all participants must still serve to elect a new one
        // (ZooKeeper's QuorumMaj); otherwise the ensemble would stop serving until it is back.
        var participants = replicas.Count(r => r.LearnerType == ZooKeeperLearnerType.Participant);
        var othersServing = replicas.Zip(statuses).Count(p => p.First != leader && p.First.LearnerType == ZooKeeperLearnerType.Participant && p.Second is { Serving: true });
        if (othersServing <= participants / 2)
        {
            return CommandResults.Failure(string.Create(
                CultureInfo.InvariantCulture,
                $"Without {leader.Name} only {othersServing} of {participants} participants would serve: no quorum to elect another leader, so {leader.Name} is left running."));
        }

        var commands = context.Services.GetRequiredService<ResourceCommandService>();
        var notifications = context.Services.GetRequiredService<ResourceNotificationService>();
        var stop = await commands.ExecuteCommandAsync(leader, KnownResourceCommands.StopCommand, cancellationToken).ConfigureAwait(false);
        if (!stop.Success)
        {
            return CommandResults.Failure($"{leader.Name} could not be stopped: {stop.Message}");
        }

        ZooKeeperReplicaResource? newLeader = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ElectionTimeout);
            await notifications.WaitForResourceAsync(leader.Name, KnownResourceStates.TerminalStates, timeout.Token).ConfigureAwait(false);
            newLeader = await WaitForOtherLeaderAsync(ensemble, leader, timeout.Token).ConfigureAwait(false);

            // Shown at once rather than at the status monitor's next poll.
            context.Logger.LogInformation("Restart the leader: {Old} stopped, {New} leads", leader.Name, newLeader.Name);
            await notifications.PublishUpdateAsync(ensemble, s => s with
            {
                Properties = s.Properties.SetResourceProperty(ZooKeeperEnsembleMonitor.LeaderProperty, newLeader.Name, highlighted: true),
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // No election within the bound: the old leader is started again below all the same.
        }
        finally
        {
            // Always started again, so the command never leaves a replica down.
            var start = await commands.ExecuteCommandAsync(leader, KnownResourceCommands.StartCommand, CancellationToken.None).ConfigureAwait(false);
            if (!start.Success)
            {
                context.Logger.LogWarning("{Replica} could not be started again after the leader restart: {Message}", leader.Name, start.Message);
            }
        }

        return newLeader is null
            ? CommandResults.Failure(string.Create(CultureInfo.InvariantCulture, $"No other replica was elected leader within {ElectionTimeout.TotalSeconds} s; {leader.Name} was started again."))
            : CommandResults.Success($"{newLeader.Name} leads now; {leader.Name} was restarted and rejoins as a follower.");
    }

    private static async Task<ZooKeeperReplicaResource> WaitForOtherLeaderAsync(ZooKeeperEnsembleResource ensemble, ZooKeeperReplicaResource oldLeader, CancellationToken cancellationToken)
    {
        // An election takes a few hundred milliseconds (FLE's finalize wait, then the followers'
        // sync); asking every 100 ms is bounded by the caller's timeout.
        using var timer = new PeriodicTimer(ProbeInterval);
        while (true)
        {
            foreach (var replica in ensemble.Replicas.Where(r => r != oldLeader))
            {
                if (await ReplicaProbe.TryGetStatusAsync(replica, cancellationToken).ConfigureAwait(false) is { Mode: "leader" })
                {
                    return replica;
                }
            }

            await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
