// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkAspire.Client;
using ZkAspire.Extensions.Configuration;
using ZkAspire.Extensions.Tests.Configuration;
using ZkAspire.Extensions.Tests.Infrastructure;
using static ZkAspire.Extensions.Tests.Infrastructure.ExtensionsTestHelpers;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.Tests.Hosting;

/// <summary>The whole story in one host: configuration from ZooKeeper, bound options, a registered client.</summary>
public sealed class TicketOfficeHostTests(ZkAspireServer server)
{
    [Fact]
    public async Task OptionsFromZooKeeperChangeLiveInAHostAndEverythingClosesWithIt()
    {
        var root = server.UniquePath("ticket-office");
        await using var writer = await server.ConnectAsync();
        await writer.CreateTreeAsync((root + "/TicketOffice/Seats", "100"), (root + "/TicketOffice/Venue", "Hall A"));

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:zk", server.ConnectionString)]);
        builder.Configuration.AddZooKeeper("zk", root);
        builder.Services.Configure<OfficeOptions>(builder.Configuration.GetSection("TicketOffice"));
        builder.AddZooKeeperClient("zk");
        var host = builder.Build();
        await host.StartAsync(Ct);

        var monitor = host.Services.GetRequiredService<IOptionsMonitor<OfficeOptions>>();
        Assert.Equal(100, monitor.CurrentValue.Seats);
        var changed = new TaskCompletionSource<OfficeOptions>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (monitor.OnChange(o => changed.TrySetResult(o)))
        {
            // Written through the registered client: a session other than the provider's own.
            var client = host.Services.GetRequiredService<ZooKeeperClient>();
            await client.SetDataAsync(root + "/TicketOffice/Seats", Bytes("90"), cancellationToken: Ct);
            Assert.Equal(90, (await changed.Task.Soon()).Seats);
        }

        var provider = ((IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>()).Providers.OfType<ZooKeeperConfigurationProvider>().Single();
        var registered = host.Services.GetRequiredService<ZooKeeperClient>();
        await host.StopAsync(Ct);
        host.Dispose();
        Assert.True(provider.IsDisposed);
        Assert.True(registered.IsClosed);
    }
}
