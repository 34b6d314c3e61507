// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ZkAspire.Extensions.ServiceDiscovery;

/// <summary>
/// The names of the membership's telemetry: spans around registering and unregistering this
/// instance and around registering it again after session loss, a zero-length span per observed
/// change of a service's members, and counters of registrations, re-registrations and changes.
/// Register them with OpenTelemetry by <see cref="SourceName"/> (the hosting package's
/// <c>AddZooKeeperInstrumentation()</c> does). The ZooKeeper requests underneath are the client's spans.
/// </summary>
public static class ZooKeeperMembershipTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string SourceName = "ZkAspire.Extensions.ServiceDiscovery";

    /// <summary>The span of a registration: until this instance's ephemeral node exists.</summary>
    public const string RegisterActivityName = "zookeeper.membership.register";

    /// <summary>The span of an unregistration: until the node is deleted or the client took the delete over.</summary>
    public const string UnregisterActivityName = "zookeeper.membership.unregister";

    /// <summary>
    /// The span of a registration made again after a reconnect (the node went with an expired
    /// session, or is missing after a reconnect of the same one): no parent, as it follows a
    /// connection event rather than the caller's work; the client's create is its child.
    /// </summary>
    public const string ReRegisterActivityName = "zookeeper.membership.reregister";

    /// <summary>
    /// A zero-length span with no parent when the observed members of a service change (the
    /// watches fire in the background, so there is no request to hang it under).
    /// </summary>
    public const string ChangeActivityName = "zookeeper.membership.change";

    /// <summary>The counter of registrations, by <see cref="OutcomeAttribute"/>.</summary>
    public const string RegistrationsInstrumentName = "zookeeper.membership.registrations";

    /// <summary>The counter of re-registrations after a reconnect, by <see cref="ServiceNameAttribute"/>, <see cref="OutcomeAttribute"/> and <see cref="NewSessionAttribute"/>.</summary>
    public const string ReRegistrationsInstrumentName = "zookeeper.membership.reregistrations";

    /// <summary>The counter of observed changes of a service's members, by <see cref="ServiceNameAttribute"/>.</summary>
    public const string ChangesInstrumentName = "zookeeper.membership.changes";

    /// <summary>The service name (the znode under the base path).</summary>
    public const string ServiceNameAttribute = "zookeeper.membership.service";

    /// <summary>The instance id (the member's znode name).</summary>
    public const string InstanceIdAttribute = "zookeeper.membership.instance_id";

    /// <summary>Whether a re-registration follows a new session (the old one expired) rather than a reconnect of the same one.</summary>
    public const string NewSessionAttribute = "zookeeper.membership.new_session";

    /// <summary>How many members a change added.</summary>
    public const string AddedAttribute = "zookeeper.membership.added";

    /// <summary>How many members a change removed.</summary>
    public const string RemovedAttribute = "zookeeper.membership.removed";

    /// <summary>How many members the service has after a change.</summary>
    public const string CountAttribute = "zookeeper.membership.count";

    /// <summary>
    /// A registration's outcome: <see cref="OutcomeRegistered"/>, <see cref="OutcomeCanceled"/>
    /// (the caller stopped waiting; the registration is kept and made on reconnect) or
    /// <see cref="OutcomeFailed"/> (with <c>error.type</c> set).
    /// </summary>
    public const string OutcomeAttribute = "zookeeper.membership.outcome";

    /// <summary>The node exists.</summary>
    public const string OutcomeRegistered = "registered";

    /// <summary>The caller stopped waiting.</summary>
    public const string OutcomeCanceled = "canceled";

    /// <summary>The registration threw.</summary>
    public const string OutcomeFailed = "failed";

    internal static readonly ActivitySource ActivitySource = new(SourceName);

    internal static readonly Meter Meter = new(SourceName);

    internal static readonly Counter<long> Registrations = Meter.CreateCounter<long>(RegistrationsInstrumentName, "{registration}", "Registrations of this instance in ZooKeeper, by outcome.");

    internal static readonly Counter<long> ReRegistrations = Meter.CreateCounter<long>(ReRegistrationsInstrumentName, "{registration}", "Registrations of this instance made again after a reconnect, by outcome.");

    internal static readonly Counter<long> Changes = Meter.CreateCounter<long>(ChangesInstrumentName, "{change}", "Observed changes of a service's members.");
}
