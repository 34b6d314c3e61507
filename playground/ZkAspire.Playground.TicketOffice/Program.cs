// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.AspNetCore.Mvc;
using ZkAspire.Client;
using ZkAspire.Extensions.ServiceDiscovery;
using ZkAspire.Playground.TicketOffice;

const string ServiceName = "ticket-office";

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddOpenTelemetry().WithTracing(t => t.AddSource(TicketOffice.ActivitySource.Name));

// The AppHost gives the ensemble's connect string as ConnectionStrings:zk (WithReference(zk)).
var connectionString = builder.Configuration.GetConnectionString("zk")
    ?? throw new InvalidOperationException("ConnectionStrings:zk is not set: run the ticket office from the playground AppHost, or set it to a ZooKeeper connect string.");

// Options: the znodes under /ticket-office/options as live configuration keys (price, sale-open,
// per-user-limit). The configuration is built before the service provider exists, so the
// provider gets a client of its own; this one first seeds the defaults, since a required source
// refuses a missing root. It is disposed after the application (declared before it).
await using var configurationClient = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = connectionString, SessionTimeout = TimeSpan.FromSeconds(10) });
using (var seeding = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
{
    await configurationClient.ConnectAsync(seeding.Token);
    await TicketOffice.SeedOptionsAsync(configurationClient, seeding.Token);
}

builder.Configuration.AddZooKeeper(configurationClient, TicketOffice.OptionsPath);
builder.Services.Configure<TicketOfficeOptions>(builder.Configuration);

// The client for everything else: health check, traces and metrics (docs/integrations.md). A
// short session timeout, so an instance that dies leaves the members list within seconds.
// PropagateTraceContext: the replicas' request spans join the caller's trace, so a buy shows
// HTTP request -> lock -> ZooKeeper requests -> server handling as one trace (docs/telemetry.md).
builder.AddZooKeeperClient("zk", s => s.SessionTimeout = TimeSpan.FromSeconds(10), o => o.PropagateTraceContext = true);

// Sales under DistributedLock.Core's IDistributedLockProvider: /ticket-office/locks/{name}.
builder.Services.AddZooKeeperDistributedLocks(o => o.BasePath = TicketOffice.LocksPath);

// Each instance is a member of ticket-office while it runs (/services/ticket-office/{id}), and
// http://ticket-office resolves to the members.
builder.Services.AddZooKeeperMembership(o => o.ServiceName = ServiceName);
builder.Services.AddZooKeeperServiceEndpointProvider();
builder.Services.AddHttpClient("peers", c => c.BaseAddress = new Uri("http://" + ServiceName));

builder.Services.AddSingleton<TicketOffice>();

await using var app = builder.Build();
app.MapDefaultEndpoints();

await app.Services.GetRequiredService<TicketOffice>().InitializeAsync(app.Lifetime.ApplicationStopping);

// For a person: the options, the tickets left, the members and a form that buys (OfficePage).
app.MapGet("/", async (TicketOffice office, ZooKeeperClient client, IZooKeeperMembership membership, CancellationToken ct) =>
    Results.Content(OfficePage.Render(await OfficeStatus.ReadAsync(office, client, membership, ServiceName, ct), purchase: null, user: null), "text/html; charset=utf-8"));

// The page's Buy button: a form post, answered with the page and the sale's result. No antiforgery
// token: the ticket office has no login or cookie that a cross-site post could ride on, and POST
// /buy already sells to any caller; a token would also need a key ring shared by the instances
// behind the one address.
app.MapPost("/", async ([FromForm] string? user, [FromForm] int? count, TicketOffice office, ZooKeeperClient client, IZooKeeperMembership membership, CancellationToken ct) =>
{
    var error = ValidateBuy(user, count);
    var purchase = error is null ? await office.BuyAsync(user!, count ?? 1, ct) : new Purchase(0, 0, 0, error);
    var status = await OfficeStatus.ReadAsync(office, client, membership, ServiceName, ct);
    return Results.Content(OfficePage.Render(status, purchase, user), "text/html; charset=utf-8", statusCode: purchase.Refused is null ? 200 : error is null ? 409 : 400);
}).DisableAntiforgery();

// For programs: the same as JSON.
app.MapGet("/status", async (TicketOffice office, ZooKeeperClient client, IZooKeeperMembership membership, CancellationToken ct) =>
    Results.Ok(await OfficeStatus.ReadAsync(office, client, membership, ServiceName, ct)));

app.MapGet("/instance", (IZooKeeperMembership membership) => Results.Ok(new { instance = membership.Self?.InstanceId }));

// Asks one member, chosen by service discovery over the membership (possibly this one), who it is.
app.MapGet("/peer", async (IHttpClientFactory factory, IZooKeeperMembership membership, CancellationToken ct) =>
{
    using var http = factory.CreateClient("peers");
    var answer = await http.GetFromJsonAsync<InstanceView>("/instance", ct);
    return Results.Ok(new { asked = membership.Self?.InstanceId, answered = answer?.Instance });
});

app.MapPost("/buy", async (string user, int? count, TicketOffice office, CancellationToken ct) =>
{
    if (ValidateBuy(user, count) is { } error)
    {
        return Results.BadRequest(new { error });
    }

    var purchase = await office.BuyAsync(user, count ?? 1, ct);
    return purchase.Refused is null ? Results.Ok(purchase) : Results.Conflict(purchase);
});

await app.RunAsync();

// Why a buy request is refused before it reaches the lock: the user names a znode under /ticket-office/buyers.
static string? ValidateBuy(string? user, int? count) =>
    string.IsNullOrWhiteSpace(user) || user.Contains('/', StringComparison.Ordinal) || user is "." or ".." ? "user must be a name without '/'."
    : count is < 1 or > 100 ? "count must be from 1 to 100."
    : null;

/// <summary>A member's answer to <c>GET /instance</c>.</summary>
/// <param name="Instance">Its instance id.</param>
internal sealed record InstanceView(string? Instance);
