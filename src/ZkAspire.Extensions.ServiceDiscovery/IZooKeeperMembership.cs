// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Primitives;

namespace ZkAspire.Extensions.ServiceDiscovery;

/// <summary>
/// The live members of services registered in ZooKeeper, and this host's own registration.
/// </summary>
public interface IZooKeeperMembership
{
    /// <summary>Gets this host's registration, once registered; <see langword="null"/> before, after stopping, or when it does not register.</summary>
    ZooKeeperMember? Self { get; }

    /// <summary>
    /// Occurs when the members of a watched service changed (a service is watched from the first
    /// <see cref="GetMembersAsync"/> for it on). Raised on the cache's loop: keep handlers short.
    /// </summary>
    event EventHandler<ZooKeeperMembersChangedEventArgs>? MembersChanged;

    /// <summary>
    /// Gets the live members of a service. The first call for a service reads them and starts
    /// watching; later calls answer from the watched copy.
    /// </summary>
    /// <param name="serviceName">The service's name.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The members, by instance id.</returns>
    Task<IReadOnlyList<ZooKeeperMember>> GetMembersAsync(string serviceName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets a change token that fires at the next change of a service's members. Take it before
    /// reading the members so that no change falls between.
    /// </summary>
    /// <param name="serviceName">The service's name.</param>
    /// <returns>The token.</returns>
    IChangeToken GetChangeToken(string serviceName);
}
