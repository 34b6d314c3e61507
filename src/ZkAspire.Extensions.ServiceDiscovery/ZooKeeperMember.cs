// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Extensions.ServiceDiscovery;

/// <summary>One live instance of a service.</summary>
/// <param name="ServiceName">The service's name.</param>
/// <param name="InstanceId">The instance's id, unique within the service.</param>
/// <param name="Endpoints">Where it listens: absolute URIs, one per scheme and address.</param>
/// <param name="Metadata">Its metadata.</param>
/// <param name="RegisteredAt">When it registered.</param>
public sealed record ZooKeeperMember(
    string ServiceName,
    string InstanceId,
    IReadOnlyList<Uri> Endpoints,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset RegisteredAt);

/// <summary>The members of a service after a change.</summary>
public sealed class ZooKeeperMembersChangedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="serviceName">The service.</param>
    /// <param name="members">Its members now.</param>
    public ZooKeeperMembersChangedEventArgs(string serviceName, IReadOnlyList<ZooKeeperMember> members)
    {
        ServiceName = serviceName;
        Members = members;
    }

    /// <summary>Gets the service whose members changed.</summary>
    public string ServiceName { get; }

    /// <summary>Gets its members now.</summary>
    public IReadOnlyList<ZooKeeperMember> Members { get; }
}
