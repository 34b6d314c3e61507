// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using Microsoft.Extensions.Logging;
using ZkAspire.Hosting.Internal;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A ZooKeeper ensemble: the parent of its <see cref="ZooKeeperReplicaResource"/> servers, or a
/// stand-in for an ensemble that runs elsewhere (<see cref="ZooKeeperBuilderExtensions.AsExisting(IResourceBuilder{ZooKeeperEnsembleResource}, string)"/>).
/// </summary>
/// <remarks>
/// Its connection string is a ZooKeeper connect string, <c>127.0.0.1:p1,127.0.0.1:p2,...</c>, one
/// host:port per replica (observers included: they serve clients), which every ZooKeeper client
/// takes as it is (ZkAspire.Client, Curator, kazoo, the C client). Projects that
/// <c>WithReference</c> the ensemble get it as <c>ConnectionStrings__{name}</c>.
/// </remarks>
/// <param name="name">The resource's name, e.g. <c>zk</c>.</param>
public sealed class ZooKeeperEnsembleResource(string name) : Resource(name), IResourceWithConnectionString, IResourceWithWaitSupport
{
    /// <summary>The number of voting replicas <see cref="ZooKeeperBuilderExtensions.AddZooKeeper"/> starts with.</summary>
    public const int DefaultReplicaCount = 3;

    /// <summary>The <c>4lw.commands.whitelist</c> the replicas run with unless told otherwise: what the health checks, the dashboard commands and the usual tools need.</summary>
    public const string DefaultFourLetterWordWhitelist = "ruok,srvr,stat,mntr,conf,cons,envi,isro,wchs,dirs";

    private readonly List<ZooKeeperReplicaResource> _replicas = [];
    private readonly Dictionary<string, string> _settings = new(StringComparer.Ordinal);
    private readonly HashSet<string> _registeredHealthChecks = new(StringComparer.Ordinal);
    private readonly Lock _runDataDirectoryLock = new();
    private string? _runDataDirectory;

    /// <summary>The replicas, voting participants first (server ids 1…n), then observers.</summary>
    public IReadOnlyList<ZooKeeperReplicaResource> Replicas => _replicas;

    /// <summary>The number of voting replicas; odd, so that a majority is well defined.</summary>
    public int ParticipantCount { get; internal set; } = DefaultReplicaCount;

    /// <summary>The number of observers (non-voting replicas that serve clients).</summary>
    public int ObserverCount { get; internal set; }

    /// <summary>
    /// The directory the replicas keep their data in, one subdirectory per replica; <see langword="null"/>
    /// for a fresh directory under the system's temporary directory each run, deleted when the
    /// application stops.
    /// </summary>
    public string? DataDirectory { get; internal set; }

    /// <summary>zoo.cfg settings given to every replica, e.g. <c>tickTime</c>.</summary>
    public IReadOnlyDictionary<string, string> Settings => _settings;

    /// <summary>The replicas' log level; <see langword="null"/> for the server's default (Information).</summary>
    public LogLevel? ServerLogLevel { get; internal set; }

    /// <summary>How often each replica is asked for its <c>srvr</c> to keep its role and zxid current on the dashboard.</summary>
    public TimeSpan StatusPollInterval { get; internal set; } = TimeSpan.FromSeconds(2);

    /// <summary>The connect string of an ensemble that runs elsewhere, when this resource stands for one; <see langword="null"/> when it runs its own replicas.</summary>
    public ReferenceExpression? ExistingConnectionString { get; internal set; }

    /// <summary>The path of the server program the replicas run: a <c>zkaspire-server.dll</c> (run with <c>dotnet</c>) or an executable.</summary>
    public string ServerProgramPath { get; internal set; } = ZooKeeperServerProgram.DefaultPath;

    /// <summary>The key of the ensemble's health check.</summary>
    internal string HealthCheckKey => Name + "_check";

    /// <summary>
    /// The connect string: <c>127.0.0.1:p1,127.0.0.1:p2,...</c> over every replica's client port, or
    /// the existing ensemble's.
    /// </summary>
    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            if (ExistingConnectionString is { } existing)
            {
                return existing;
            }

            var builder = new ReferenceExpressionBuilder();
            for (var i = 0; i < _replicas.Count; i++)
            {
                var endpoint = _replicas[i].ClientEndpoint;
                if (i > 0)
                {
                    builder.AppendLiteral(",");
                }

                builder.Append($"{endpoint.Property(EndpointProperty.IPV4Host)}:{endpoint.Property(EndpointProperty.Port)}");
            }

            return builder.Build();
        }
    }

    internal List<ZooKeeperReplicaResource> MutableReplicas => _replicas;

    internal Dictionary<string, string> MutableSettings => _settings;

    /// <summary>Records that a health check was registered under <paramref name="key"/>; false when one already was (the health check service refuses duplicate names).</summary>
    internal bool TryRegisterHealthCheck(string key) => _registeredHealthChecks.Add(key);

    /// <summary>The directory a replica keeps its data in for this run.</summary>
    internal string GetReplicaDataDirectory(ZooKeeperReplicaResource replica) => Path.Combine(GetRunDataDirectory(), replica.Name);

    /// <summary>The fresh directory of this run, when <see cref="DataDirectory"/> is not set and one was made.</summary>
    internal string? FreshRunDataDirectory
    {
        get
        {
            lock (_runDataDirectoryLock)
            {
                return DataDirectory is null ? _runDataDirectory : null;
            }
        }
    }

    private string GetRunDataDirectory()
    {
        if (DataDirectory is { } configured)
        {
            return Path.GetFullPath(configured);
        }

        lock (_runDataDirectoryLock)
        {
            // One directory per run, named so that concurrent AppHosts and test runs never share one.
            return _runDataDirectory ??= Path.Combine(
                Path.GetTempPath(),
                "zkaspire-aspire",
                string.Create(CultureInfo.InvariantCulture, $"{Name}-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..8]}"));
        }
    }
}
