// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Net.Http.Json;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using ZkAspire.Client;

namespace ZkAspire.Hosting.Tests;

/// <summary>
/// Runs the playground AppHost (a one-replica ensemble until replicated mode lands in the server,
/// and the ticket office) as a user would, and checks what they would look at.
/// </summary>
public sealed class EndToEndTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ThePlaygroundRunsTheEnsembleAndTheTicketOfficeNeverOversells()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Budget);
        var token = timeout.Token;

        // WaitForResourceCleanup=false: StopAsync returns at once; the orchestrator still ends
        // every process, which the end of this test checks.
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ZkAspire_Playground_AppHost>(
            ["DcpPublisher:WaitForResourceCleanup=false"], token);
        var ensemble = appHost.Resources.OfType<ZooKeeperEnsembleResource>().Single();
        appHost.CreateResourceBuilder(ensemble).WithStatusPollInterval(TimeSpan.FromMilliseconds(250));

        string? dataDirectory;
        string? connectionString;
        await using (var app = await appHost.BuildAsync(token))
        {
            await app.StartAsync(token);
            var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
            var commands = app.Services.GetRequiredService<ResourceCommandService>();
            await notifications.WaitForResourceHealthyAsync("zk", token);

            connectionString = await app.GetConnectionStringAsync("zk", token);
            Assert.NotNull(connectionString);
            Assert.Matches(@"^127\.0\.0\.1:\d+$", connectionString);
            dataDirectory = ensemble.FreshRunDataDirectory;
            Assert.True(Directory.Exists(dataDirectory), $"The run's data directory should exist: {dataDirectory}");
            Assert.True(File.Exists(Path.Combine(dataDirectory, "zk-1", "myid")));

            await using (var client = await ZooKeeperClient.ConnectAsync(connectionString, token))
            {
                await client.CreateAsync("/e2e", "written before the restart"u8.ToArray(), cancellationToken: token);
                Assert.Equal("written before the restart", Encoding.UTF8.GetString((await client.GetDataAsync("/e2e", token)).Data!));
            }

            // The dashboard's view: the replica's role as a property, the srvr command.
            await notifications.WaitForResourceAsync("zk-1", e => HasProperty(e, "zookeeper.role", "standalone"), token);
            await notifications.WaitForResourceAsync("zk", e => HasProperty(e, "zookeeper.leader", "zk-1"), token);
            var srvr = await commands.ExecuteCommandAsync("zk-1", "zookeeper-srvr", token);
            Assert.True(srvr.Success, srvr.Message);

            // Thirty buyers who want four tickets each, at once, for a hundred tickets: exactly a
            // hundred are sold, and the rest are refused.
            await notifications.WaitForResourceHealthyAsync("ticket-office", token);
            using var http = app.CreateHttpClient("ticket-office");
            var responses = await Task.WhenAll(Enumerable.Range(1, 30).Select(i => http.PostAsync(new Uri($"/buy?user=buyer{i}&count=4", UriKind.Relative), null, token)));
            Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, r.StatusCode.ToString()));
            var purchases = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<PurchaseView>(token)));
            Assert.Equal(100, purchases.Sum(p => p!.Sold));
            Assert.Equal(25, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            var office = await http.GetFromJsonAsync<OfficeView>("/", token);
            Assert.Equal(0, office!.Remaining);

            // A replica restarted from the dashboard comes back with its data (its data directory
            // is kept for the run), on the same port.
            var restart = await commands.ExecuteCommandAsync("zk-1", KnownResourceCommands.RestartCommand, token);
            Assert.True(restart.Success, restart.Message);
            await notifications.WaitForResourceAsync("zk-1", KnownResourceStates.Running, token);
            await using (var client = await ZooKeeperClient.ConnectAsync(connectionString, token))
            {
                Assert.Equal("written before the restart", Encoding.UTF8.GetString((await client.GetDataAsync("/e2e", token)).Data!));
            }

            await app.StopAsync(token);
        }

        Assert.False(Directory.Exists(dataDirectory), $"The run's data directory should be deleted: {dataDirectory}");
        await WaitUntilNoProcessHasAsync("ZKASPIRE_dataDir=" + dataDirectory, token);
        await WaitUntilNoProcessHasAsync("ConnectionStrings__zk=" + connectionString, token);
    }

    private static bool HasProperty(ResourceEvent e, string name, string value) =>
        e.Snapshot.Properties.Any(p => p.Name == name && Equals(p.Value, value));

    /// <summary>Waits (at most 30 s) until no process has an environment variable starting with <paramref name="marker"/>: the replicas (their dataDir) and the ticket office (its connection string).</summary>
    private static async Task WaitUntilNoProcessHasAsync(string marker, CancellationToken token)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var left = ProcessesWhoseEnvironmentContains(marker);
            if (left.Count == 0)
            {
                return;
            }

            if (!await timer.WaitForNextTickAsync(token))
            {
                break;
            }
        }

        Assert.Fail($"Processes with {marker} still run after the application stopped: {string.Join(", ", ProcessesWhoseEnvironmentContains(marker))}");
    }

    private static List<int> ProcessesWhoseEnvironmentContains(string marker)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(entry, "environ")).Split('\0').Any(v => v.StartsWith(marker, StringComparison.Ordinal)))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read, or is not ours to read.
            }
        }

        return found;
    }

    private sealed record PurchaseView(int Sold, int Remaining, decimal Total, string? Refused);

    private sealed record OfficeView(int Remaining);
}
