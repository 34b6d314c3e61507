// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ZkAspire.Extensions.ServiceDiscovery.Tests.Infrastructure;
using ZkAspire.TestInfrastructure.Contract;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Extensions.ServiceDiscovery.Tests;

/// <summary>Membership: a member appears with its host or process and goes with it, comes back after session expiry, and changes are reported.</summary>
public abstract class MembershipTests<TServer>(TServer server)
    where TServer : ServerFixture
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task AMemberAppearsWithItsHostAndLeavesWhenTheHostStops()
    {
        var basePath = Server.UniquePath("services");
        await using var observerClient = await Server.ConnectAsync();
        await using var observer = new ZooKeeperMembership(observerClient, basePath);
        using var watch = await MemberWatch.StartAsync(observer, "ticket-office");
        Assert.Empty(await observer.GetMembersAsync("ticket-office", Ct));

        await using var host = await TestHost.StartAsync(Server, basePath, "ticket-office", "a", o => o.Metadata["zone"] = "eu");
        var member = Assert.Single(await watch.WaitForAsync(members => members.Count == 1));
        Assert.Equal("ticket-office", member.ServiceName);
        Assert.Equal("a", member.InstanceId);
        Assert.Equal([host.Address], member.Endpoints);
        Assert.Equal("eu", member.Metadata["zone"]);
        Assert.Equal("a", host.Services.GetRequiredService<IZooKeeperMembership>().Self?.InstanceId);

        // An ephemeral node of the host's session, in Curator's layout and JSON.
        var node = await observerClient.GetDataAsync(basePath + "/ticket-office/a", Ct);
        Assert.Equal(host.Client.SessionId, node.Stat.EphemeralOwner);
        var json = Encoding.UTF8.GetString(node.Data!);
        Assert.Contains("\"address\":\"127.0.0.1\"", json, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"\"port\":{host.Address.Port}"), json, StringComparison.Ordinal);
        Assert.Contains("\"serviceType\":\"DYNAMIC\"", json, StringComparison.Ordinal);

        await host.StopAsync();
        await watch.WaitForAsync(members => members.Count == 0);
        Assert.Null(await observerClient.ExistsAsync(basePath + "/ticket-office/a", Ct));
        Assert.Null(host.Services.GetRequiredService<IZooKeeperMembership>().Self);
    }

    [Fact]
    public async Task ChangeEventsFollowJoinsAndLeaves()
    {
        var basePath = Server.UniquePath("services-events");
        await using var a = await Server.ConnectAsync();
        await using var b = await Server.ConnectAsync();
        await using var observer = new ZooKeeperMembership(a, basePath);
        await using var other = new ZooKeeperMembership(b, basePath);
        using var watch = await MemberWatch.StartAsync(observer, "api");
        var token = observer.GetChangeToken("api");
        Assert.False(token.HasChanged);

        await observer.RegisterAsync(Member("api", "x", "http://10.0.0.1:80"), Ct);
        await watch.WaitForAsync(members => members.Select(m => m.InstanceId).SequenceEqual(["x"]));
        Assert.True(token.HasChanged);
        await other.RegisterAsync(Member("api", "y", "http://10.0.0.2:80"), Ct);
        await watch.WaitForAsync(members => members.Select(m => m.InstanceId).SequenceEqual(["x", "y"]));
        await observer.UnregisterAsync(Ct);
        await observer.UnregisterAsync(Ct);
        var last = await watch.WaitForAsync(members => members.Select(m => m.InstanceId).SequenceEqual(["y"]));
        Assert.Equal([new Uri("http://10.0.0.2:80")], last[0].Endpoints);
        Assert.True(watch.Events >= 3);

        // Another service's members are another list.
        Assert.Empty(await observer.GetMembersAsync("worker", Ct));
    }

    [Fact]
    public async Task AMemberIsRegisteredAgainAfterItsSessionExpires()
    {
        var basePath = Server.UniquePath("services-expiry");
        await using var observerClient = await Server.ConnectAsync();
        await using var observer = new ZooKeeperMembership(observerClient, basePath);
        using var watch = await MemberWatch.StartAsync(observer, "ticket-office");
        await using var host = await TestHost.StartAsync(Server, basePath, "ticket-office", "a");
        await watch.WaitForAsync(members => members.Count == 1);
        var oldSession = host.Client.SessionId;

        await host.Client.KillSessionAsync(Server.ConnectionString);

        // The old session's node went with it; the discovery creates it again on the new session.
        await Eventually(async () =>
        {
            var stat = await observerClient.ExistsAsync(basePath + "/ticket-office/a", Ct);
            Assert.NotNull(stat);
            Assert.NotEqual(oldSession, stat.Value.EphemeralOwner);
            Assert.Equal(host.Client.SessionId, stat.Value.EphemeralOwner);
        });
        var member = Assert.Single(await watch.WaitForAsync(members => members.Count == 1));
        Assert.Equal([host.Address], member.Endpoints);
    }

    [Fact]
    public async Task AMemberInAnotherProcessLeavesWhenTheProcessDies()
    {
        var basePath = Server.UniquePath("services-process");
        await using var observerClient = await Server.ConnectAsync();
        await using var observer = new ZooKeeperMembership(observerClient, basePath);
        using var watch = await MemberWatch.StartAsync(observer, "ticket-office");

        // kazoo, in a process of its own, registers an instance the way Curator writes it (no payload).
        const string Script = """
            import json, sys, time
            from kazoo.client import KazooClient
            zk = KazooClient(hosts=sys.argv[1], timeout=4.0)
            zk.start()
            instance = {"name": "ticket-office", "id": "py1", "address": "127.0.0.1", "port": 9000, "sslPort": 9443,
                        "payload": None, "registrationTimeUTC": int(time.time() * 1000), "serviceType": "DYNAMIC", "uriSpec": None}
            zk.create(sys.argv[2], json.dumps(instance).encode(), ephemeral=True, makepath=True)
            print("registered", flush=True)
            sys.stdin.read()
            """;
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(Server.ConnectionString);
        start.ArgumentList.Add(basePath + "/ticket-office/py1");
        using var process = Process.Start(start)!;
        // Drained as it comes, so kazoo's logging cannot fill the pipe and block it.
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(Patience, Ct);
            lock (errors)
            {
                Assert.True(line == "registered", "kazoo failed: " + line + errors);
            }

            var member = Assert.Single(await watch.WaitForAsync(members => members.Count == 1));
            Assert.Equal("py1", member.InstanceId);
            Assert.Equal([new Uri("http://127.0.0.1:9000"), new Uri("https://127.0.0.1:9443")], member.Endpoints);

            // Killed, not closed: the server expires the session after its timeout and deletes the node.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct).WaitAsync(Patience, Ct);
            await watch.WaitForAsync(members => members.Count == 0);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task BadNamesAreRefused()
    {
        await using var client = await Server.ConnectAsync();
        await using var membership = new ZooKeeperMembership(client, Server.UniquePath("services-bad"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => membership.RegisterAsync(Member("a/b", "x", "http://h:1"), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => membership.RegisterAsync(Member("api", "..", "http://h:1"), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => membership.GetMembersAsync("", Ct));
        Assert.Throws<ArgumentException>(() => new ZooKeeperMembership(client, "services"));
    }

    internal static ZooKeeperMember Member(string service, string id, params string[] endpoints) =>
        new(service, id, [.. endpoints.Select(e => new Uri(e))], new Dictionary<string, string>(), DateTimeOffset.UtcNow);
}
