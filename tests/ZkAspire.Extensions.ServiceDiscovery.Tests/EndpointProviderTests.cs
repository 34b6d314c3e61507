// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.ServiceDiscovery;
using ZkAspire.Extensions.ServiceDiscovery.Tests.Infrastructure;
using ZkAspire.TestInfrastructure.Contract;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.ServiceDiscovery.Tests;

/// <summary>The Microsoft.Extensions.ServiceDiscovery endpoint provider: <c>http://name</c> resolves through the membership.</summary>
public abstract class EndpointProviderTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task HttpClientReachesTheLiveMembersAndFollowsChanges()
    {
        var basePath = Server.UniquePath("services-http");
        await using var a = await TestHost.StartAsync(Server, basePath, "ticket-office", "a");
        await using var callerClient = await Server.ConnectAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton(callerClient);
        // As Aspire's service defaults do: configuration and pass-through first; pass-through still runs last.
        services.AddServiceDiscovery();
        services.AddZooKeeperServiceEndpointProvider(o => o.BasePath = basePath);
        services.AddHttpClient("office", http => http.BaseAddress = new Uri("http://ticket-office")).AddServiceDiscovery();
        await using var container = services.BuildServiceProvider();
        var http = container.GetRequiredService<IHttpClientFactory>().CreateClient("office");

        Assert.Equal("a", await http.GetStringAsync("/", Ct));
        var resolver = container.GetRequiredService<ServiceEndpointResolver>();
        var resolved = await resolver.GetEndpointsAsync("http://ticket-office", Ct);
        Assert.Equal(a.Address, Assert.IsType<UriEndPoint>(Assert.Single(resolved.Endpoints).EndPoint).Uri);

        // A member joins and the first leaves: the resolver follows the membership's change token.
        await using var b = await TestHost.StartAsync(Server, basePath, "ticket-office", "b");
        await a.StopAsync();
        await Eventually(async () =>
        {
            var now = await resolver.GetEndpointsAsync("http://ticket-office", Ct);
            Assert.Equal(b.Address, Assert.IsType<UriEndPoint>(Assert.Single(now.Endpoints).EndPoint).Uri);
        });
        await Eventually(async () => Assert.Equal("b", await http.GetStringAsync("/", Ct)));
    }

    [Fact]
    public async Task SchemesPickTheMatchingEndpoints()
    {
        var basePath = Server.UniquePath("services-schemes");
        await using var client = await Server.ConnectAsync();
        await using var registrar = new ZooKeeperMembership(client, basePath);
        await registrar.RegisterAsync(MembershipTests<TServer>.Member("svc", "m1", "http://10.0.0.1:8080", "https://10.0.0.1:8443"), Ct);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(client);
        services.AddZooKeeperServiceEndpointProvider(o => o.BasePath = basePath);
        await using var container = services.BuildServiceProvider();
        var resolver = container.GetRequiredService<ServiceEndpointResolver>();

        Assert.Equal(["https://10.0.0.1:8443/"], await ResolveAsync(resolver, "https+http://svc"));
        Assert.Equal(["http://10.0.0.1:8080/"], await ResolveAsync(resolver, "http://svc"));
        Assert.Equal(["http://10.0.0.1:8080/", "https://10.0.0.1:8443/"], await ResolveAsync(resolver, "svc"));
        Assert.Equal(["https://10.0.0.1:8443/"], await ResolveAsync(resolver, "https://_https.svc"));
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => ResolveAsync(resolver, "http://unknown-service"));
    }

    private static async Task<List<string>> ResolveAsync(ServiceEndpointResolver resolver, string name)
    {
        var source = await resolver.GetEndpointsAsync(name, Ct);
        if (source.Endpoints.Count == 0)
        {
            throw new InvalidOperationException($"No endpoints for {name}.");
        }

        return [.. source.Endpoints.Select(e => e.EndPoint switch
        {
            UriEndPoint uri => uri.Uri.ToString(),
            DnsEndPoint dns => dns.Host + ":" + dns.Port,
            var other => other.ToString()!,
        }).Order(StringComparer.Ordinal)];
    }
}
