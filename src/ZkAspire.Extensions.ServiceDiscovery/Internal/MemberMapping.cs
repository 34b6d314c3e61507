// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Recipes.Discovery;

namespace ZkAspire.Extensions.ServiceDiscovery.Internal;

/// <summary>Between a member and Curator's service instance.</summary>
internal static class MemberMapping
{
    /// <summary>
    /// Builds the instance of a member: the first endpoint's host as the address, the first
    /// <c>http</c> port as the port and the first <c>https</c> port as the SSL port (so Curator
    /// readers find it), and every endpoint and the metadata in the payload.
    /// </summary>
    public static ServiceInstance<MemberPayload> ToInstance(ZooKeeperMember member)
    {
        var http = member.Endpoints.FirstOrDefault(uri => uri.Scheme == Uri.UriSchemeHttp);
        var https = member.Endpoints.FirstOrDefault(uri => uri.Scheme == Uri.UriSchemeHttps);
        return new ServiceInstance<MemberPayload>(member.ServiceName, member.InstanceId)
        {
            Address = member.Endpoints.Count > 0 ? member.Endpoints[0].Host : null,
            Port = http?.Port,
            SslPort = https?.Port,
            RegistrationTimeUtc = member.RegisteredAt.ToUnixTimeMilliseconds(),
            ServiceType = ServiceType.Dynamic,
            Payload = new MemberPayload
            {
                Endpoints = [.. member.Endpoints.Select(uri => uri.GetLeftPart(UriPartial.Authority))],
                Metadata = new Dictionary<string, string>(member.Metadata, StringComparer.Ordinal),
            },
        };
    }

    /// <summary>
    /// Reads a member from an instance. An instance without our payload — registered by Curator,
    /// say — gets <c>http://address:port</c> and <c>https://address:sslPort</c> as its endpoints.
    /// </summary>
    /// <returns>The member, or <see langword="null"/> for a disabled instance (Curator's providers skip those too).</returns>
    public static ZooKeeperMember? ToMember(ServiceInstance<MemberPayload> instance)
    {
        if (!instance.Enabled)
        {
            return null;
        }

        var endpoints = new List<Uri>();
        foreach (var text in instance.Payload?.Endpoints ?? [])
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri))
            {
                endpoints.Add(uri);
            }
        }

        if (endpoints.Count == 0 && instance.Address is { Length: > 0 } address)
        {
            if (instance.Port is { } port)
            {
                endpoints.Add(new UriBuilder(Uri.UriSchemeHttp, address, port).Uri);
            }

            if (instance.SslPort is { } sslPort)
            {
                endpoints.Add(new UriBuilder(Uri.UriSchemeHttps, address, sslPort).Uri);
            }
        }

        var metadata = instance.Payload?.Metadata ?? [];
        return new ZooKeeperMember(
            instance.Name,
            instance.Id,
            endpoints,
            new Dictionary<string, string>(metadata, StringComparer.Ordinal),
            DateTimeOffset.FromUnixTimeMilliseconds(instance.RegistrationTimeUtc));
    }

    /// <summary>Formats a member for logs.</summary>
    public static string Describe(ZooKeeperMember member) =>
        string.Create(CultureInfo.InvariantCulture, $"{member.ServiceName}/{member.InstanceId} ({string.Join(", ", member.Endpoints)})");
}
