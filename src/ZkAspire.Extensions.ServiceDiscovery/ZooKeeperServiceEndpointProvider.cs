// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;

namespace ZkAspire.Extensions.ServiceDiscovery;

/// <summary>Creates <see cref="ZooKeeperServiceEndpointProvider"/>s: every service name is looked up in the membership.</summary>
internal sealed class ZooKeeperServiceEndpointProviderFactory(IZooKeeperMembership membership, IOptions<ServiceDiscoveryOptions> options) : IServiceEndpointProviderFactory
{
    public bool TryCreateProvider(ServiceEndpointQuery query, [NotNullWhen(true)] out IServiceEndpointProvider? provider)
    {
        provider = new ZooKeeperServiceEndpointProvider(query, membership, options.Value);
        return true;
    }
}

/// <summary>
/// Resolves a service's endpoints from its live members: <c>http://ticket-office</c> becomes the
/// <c>http</c> endpoints of the members of <c>ticket-office</c>, and the resolver refreshes when
/// the membership changes (through the service's change token, not by polling).
/// </summary>
/// <remarks>
/// Schemes follow Microsoft.Extensions.ServiceDiscovery's configuration provider: a query for
/// <c>https+http://name</c> gets the endpoints of the first listed scheme that has any; a query
/// without a scheme gets every endpoint when the options allow all schemes. A named endpoint
/// (<c>http://_grpc.name</c>) selects endpoints whose scheme is that name. An endpoint found by an
/// earlier provider (configuration overrides) is left alone.
/// </remarks>
internal sealed class ZooKeeperServiceEndpointProvider(ServiceEndpointQuery query, IZooKeeperMembership membership, ServiceDiscoveryOptions options)
    : IServiceEndpointProvider, IHostNameFeature
{
    string IHostNameFeature.HostName => query.ServiceName;

    public async ValueTask PopulateAsync(IServiceEndpointBuilder endpoints, CancellationToken cancellationToken)
    {
        if (endpoints.Endpoints.Count != 0)
        {
            return;
        }

        // Taken before the read, so a change between the two still refreshes the resolver.
        endpoints.AddChangeToken(membership.GetChangeToken(query.ServiceName));
        var members = await membership.GetMembersAsync(query.ServiceName, cancellationToken).ConfigureAwait(false);
        var candidates = members.SelectMany(member => member.Endpoints);
        if (!string.IsNullOrEmpty(query.EndpointName))
        {
            candidates = candidates.Where(uri => string.Equals(uri.Scheme, query.EndpointName, StringComparison.OrdinalIgnoreCase));
        }

        foreach (var uri in SelectSchemes([.. candidates]))
        {
            var endpoint = ServiceEndpoint.Create(new UriEndPoint(uri));
            endpoint.Features.Set<IServiceEndpointProvider>(this);
            endpoints.Endpoints.Add(endpoint);
        }
    }

    public ValueTask DisposeAsync() => default;

    public override string ToString() => "ZooKeeper";

    private IEnumerable<Uri> SelectSchemes(List<Uri> candidates)
    {
        if (query.IncludedSchemes.Count == 0 && options.AllowAllSchemes)
        {
            return candidates;
        }

        var schemes = options.ApplyAllowedSchemes(query.IncludedSchemes);
        var best = candidates.Select(uri => IndexOf(schemes, uri.Scheme)).Where(index => index >= 0).DefaultIfEmpty(-1).Min();
        return best < 0 ? [] : candidates.Where(uri => IndexOf(schemes, uri.Scheme) == best);
    }

    private static int IndexOf(IReadOnlyList<string> schemes, string scheme)
    {
        for (var i = 0; i < schemes.Count; i++)
        {
            if (string.Equals(schemes[i], scheme, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
