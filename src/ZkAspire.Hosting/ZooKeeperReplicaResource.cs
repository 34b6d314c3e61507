// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// One server of a <see cref="ZooKeeperEnsembleResource"/>: a <c>zkaspire-server</c> process with its
/// own server id (<c>myid</c>), data directory and client, quorum and election ports.
/// </summary>
/// <remarks>
/// Replicas are made by <see cref="ZooKeeperBuilderExtensions.AddZooKeeper"/> and
/// <see cref="ZooKeeperBuilderExtensions.WithReplicas"/>; they are not created directly. Their
/// ports are chosen free by the orchestrator when the application starts, and stay the same when
/// the replica is restarted, so the peer list of the other members stays true.
/// </remarks>
public sealed class ZooKeeperReplicaResource : ExecutableResource, IResourceWithParent<ZooKeeperEnsembleResource>
{
    /// <summary>The name of the endpoint clients connect to (ZooKeeper's <c>clientPort</c>).</summary>
    public const string ClientEndpointName = "client";

    /// <summary>The name of the endpoint followers and observers connect to the leader on (the first port of a <c>server.N</c> line).</summary>
    public const string QuorumEndpointName = "quorum";

    /// <summary>The name of the endpoint used for leader election (the second port of a <c>server.N</c> line).</summary>
    public const string ElectionEndpointName = "election";

    private EndpointReference? _clientEndpoint;
    private EndpointReference? _quorumEndpoint;
    private EndpointReference? _electionEndpoint;

    /// <summary>Creates a replica.</summary>
    /// <param name="name">The resource's name, e.g. <c>zk-1</c>.</param>
    /// <param name="parent">The ensemble it belongs to.</param>
    /// <param name="serverId">The server id, the N of <c>server.N</c> and the content of <c>myid</c>: 1 to 255.</param>
    /// <param name="learnerType">Whether the replica votes.</param>
    /// <param name="command">The program to run (<c>dotnet</c>, or the server's own executable).</param>
    /// <param name="workingDirectory">The directory the program runs in.</param>
    internal ZooKeeperReplicaResource(string name, ZooKeeperEnsembleResource parent, int serverId, ZooKeeperLearnerType learnerType, string command, string workingDirectory)
        : base(name, command, workingDirectory)
    {
        Parent = parent;
        ServerId = serverId;
        LearnerType = learnerType;
    }

    /// <inheritdoc/>
    public ZooKeeperEnsembleResource Parent { get; }

    /// <summary>The server id: the N of this replica's <c>server.N</c> line and the content of its <c>myid</c> file.</summary>
    public int ServerId { get; }

    /// <summary>Whether the replica is a voting participant or an observer.</summary>
    public ZooKeeperLearnerType LearnerType { get; }

    /// <summary>The endpoint clients connect to.</summary>
    public EndpointReference ClientEndpoint => _clientEndpoint ??= new(this, ClientEndpointName);

    /// <summary>The quorum endpoint (followers and observers connect to the leader's).</summary>
    public EndpointReference QuorumEndpoint => _quorumEndpoint ??= new(this, QuorumEndpointName);

    /// <summary>The leader election endpoint.</summary>
    public EndpointReference ElectionEndpoint => _electionEndpoint ??= new(this, ElectionEndpointName);

    /// <summary>
    /// This replica's <c>server.N</c> value as ZooKeeper writes it:
    /// <c>127.0.0.1:quorumPort:electionPort</c>, with <c>:observer</c> for an observer.
    /// </summary>
    public ReferenceExpression ServerLineExpression =>
        LearnerType == ZooKeeperLearnerType.Observer
            ? ReferenceExpression.Create($"127.0.0.1:{QuorumEndpoint.Property(EndpointProperty.Port)}:{ElectionEndpoint.Property(EndpointProperty.Port)}:observer")
            : ReferenceExpression.Create($"127.0.0.1:{QuorumEndpoint.Property(EndpointProperty.Port)}:{ElectionEndpoint.Property(EndpointProperty.Port)}:participant");

    /// <summary>The key of this replica's health check.</summary>
    internal string HealthCheckKey => Name + "_check";
}
