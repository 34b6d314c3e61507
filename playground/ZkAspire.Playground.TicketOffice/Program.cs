// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Playground.TicketOffice;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddOpenTelemetry().WithTracing(t => t.AddSource(TicketOffice.ActivitySource.Name));

// The AppHost gives the ensemble's connect string as ConnectionStrings:zk (WithReference(zk)).
// The generic-host integration (AddZooKeeperClient) will replace these lines.
var connectionString = builder.Configuration.GetConnectionString("zk")
    ?? throw new InvalidOperationException("ConnectionStrings:zk is not set: run the ticket office from the playground AppHost, or set it to a ZooKeeper connect string.");
var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = connectionString, SessionTimeout = TimeSpan.FromSeconds(10) });
builder.Services.AddSingleton(client);
builder.Services.AddSingleton<TicketOffice>();

var app = builder.Build();
app.MapDefaultEndpoints();

await client.ConnectAsync(app.Lifetime.ApplicationStopping);
await app.Services.GetRequiredService<TicketOffice>().InitializeAsync(app.Lifetime.ApplicationStopping);

app.MapGet("/", async (TicketOffice office, CancellationToken ct) => Results.Ok(new
{
    options = await office.GetOptionsAsync(ct),
    remaining = await office.GetRemainingAsync(ct),
    server = client.Server?.ToString(),
}));

app.MapPost("/buy", async (string user, int? count, TicketOffice office, CancellationToken ct) =>
{
    if (string.IsNullOrWhiteSpace(user) || user.Contains('/', StringComparison.Ordinal) || user is "." or "..")
    {
        return Results.BadRequest(new { error = "user must be a name without '/'." });
    }

    if (count is < 1 or > 100)
    {
        return Results.BadRequest(new { error = "count must be from 1 to 100." });
    }

    var purchase = await office.BuyAsync(user, count ?? 1, ct);
    return purchase.Refused is null ? Results.Ok(purchase) : Results.Conflict(purchase);
});

app.Run();
