// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Extensions.ServiceDiscovery;

/// <summary>Settings of the ZooKeeper membership.</summary>
public sealed class ZooKeeperMembershipOptions
{
    /// <summary>The default <see cref="BasePath"/>.</summary>
    public const string DefaultBasePath = "/services";

    /// <summary>
    /// Gets or sets the parent of the services' nodes (Curator's discovery base path): an instance
    /// is <c>{BasePath}/{service name}/{instance id}</c>, holding Curator's instance JSON.
    /// </summary>
    /// <value>The default value is <c>/services</c>.</value>
    public string BasePath { get; set; } = DefaultBasePath;

    /// <summary>Gets or sets the service name the host registers under; the application name (<c>IHostEnvironment.ApplicationName</c>) when not set.</summary>
    public string? ServiceName { get; set; }

    /// <summary>Gets or sets the instance id, unique within the service; a new GUID per run when not set.</summary>
    public string? InstanceId { get; set; }

    /// <summary>
    /// Gets the endpoints to advertise (absolute URIs such as <c>http://10.0.0.5:8080</c>). When
    /// empty, the host's listening addresses are advertised: the server's
    /// <c>IServerAddressesFeature</c> once it has started, else the <c>urls</c> configuration key.
    /// </summary>
    public IList<Uri> Endpoints { get; } = [];

    /// <summary>
    /// Gets or sets the host advertised in place of a wildcard listening host (<c>0.0.0.0</c>,
    /// <c>[::]</c>, <c>+</c>, <c>*</c>), which other machines cannot dial; the machine's host name
    /// (<see cref="System.Net.Dns.GetHostName"/>) when not set.
    /// </summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>Gets the metadata stored with the instance (in the payload of Curator's instance JSON).</summary>
    public IDictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the service key of the <c>ZooKeeperClient</c> to use: <see langword="null"/> for
    /// the unkeyed client, or the name a keyed client was registered under.
    /// </summary>
    public string? ClientServiceKey { get; set; }
}
