// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZkAspire.Client;
using ZkAspire.TestInfrastructure.Contract;

namespace ZkAspire.Extensions.ServiceDiscovery.Tests.Infrastructure;

/// <summary>A small ASP.NET Core host on 127.0.0.1 with a free port, registered as a member; <c>GET /</c> answers with its instance id.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHost(WebApplication app, ZooKeeperClient client)
    {
        _app = app;
        Client = client;
    }

    /// <summary>Gets the host's own client (its session holds the registration).</summary>
    public ZooKeeperClient Client { get; }

    /// <summary>Gets the host's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Gets the address Kestrel listens on.</summary>
    public Uri Address => new(_app.Urls.Single());

    /// <summary>Starts a host with a client of its own, registered under a service name.</summary>
    public static async Task<TestHost> StartAsync(ServerFixture server, string basePath, string serviceName, string instanceId, Action<ZooKeeperMembershipOptions>? configure = null) =>
        await StartAsync(await server.ConnectAsync(), basePath, serviceName, instanceId, configure);

    /// <summary>Starts a host over a given client (which it disposes).</summary>
    public static async Task<TestHost> StartAsync(ZooKeeperClient client, string basePath, string serviceName, string instanceId, Action<ZooKeeperMembershipOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(client);
        builder.Services.AddZooKeeperMembership(options =>
        {
            options.BasePath = basePath;
            options.ServiceName = serviceName;
            options.InstanceId = instanceId;
            configure?.Invoke(options);
        });
        var app = builder.Build();
        app.MapGet("/", () => Results.Text(instanceId));
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new TestHost(app, client);
    }

    /// <summary>Stops the host (it unregisters) but keeps its client.</summary>
    public Task StopAsync() => _app.StopAsync(TestContext.Current.CancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await Client.DisposeAsync();
    }
}
