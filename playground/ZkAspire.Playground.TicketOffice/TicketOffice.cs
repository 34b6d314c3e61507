// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZkAspire.Client;
using ZkAspire.Recipes.Locks;

namespace ZkAspire.Playground.TicketOffice;

/// <summary>The ticket office's options, read from znodes under <c>/ticket-office/options</c> on every request, so a change made with the shell applies at once.</summary>
/// <param name="Price">The price of one ticket (<c>price</c>).</param>
/// <param name="SaleOpen">Whether tickets are sold (<c>sale-open</c>: true or false).</param>
/// <param name="PerUserLimit">How many tickets one user may buy in all (<c>per-user-limit</c>).</param>
internal sealed record TicketOptions(decimal Price, bool SaleOpen, int PerUserLimit);

/// <summary>A sale, or why there was none.</summary>
/// <param name="Sold">Tickets sold by this request.</param>
/// <param name="Remaining">Tickets left after it.</param>
/// <param name="Total">What the buyer paid.</param>
/// <param name="Refused">Why nothing was sold, or <see langword="null"/>.</param>
internal sealed record Purchase(int Sold, int Remaining, decimal Total, string? Refused);

/// <summary>
/// Sells tickets kept in ZooKeeper. The stock is <c>/ticket-office/stock</c>; each user's count is
/// <c>/ticket-office/buyers/{user}</c>. A sale holds the lock <c>/ticket-office/locks/sales</c>
/// (a Curator <c>InterProcessMutex</c>) and writes in a transaction guarded by it, so concurrent
/// buyers on any number of instances never oversell, even when a holder loses its session.
/// </summary>
internal sealed class TicketOffice(ZooKeeperClient client, ILogger<TicketOffice> logger)
{
    /// <summary>The root of the ticket office's znodes.</summary>
    public const string Root = "/ticket-office";

    /// <summary>The ActivitySource of the sales, named after the application so ServiceDefaults exports it.</summary>
    public static readonly ActivitySource ActivitySource = new("ZkAspire.Playground.TicketOffice");

    private const string OptionsPath = Root + "/options";
    private const string StockPath = Root + "/stock";
    private const string BuyersPath = Root + "/buyers";
    private const string SalesLockPath = Root + "/locks/sales";
    private const int InitialStock = 100;

    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    /// <summary>Creates the znodes with their defaults where they do not exist yet; an existing value (another instance's, or one set with the shell) is kept.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await CreateIfMissingAsync(OptionsPath + "/price", "25", cancellationToken);
        await CreateIfMissingAsync(OptionsPath + "/sale-open", "true", cancellationToken);
        await CreateIfMissingAsync(OptionsPath + "/per-user-limit", "4", cancellationToken);
        await CreateIfMissingAsync(StockPath, InitialStock.ToString(CultureInfo.InvariantCulture), cancellationToken);
        await CreateIfMissingAsync(BuyersPath, string.Empty, cancellationToken);
    }

    /// <summary>Reads the options from their znodes.</summary>
    public async Task<TicketOptions> GetOptionsAsync(CancellationToken cancellationToken)
    {
        var price = decimal.Parse(await ReadAsync(OptionsPath + "/price", cancellationToken), CultureInfo.InvariantCulture);
        var open = bool.Parse(await ReadAsync(OptionsPath + "/sale-open", cancellationToken));
        var limit = int.Parse(await ReadAsync(OptionsPath + "/per-user-limit", cancellationToken), CultureInfo.InvariantCulture);
        return new TicketOptions(price, open, limit);
    }

    /// <summary>The tickets left.</summary>
    public async Task<int> GetRemainingAsync(CancellationToken cancellationToken) =>
        int.Parse(await ReadAsync(StockPath, cancellationToken), CultureInfo.InvariantCulture);

    /// <summary>Sells <paramref name="count"/> tickets to <paramref name="user"/>, or says why not.</summary>
    public async Task<Purchase> BuyAsync(string user, int count, CancellationToken cancellationToken)
    {
        using var activity = ActivitySource.StartActivity("ticket-office buy");
        activity?.SetTag("ticket_office.user", user);
        activity?.SetTag("ticket_office.count", count);

        var mutex = new InterProcessMutex(client, SalesLockPath);
        await using var handle = await mutex.TryAcquireAsync(LockWait, cancellationToken)
            ?? throw new TimeoutException($"The sales lock was not acquired within {LockWait.TotalSeconds} s.");

        var options = await GetOptionsAsync(cancellationToken);
        var stock = await client.GetDataAsync(StockPath, cancellationToken);
        var remaining = int.Parse(Encoding.UTF8.GetString(stock.Data ?? []), CultureInfo.InvariantCulture);
        var buyerPath = BuyersPath + "/" + user;
        var bought = await client.ExistsAsync(buyerPath, cancellationToken) is null ? (NodeData?)null : await client.GetDataAsync(buyerPath, cancellationToken);
        var alreadyBought = bought is null ? 0 : int.Parse(Encoding.UTF8.GetString(bought.Data ?? []), CultureInfo.InvariantCulture);

        var refused = !options.SaleOpen ? "The sale is closed."
            : alreadyBought + count > options.PerUserLimit ? $"{user} has {alreadyBought} tickets; the limit is {options.PerUserLimit} per user."
            : count > remaining ? $"Only {remaining} tickets are left."
            : null;
        if (refused is not null)
        {
            activity?.SetTag("ticket_office.refused", refused);
            return new Purchase(0, remaining, 0, refused);
        }

        // The versions make the writes fail if anything changed them behind the lock, and the
        // guarded transaction fails if the lock was lost meanwhile (recipes: ILockHandle).
        var transaction = handle.CreateGuardedTransaction()
            .SetData(StockPath, Encode(remaining - count), stock.Stat.Version);
        transaction = bought is null
            ? transaction.Create(buyerPath, Encode(count))
            : transaction.SetData(buyerPath, Encode(alreadyBought + count), bought.Stat.Version);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("Sold {Count} tickets to {User}; {Remaining} left", count, user, remaining - count);
        return new Purchase(count, remaining - count, count * options.Price, null);
    }

    private async Task CreateIfMissingAsync(string path, string value, CancellationToken cancellationToken)
    {
        try
        {
            await client.CreateAsync(path, Encoding.UTF8.GetBytes(value), CreateOptions.Persistent with { Parents = ParentCreation.Persistent }, cancellationToken);
        }
        catch (NodeExistsException)
        {
        }
    }

    private async Task<string> ReadAsync(string path, CancellationToken cancellationToken) =>
        Encoding.UTF8.GetString((await client.GetDataAsync(path, cancellationToken)).Data ?? []).Trim();

    private static byte[] Encode(int value) => Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
