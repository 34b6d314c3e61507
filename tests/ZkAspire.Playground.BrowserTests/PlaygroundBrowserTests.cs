// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ZkAspire.Playground.BrowserTests;

/// <summary>
/// Runs the playground as the README's quick start does and looks at it in a browser (Debian's
/// chromium, driven by puppeteer-core from <c>playground.mjs</c>) as a person would: the
/// dashboard's resources and roles, the ticket office's page and a sale, and the sale's trace.
/// The screenshots are written under the test's output (<c>TestResults/screenshots/</c>, printed).
/// </summary>
public sealed class PlaygroundBrowserTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task APersonSeesTheEnsembleItsRolesTheTicketOfficeASaleAndItsTrace()
    {
        var token = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper!;
        var clock = Stopwatch.StartNew();
        void Log(string line) => output.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0}] {line}");

        var script = BrowserScript.Find(out var problem);
        Assert.True(script is not null, problem);

        var run = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var screenshots = Path.Combine(run, "pages");
        var profile = Path.Combine(run, "chromium-profile");
        Directory.CreateDirectory(profile);
        Log($"screenshots: {screenshots}");

        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        BrowserScriptRun seen;
        IReadOnlyList<ProcessEntry> killed;
        await using (var playground = await PlaygroundAppHost.StartAsync(
            dotnet, BrowserScript.BuildValue("AppHostProject"), BrowserScript.BuildValue("Configuration"), Log, StartTimeout, token))
        {
            Log($"dashboard: {playground.DashboardUrl}");
            try
            {
                seen = await script!.RunAsync(playground.DashboardUrl, screenshots, profile, Log, ScriptTimeout, token);
            }
            finally
            {
                // The profile directory names this run's chromium: none of it may outlive the script.
                var chromium = ProcessTable.Read().Values.Where(p => p.CommandLine.Contains(profile, StringComparison.Ordinal)).ToList();
                ProcessTable.Signal(ProcessTable.SigKill, chromium);
                Assert.True(chromium.Count == 0, $"chromium outlived the script: {string.Join("; ", chromium)}");
                Directory.Delete(profile, recursive: true);
            }

            // Replicas or instances started since start-up (none expected) are stopped too.
            playground.Track();
            killed = await playground.StopAsync(StopTimeout);
        }

        Assert.True(seen.ExitCode == 0, $"The browser saw something wrong (exit code {seen.ExitCode}):\n{seen.Output}");
        Assert.NotNull(seen.Result);
        using var result = JsonDocument.Parse(seen.Result);
        var root = result.RootElement;

        // The resources page: the ensemble, its three replicas and two ticket-office instances, all Running.
        var resources = root.GetProperty("resources").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("state").GetString());
        foreach (var name in new[] { "zk", "zk-1", "zk-2", "zk-3" })
        {
            Assert.Equal("Running", resources.GetValueOrDefault(name));
        }

        Assert.Equal(2, resources.Count(r => r.Key.StartsWith("ticket-office-", StringComparison.Ordinal) && r.Value == "Running"));

        // The ensemble is Healthy and names its leader; the replicas' roles agree: one leader, two followers.
        var ensemble = root.GetProperty("ensemble");
        Assert.Equal("Healthy", ensemble.GetProperty("health").GetString());
        var leader = ensemble.GetProperty("leader").GetString();
        var roles = root.GetProperty("replicas").EnumerateObject().ToDictionary(r => r.Name, r => r.Value.GetProperty("role").GetString());
        Assert.Equal(["zk-1", "zk-2", "zk-3"], roles.Keys.Order());
        Assert.Equal("leader", roles[leader!]);
        Assert.Single(roles.Values, r => r == "leader");
        Assert.Equal(2, roles.Values.Count(r => r == "follower"));

        // The ticket office's page showed its options, both members and the tickets left, and one
        // ticket bought with its Buy button made the count drop by one; the buyer's name, with
        // characters HTML gives a meaning to, was shown as typed.
        var office = root.GetProperty("office");
        Assert.Equal(2, office.GetProperty("members").GetArrayLength());
        Assert.Matches(@"^127\.0\.0\.1:\d+$", office.GetProperty("server").GetString());
        var before = office.GetProperty("remaining").GetInt32();
        var purchase = root.GetProperty("purchase");
        var user = purchase.GetProperty("user").GetString();
        Assert.Contains("<", user, StringComparison.Ordinal);
        Assert.StartsWith($"Sold 1 to {user} for ", purchase.GetProperty("shown").GetString(), StringComparison.Ordinal);
        Assert.Equal(before - 1, purchase.GetProperty("remainingShownAfter").GetInt32());

        // The traces page showed the sale's trace, with spans from an instance and from a replica,
        // and the trace the sale, its lock and its ZooKeeper requests.
        var spansByResource = root.GetProperty("traces").GetProperty("buy").GetProperty("spans").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Contains(spansByResource, s => s.StartsWith("ticket-office-", StringComparison.Ordinal));
        Assert.Contains(spansByResource, s => s.StartsWith("zk-", StringComparison.Ordinal));
        var spans = root.GetProperty("trace").GetProperty("spans").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Contains("ticket-office buy", spans);
        Assert.Contains("zookeeper.lock.acquire", spans);

        // A screenshot of every page looked at.
        var pictures = Directory.GetFiles(screenshots, "*.png").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(
            ["01-resources.png", "02-zk.png", "03-zk-1.png", "03-zk-2.png", "03-zk-3.png", "04-ticket-office.png", "05-ticket-office-after-buy.png", "05-ticket-office-bought.png", "06-traces.png", "07-trace-buy.png"],
            pictures);
        Assert.All(Directory.GetFiles(screenshots, "*.png"), f => Assert.True(new FileInfo(f).Length > 1000, f));

        // Ctrl+C (SIGTERM) stopped everything the AppHost had started: nothing had to be killed.
        Assert.True(killed.Count == 0, $"Still running after the AppHost stopped (killed): {string.Join("; ", killed)}");
        Log($"done; screenshots in {screenshots}");
    }
}
