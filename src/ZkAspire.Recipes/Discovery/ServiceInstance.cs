// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace ZkAspire.Recipes.Discovery;

/// <summary>
/// One instance of a service (Curator's <c>ServiceInstance</c>): stored as JSON at
/// <c>{basePath}/{Name}/{Id}</c>, so Java services using Curator's discovery see it and the other
/// way round.
/// </summary>
/// <typeparam name="TPayload">Extra data of the instance; serialized as JSON.</typeparam>
/// <param name="Name">The service's name.</param>
/// <param name="Id">The instance's id, unique within the service.</param>
public sealed record ServiceInstance<TPayload>(string Name, string Id)
{
    /// <summary>Gets or sets the address (host name or IP).</summary>
    public string? Address { get; init; }

    /// <summary>Gets or sets the port, if any.</summary>
    public int? Port { get; init; }

    /// <summary>Gets or sets the SSL port, if any.</summary>
    public int? SslPort { get; init; }

    /// <summary>Gets or sets the payload.</summary>
    public TPayload? Payload { get; init; }

    /// <summary>Gets or sets when the instance was registered, in milliseconds since the Unix epoch (UTC).</summary>
    public long RegistrationTimeUtc { get; init; }

    /// <summary>Gets or sets how the instance is registered.</summary>
    /// <value>The default value is <see cref="ServiceType.Dynamic"/>.</value>
    public ServiceType ServiceType { get; init; } = ServiceType.Dynamic;

    /// <summary>Gets or sets the URI template, if any.</summary>
    public UriSpec? UriSpec { get; init; }

    /// <summary>Gets or sets whether the instance takes traffic (Curator 4 and later; older readers ignore it).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Creates an instance as Curator's <c>ServiceInstance.builder()</c> does: a random UUID id, the
    /// first non-loopback IPv4 address of this machine, and now as the registration time.
    /// </summary>
    /// <param name="name">The service's name.</param>
    /// <param name="port">The port.</param>
    /// <param name="payload">The payload.</param>
    /// <returns>The instance.</returns>
    public static ServiceInstance<TPayload> Create(string name, int? port = null, TPayload? payload = default) =>
        new(name, Guid.NewGuid().ToString())
        {
            Address = LocalAddress(),
            Port = port,
            Payload = payload,
            RegistrationTimeUtc = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };

    /// <summary>Fills the instance's <see cref="UriSpec"/> (Curator's <c>buildUriSpec</c>).</summary>
    /// <param name="variables">More variables.</param>
    /// <returns>The URI text, or the empty string without a template.</returns>
    public string BuildUri(IReadOnlyDictionary<string, object?>? variables = null) => UriSpec?.Build(this, variables) ?? string.Empty;

    private static string? LocalAddress()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))?.ToString()
                ?? IPAddress.Loopback.ToString();
        }
        catch (NetworkInformationException)
        {
            return IPAddress.Loopback.ToString();
        }
    }
}

/// <summary>Curator's JSON names of <see cref="ServiceType"/>.</summary>
internal static class ServiceTypeNames
{
    public static string ToJavaName(this ServiceType type) => type switch
    {
        ServiceType.Dynamic => "DYNAMIC",
        ServiceType.Static => "STATIC",
        ServiceType.Permanent => "PERMANENT",
        ServiceType.DynamicSequential => "DYNAMIC_SEQUENTIAL",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown service type."),
    };

    public static ServiceType FromJavaName(string? name) => name switch
    {
        "DYNAMIC" or null => ServiceType.Dynamic,
        "STATIC" => ServiceType.Static,
        "PERMANENT" => ServiceType.Permanent,
        "DYNAMIC_SEQUENTIAL" => ServiceType.DynamicSequential,
        _ => throw new FormatException($"Unknown service type '{name}'."),
    };
}
