// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZkAspire.Hosting.Internal;

namespace Aspire.Hosting;

/// <summary>Adds ZooKeeper ensembles, run by ZkAspire's <c>zkaspire-server</c>, to an Aspire application.</summary>
public static class ZooKeeperBuilderExtensions
{
    /// <summary>
    /// Adds a ZooKeeper ensemble of <see cref="ZooKeeperEnsembleResource.DefaultReplicaCount"/> voting
    /// replicas, each a <c>zkaspire-server</c> process with its own server id, data directory and
    /// client, quorum and election ports chosen free when the application starts.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Projects that <c>WithReference</c> the ensemble get its connect string
    /// (<c>127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3</c>) as <c>ConnectionStrings__{name}</c>.
    /// </para>
    /// <para>
    /// Each replica has a health check (it answers <c>srvr</c> with a <c>Mode:</c> line) and so has
    /// the ensemble: Healthy when every replica serves, Degraded while a quorum of participants
    /// serves, Unhealthy without one. <c>WaitFor(zk)</c> releases when the ensemble is Healthy,
    /// that is once every replica has started and the ensemble has a leader.
    /// </para>
    /// <para>
    /// The dashboard shows each replica's role and zxid as properties, kept current, and offers the
    /// commands <c>srvr</c> and <c>mntr</c> on each replica besides the usual stop, start and restart,
    /// and on the ensemble <b>Ensemble status</b> and <b>Restart the leader</b> (ZooKeeper has no
    /// step-down request: the leader is stopped until the others have elected another, then started
    /// again as a follower).
    /// </para>
    /// </remarks>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The ensemble's resource name; the replicas are named <c>{name}-1</c>, <c>{name}-2</c>, ….</param>
    /// <returns>The ensemble's resource builder.</returns>
    public static IResourceBuilder<ZooKeeperEnsembleResource> AddZooKeeper(this IDistributedApplicationBuilder builder, [ResourceName] string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        var ensemble = new ZooKeeperEnsembleResource(name);
        var ensembleBuilder = builder.AddResource(ensemble)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "ZooKeeper",
                State = KnownResourceStates.NotStarted,
                Properties = [],
            })
            .WithIconName("BranchFork")
            .ExcludeFromManifest();

        if (ensemble.TryRegisterHealthCheck(ensemble.HealthCheckKey))
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                ensemble.HealthCheckKey,
                _ => ensemble.ExistingConnectionString is null ? new ZooKeeperEnsembleHealthCheck(ensemble) : new ZooKeeperExistingEnsembleHealthCheck(ensemble),
                failureStatus: null,
                tags: null));
        }

        ensembleBuilder.WithHealthCheck(ensemble.HealthCheckKey);
        ensembleBuilder.OnInitializeResource(StartMonitorAsync);
        ensembleBuilder.WithCommand(
            "zookeeper-status",
            "Ensemble status",
            context => EnsembleStatusAsync(ensemble, context.CancellationToken),
            new CommandOptions
            {
                Description = "Shows every replica's srvr answer: role, zxid, connections, latency.",
                IconName = "DocumentText",
                UpdateState = context => ensemble.ExistingConnectionString is null ? ResourceCommandState.Enabled : ResourceCommandState.Hidden,
            });
        ensembleBuilder.WithCommand(
            LeaderRestartCommand.Name,
            LeaderRestartCommand.DisplayName,
            context => LeaderRestartCommand.ExecuteAsync(ensemble, context),
            new CommandOptions
            {
                Description = LeaderRestartCommand.Description,
                IconName = "ArrowSync",
                ConfirmationMessage = "Stop the replica that leads until the others have elected a new leader, then start it again?",
                UpdateState = context => LeaderRestartCommand.UpdateState(ensemble, context),
            });

        RebuildReplicas(ensembleBuilder);
        return ensembleBuilder;
    }

    /// <summary>Sets the number of voting replicas (participants).</summary>
    /// <remarks>
    /// An ensemble of 2f + 1 participants keeps serving while f of them are down; an even count
    /// tolerates no more failures than the odd count below it, so only odd counts are accepted. One
    /// replica runs standalone, as ZooKeeper does with a single server.
    /// </remarks>
    /// <param name="builder">The ensemble's resource builder.</param>
    /// <param name="count">An odd number from 1 to 255 (less the observers).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is even, less than 1 or too large.</exception>
    public static IResourceBuilder<ZooKeeperEnsembleResource> WithReplicas(this IResourceBuilder<ZooKeeperEnsembleResource> builder, int count)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (count % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "An ensemble needs an odd number of voting replicas: 2f + 1 tolerate f failures, and one more tolerates none more.");
        }

        ThrowIfTooMany(count + builder.Resource.ObserverCount, nameof(count));
        ThrowIfExisting(builder, nameof(WithReplicas));
        builder.Resource.ParticipantCount = count;
        RebuildReplicas(builder);
        return builder;
    }

    /// <summary>Sets the number of observers: replicas that serve clients and follow the leader but do not vote, so they add read capacity without slowing writes.</summary>
    /// <param name="builder">The ensemble's resource builder.</param>
    /// <param name="count">0 or more.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or too large.</exception>
    public static IResourceBuilder<ZooKeeperEnsembleResource> WithObservers(this IResourceBuilder<ZooKeeperEnsembleResource> builder, int count)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ThrowIfTooMany(builder.Resource.ParticipantCount + count, nameof(count));
        ThrowIfExisting(builder, nameof(WithObservers));
        builder.Resource.ObserverCount = count;
        RebuildReplicas(builder);
        return builder;
    }

    /// <summary>
    /// Keeps the replicas' data in <paramref name="path"/> (one subdirectory per replica), so that it
    /// survives a restart of the application. Without it each run starts empty in a fresh directory.
    /// </summary>
    /// <param name="builder">The ensemble's resource builder.</param>
    /// <param name="path">The directory; relative paths are relative to the AppHost's directory.</param>
    /// <returns>The same builder.</returns>
    public static IResourceBuilder<ZooKeeperEnsembleResource> WithDataDirectory(this IResourceBuilder<ZooKeeperEnsembleResource> builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.Resource.DataDirectory = Path.GetFullPath(path, builder.ApplicationBuilder.AppHostDirectory);
        return builder;
    }

    /// <summary>Sets ZooKeeper's <c>tickTime</c>, the unit of its timeouts (session timeouts are 2 to 20 ticks by default; <c>initLimit</c> and <c>syncLimit</c> count ticks).</summary>
    /// <param name="builder">The ensemble's resource builder.</param>
    /// <param name="tickTime">A whole number of milliseconds, at least 1.</param>
    /// <returns>The same builder.</returns>
    public static IResourceBuilder<ZooKeeperEnsembleResource> WithTickTime(this IResourceBuilder<ZooKeeperEnsembleResource> builder, TimeSpan tickTime)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(tickTime, TimeSpan.FromMilliseconds(1));
        if (tickTime.Ticks % TimeSpan.TicksPerMillisecond != 0 || tickTime.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(tickTime), tickTime, "tickTime is a whole number of milliseconds.");
        }

        return builder.WithSetting("tickTime", ((int)tickTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Sets a zoo.cfg setting on every replica, e.g. <c>initLimit</c>, <c>syncLimit</c>,
    /// <c>maxClientCnxns</c>, <c>4lw.commands.whitelist</c>, <c>extendedTypesEnabled</c>
    /// (see zkaspire-server's README for the keys it reads).
    /// </summary>
    /// <remarks>
    /// The keys the ensemble sets for each replica (<c>clientPort</c>, <c>clientPortAddress</c>,
    /// <c>dataDir</c> and the <c>server.N</c> lines) cannot be set here.
    /// </remarks>
    /// <param name="builder">The ensemble's resource builder.</param>
    /// <param name="key">The zoo.cfg key, as ZooKeeper spells it (keys are case-sensitive).</param>
    /// <param name="value">The value.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The key is one the ensemble sets, or is not a zoo.cfg key's shape.</exception>
    public static IResourceBuilder<ZooKeeperEnsembleResource> WithSetting(this IResourceBuilder<ZooKeeperEnsembleResource> builder, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            throw new ArgumentException($"'{key}' is not a zoo.cfg key: keys are letters, digits, '.', '_' and '-'.", nameof(key));
        }

        if (ReplicaEnvironment.IsReservedKey(key))
        {
            throw new ArgumentException($"'{key}' is set by the ensemble for each replica and cannot be set with WithSetting.", nameof(key));
        }

        builder.Resource.MutableSettings[key] = value;
        return builder;
    }

    /// <summary>Sets the replicas' log level (the server logs at Information by default).</summary>
    /// <param name="builder">The ensemble's resource builder.</param>
    /// <param name="level">The least severe level written.</param>
    /// <returns>The same builder.</returns>
    public static IResourceBuilder<ZooKeeperEnsembleResource> WithServerLogLevel(this IResourceBuilder<ZooKeeperEnsembleResource> builder, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!Enum.IsDefined(level))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "Not a log level.");
        }

        builder.Resource.ServerLogLevel = level;
        return builder;
    }

    /// <summary>Sets how often each replica is asked for its role and zxid to keep the dashboard current.</summary>
    /// <param name="builder">The ensemble's resource builder.</param>
    /// <param name="interval">From 100 ms to 1 minute; 2 s by default.</param>
    /// <returns>The same builder.</returns>
    public static IResourceBuilder<ZooKeeperEnsembleResource> WithStatusPollInterval(this IResourceBuilder<ZooKeeperEnsembleResource> builder, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromMilliseconds(100));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(interval, TimeSpan.FromMinutes(1));
        builder.Resource.StatusPollInterval = interval;
        return builder;
    }

    /// <summary>
    /// Runs the replicas with another <c>zkaspire-server</c> than the one that comes with this
    /// package: a <c>zkaspire-server.dll</c> (run with <c>dotnet</c>) or an executable, e.g. one
    /// installed as a tool. The environment variable <c>ZKASPIRE_SERVER_PROGRAM</c> does the same
    /// without a code change.
    /// </summary>
    /// <param name="builder">The ensemble's resource builder.</param>
    /// <param name="path">The program's path.</param>
    /// <returns>The same builder.</returns>
    public static IResourceBuilder<ZooKeeperEnsembleResource> WithServerProgram(this IResourceBuilder<ZooKeeperEnsembleResource> builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ThrowIfExisting(builder, nameof(WithServerProgram));
        builder.Resource.ServerProgramPath = Path.GetFullPath(path, builder.ApplicationBuilder.AppHostDirectory);
        RebuildReplicas(builder);
        return builder;
    }

    /// <summary>
    /// Makes the resource stand for a ZooKeeper ensemble that runs elsewhere (Apache ZooKeeper or
    /// ZkAspire): no replica is started, and referencing projects get <paramref name="connectionString"/>
    /// unchanged, so they work against it as they do against the local ensemble.
    /// </summary>
    /// <remarks>
    /// The existing ensemble is shown as Running; its health check opens a session on the servers
    /// of the connect string in turn: Healthy when one of them does, Unhealthy when none does, so
    /// <c>WaitFor</c> releases once the ensemble serves.
    /// </remarks>
    /// <param name="builder">The ensemble's resource builder.</param>
    /// <param name="connectionString">A ZooKeeper connect string, <c>host:port[,host:port...][/chroot]</c>.</param>
    /// <returns>The same builder.</returns>
    public static IResourceBuilder<ZooKeeperEnsembleResource> AsExisting(this IResourceBuilder<ZooKeeperEnsembleResource> builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return UseExisting(builder, ReferenceExpression.Create($"{connectionString}"));
    }

    /// <summary>
    /// Makes the resource stand for a ZooKeeper ensemble that runs elsewhere, its connect string
    /// given by a parameter (e.g. <c>builder.AddParameter("zk-connection")</c>, read from
    /// configuration <c>Parameters:zk-connection</c>).
    /// </summary>
    /// <param name="builder">The ensemble's resource builder.</param>
    /// <param name="connectionString">The parameter holding the connect string.</param>
    /// <returns>The same builder.</returns>
    public static IResourceBuilder<ZooKeeperEnsembleResource> AsExisting(this IResourceBuilder<ZooKeeperEnsembleResource> builder, IResourceBuilder<ParameterResource> connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connectionString);
        return UseExisting(builder, ReferenceExpression.Create($"{connectionString.Resource}"));
    }

    private static IResourceBuilder<ZooKeeperEnsembleResource> UseExisting(IResourceBuilder<ZooKeeperEnsembleResource> builder, ReferenceExpression connectionString)
    {
        var ensemble = builder.Resource;
        ensemble.ExistingConnectionString = connectionString;
        RebuildReplicas(builder);
        return builder;
    }

    private static void ThrowIfTooMany(int total, string paramName)
    {
        // Server ids are 1..255 here: ZooKeeper allows larger ones, but the session id's top byte
        // carries the server id (ZooKeeper's SessionTrackerImpl.initializeNextSessionId).
        if (total > 255)
        {
            throw new ArgumentOutOfRangeException(paramName, total, "An ensemble has at most 255 replicas.");
        }
    }

    private static void ThrowIfExisting(IResourceBuilder<ZooKeeperEnsembleResource> builder, string method)
    {
        if (builder.Resource.ExistingConnectionString is not null)
        {
            throw new InvalidOperationException($"{method} does not apply to '{builder.Resource.Name}': it stands for an existing ensemble (AsExisting).");
        }
    }

    /// <summary>Replaces the replica resources by ones that match the ensemble's counts and program.</summary>
    private static void RebuildReplicas(IResourceBuilder<ZooKeeperEnsembleResource> builder)
    {
        var ensemble = builder.Resource;
        var appBuilder = builder.ApplicationBuilder;
        foreach (var old in ensemble.MutableReplicas)
        {
            appBuilder.Resources.Remove(old);
        }

        ensemble.MutableReplicas.Clear();
        if (ensemble.ExistingConnectionString is not null)
        {
            return;
        }

        var total = ensemble.ParticipantCount + ensemble.ObserverCount;
        for (var id = 1; id <= total; id++)
        {
            var learnerType = id <= ensemble.ParticipantCount ? ZooKeeperLearnerType.Participant : ZooKeeperLearnerType.Observer;
            ensemble.MutableReplicas.Add(AddReplica(builder, id, learnerType).Resource);
        }
    }

    private static IResourceBuilder<ZooKeeperReplicaResource> AddReplica(IResourceBuilder<ZooKeeperEnsembleResource> ensembleBuilder, int serverId, ZooKeeperLearnerType learnerType)
    {
        var ensemble = ensembleBuilder.Resource;
        var appBuilder = ensembleBuilder.ApplicationBuilder;
        var program = ensemble.ServerProgramPath;
        var name = string.Create(CultureInfo.InvariantCulture, $"{ensemble.Name}-{serverId}");
        var replica = new ZooKeeperReplicaResource(name, ensemble, serverId, learnerType, ZooKeeperServerProgram.GetCommand(program), Path.GetDirectoryName(program) ?? appBuilder.AppHostDirectory);

        if (ensemble.TryRegisterHealthCheck(replica.HealthCheckKey))
        {
            appBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                replica.HealthCheckKey, _ => new ZooKeeperReplicaHealthCheck(ensemble, name), failureStatus: null, tags: null));
        }

        var replicaBuilder = appBuilder.AddResource(replica)
            .WithEndpoint(scheme: "tcp", name: ZooKeeperReplicaResource.ClientEndpointName, isProxied: false)
            .WithEndpoint(scheme: "tcp", name: ZooKeeperReplicaResource.QuorumEndpointName, isProxied: false)
            .WithEndpoint(scheme: "tcp", name: ZooKeeperReplicaResource.ElectionEndpointName, isProxied: false)
            .WithArgs(context =>
            {
                if (ZooKeeperServerProgram.IsAssembly(ensemble.ServerProgramPath))
                {
                    context.Args.Add(ensemble.ServerProgramPath);
                }
            })
            .WithEnvironment(context => ReplicaEnvironment.Apply(context, replica))
            .WithOtlpExporter()
            .WithParentRelationship(ensemble)
            .WithHealthCheck(replica.HealthCheckKey)
            .WithIconName("Server")
            .ExcludeFromManifest()
            .OnBeforeResourceStarted((r, e, ct) => PrepareDataDirectoryAsync(r, ct))
            .WithCommand("zookeeper-srvr", "srvr", context => FourLetterWordCommandAsync(replica, "srvr", context.CancellationToken), new CommandOptions
            {
                Description = "Shows the replica's answer to the srvr four-letter word: version, latency, connections, zxid, mode, node count.",
                IconName = "Info",
                UpdateState = RunningOnly,
            })
            .WithCommand("zookeeper-mntr", "mntr", context => FourLetterWordCommandAsync(replica, "mntr", context.CancellationToken), new CommandOptions
            {
                Description = "Shows the replica's answer to the mntr four-letter word: its metrics.",
                IconName = "DataUsage",
                UpdateState = RunningOnly,
            });
        return replicaBuilder;
    }

    private static ResourceCommandState RunningOnly(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;

    private static async Task PrepareDataDirectoryAsync(ZooKeeperReplicaResource replica, CancellationToken cancellationToken)
    {
        // ZooKeeper reads the server id from <dataDir>/myid (Administrator's Guide, "Running
        // Replicated ZooKeeper"); writing it here works with every server version, and a data
        // directory kept across runs (WithDataDirectory) keeps its id.
        var directory = replica.Parent.GetReplicaDataDirectory(replica);
        Directory.CreateDirectory(directory);
        var myid = Path.Combine(directory, "myid");
        var id = replica.ServerId.ToString(CultureInfo.InvariantCulture);
        if (!File.Exists(myid) || (await File.ReadAllTextAsync(myid, cancellationToken).ConfigureAwait(false)).Trim() != id)
        {
            await File.WriteAllTextAsync(myid, id + "\n", cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<ExecuteCommandResult> FourLetterWordCommandAsync(ZooKeeperReplicaResource replica, string word, CancellationToken cancellationToken)
    {
        var answer = await ReplicaProbe.TrySendAsync(replica, word, cancellationToken).ConfigureAwait(false);
        return answer is null
            ? CommandResults.Failure($"{replica.Name} does not answer on its client port.")
            : CommandResults.Success($"{word} on {replica.Name}", answer, CommandResultFormat.Text);
    }

    private static async Task<ExecuteCommandResult> EnsembleStatusAsync(ZooKeeperEnsembleResource ensemble, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(ensemble.Replicas.Select(r => ReplicaProbe.TrySendAsync(r, "srvr", cancellationToken))).ConfigureAwait(false);
        var text = string.Join("\n", ensemble.Replicas.Zip(answers).Select(p =>
            $"# {p.First.Name} (server.{p.First.ServerId.ToString(CultureInfo.InvariantCulture)}, {(p.First.LearnerType == ZooKeeperLearnerType.Observer ? "observer" : "participant")})\n{p.Second ?? "does not answer\n"}"));
        return CommandResults.Success($"srvr on {ensemble.Replicas.Count} replicas", text, CommandResultFormat.Text);
    }

    private static Task StartMonitorAsync(ZooKeeperEnsembleResource ensemble, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        var lifetime = e.Services.GetRequiredService<IHostApplicationLifetime>();
        if (ensemble.ExistingConnectionString is not null)
        {
            return e.Notifications.PublishUpdateAsync(ensemble, s => s with
            {
                State = new ResourceStateSnapshot(KnownResourceStates.Running, KnownResourceStateStyles.Success),
                StartTimeStamp = DateTime.UtcNow,
                Properties = s.Properties.SetResourceProperty("zookeeper.existing", "true"),
            });
        }

        lifetime.ApplicationStopped.Register(() => DeleteFreshDataDirectory(ensemble, e.Logger));
        var monitor = new ZooKeeperEnsembleMonitor(ensemble, e.Notifications, e.Logger);

        // The monitor runs for the application's lifetime; InitializeResourceEvent must not wait for it.
        _ = Task.Run(() => monitor.RunAsync(lifetime.ApplicationStopping), CancellationToken.None);
        return e.Notifications.PublishUpdateAsync(ensemble, s => s with
        {
            State = new ResourceStateSnapshot(KnownResourceStates.Starting, KnownResourceStateStyles.Info),
        });
    }

    private static void DeleteFreshDataDirectory(ZooKeeperEnsembleResource ensemble, ILogger logger)
    {
        if (ensemble.FreshRunDataDirectory is not { } directory || !Directory.Exists(directory))
        {
            return;
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not delete the ensemble's data directory {Directory}: {Message}", directory, ex.Message);
        }
    }
}
