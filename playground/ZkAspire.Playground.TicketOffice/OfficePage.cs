// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;

namespace ZkAspire.Playground.TicketOffice;

/// <summary>What an instance shows of itself: <c>GET /status</c> as JSON, <c>GET /</c> as a page.</summary>
/// <param name="Instance">This instance's id (its membership registration).</param>
/// <param name="Options">The options now in force (live configuration from the option znodes).</param>
/// <param name="Remaining">The tickets left.</param>
/// <param name="Server">The ZooKeeper server the client talks to, as <c>host:port</c>.</param>
/// <param name="Members">The members of <c>ticket-office</c>.</param>
internal sealed record OfficeStatus(string? Instance, TicketOfficeOptions Options, int Remaining, string? Server, IReadOnlyList<MemberStatus> Members)
{
    /// <summary>Reads the status now.</summary>
    public static async Task<OfficeStatus> ReadAsync(TicketOffice office, ZkAspire.Client.ZooKeeperClient client, ZkAspire.Extensions.ServiceDiscovery.IZooKeeperMembership membership, string serviceName, CancellationToken cancellationToken) => new(
        membership.Self?.InstanceId,
        office.Options,
        await office.GetRemainingAsync(cancellationToken),
        client.Server is { } server ? HostAndPort(server) : null,
        [.. (await membership.GetMembersAsync(serviceName, cancellationToken)).Select(m => new MemberStatus(m.InstanceId, m.Endpoints))]);

    // DnsEndPoint.ToString() says "Unspecified/127.0.0.1:2181"; a person reads host:port.
    private static string HostAndPort(DnsEndPoint server) => server.Host.Contains(':', StringComparison.Ordinal)
        ? string.Create(CultureInfo.InvariantCulture, $"[{server.Host}]:{server.Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{server.Host}:{server.Port}");
}

/// <summary>A member of <c>ticket-office</c>.</summary>
/// <param name="Id">Its instance id.</param>
/// <param name="Endpoints">Where it listens.</param>
internal sealed record MemberStatus(string Id, IReadOnlyList<Uri> Endpoints);

/// <summary>
/// The ticket office's page for a person: the options, the tickets left, the members and a form
/// that buys. Server-rendered HTML with no script; every value is HTML-encoded, since user names
/// and member endpoints come from outside.
/// </summary>
internal static class OfficePage
{
    private const string Head = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Ticket office</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 48rem; }
        th { text-align: left; padding-right: 1.5rem; font-weight: normal; color: #555; }
        td { padding-right: 1.5rem; }
        .sold { color: #0a6b0a; } .refused { color: #a01010; }
        </style>
        </head>
        <body>
        <h1>Ticket office</h1>
        """;

    /// <summary>Renders the page.</summary>
    /// <param name="status">What to show.</param>
    /// <param name="purchase">The result of the buy that was just made, if any.</param>
    /// <param name="user">The name to fill in the form.</param>
    /// <returns>The page's HTML.</returns>
    public static string Render(OfficeStatus status, Purchase? purchase, string? user)
    {
        var e = HtmlEncoder.Default;
        var o = status.Options;
        var html = new StringBuilder();
        html.Append(Head).Append('\n');
        html.Append(CultureInfo.InvariantCulture, $"""<p>Instance <code id="instance">{e.Encode(status.Instance ?? "(not registered)")}</code>, talking to ZooKeeper at <code id="server">{e.Encode(status.Server ?? "(not connected)")}</code>.</p>""").Append('\n');

        if (purchase is not null)
        {
            var text = purchase.Refused is { } refused
                ? $"Nothing sold to {user}: {refused}"
                : string.Create(CultureInfo.InvariantCulture, $"Sold {purchase.Sold} to {user} for {purchase.Total}; {purchase.Remaining} left.");
            html.Append(CultureInfo.InvariantCulture, $"""<p id="purchase" class="{(purchase.Refused is null ? "sold" : "refused")}">{e.Encode(text)}</p>""").Append('\n');
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            <h2>Tickets</h2>
            <table>
            <tr><th>Tickets left</th><td id="remaining">{status.Remaining}</td></tr>
            <tr><th>Price</th><td id="price">{o.Price}</td></tr>
            <tr><th>Sale open</th><td id="sale-open">{(o.SaleOpen ? "yes" : "no")}</td></tr>
            <tr><th>Per-user limit</th><td id="per-user-limit">{o.PerUserLimit}</td></tr>
            </table>
            <form method="post" action="/">
            <label>Name <input name="user" required value="{e.Encode(user ?? string.Empty)}"></label>
            <label>Tickets <input name="count" type="number" min="1" max="100" value="1"></label>
            <button type="submit">Buy</button>
            </form>
            <h2>Members of ticket-office</h2>
            <table id="members">
            """);
        foreach (var member in status.Members)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr class="member"><td class="member-id">{e.Encode(member.Id)}</td><td>""");
            foreach (var endpoint in member.Endpoints)
            {
                var url = e.Encode(endpoint.AbsoluteUri);
                html.Append(CultureInfo.InvariantCulture, $"""<a class="member-endpoint" href="{url}">{url}</a> """);
            }

            html.Append("</td></tr>\n");
        }

        html.Append("""
            </table>
            <p>For programs: <a href="/status">/status</a> (JSON), <code>POST /buy?user=…&amp;count=…</code>.</p>
            </body>
            </html>
            """);
        return html.ToString();
    }
}
