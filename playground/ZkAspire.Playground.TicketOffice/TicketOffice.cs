// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Medallion.Threading;
using Microsoft.Extensions.Options;
using ZkAspire.Client;
using ZkAspire.Extensions.DistributedLock;

namespace ZkAspire.Playground.TicketOffice;

/// <summary>
/// The ticket office's options: configuration keys from the znodes under
/// <c>/ticket-office/options</c> (the ZooKeeper configuration provider), read through
/// <see cref="IOptionsMonitor{TOptions}"/>, so a change made with the shell applies within
/// milliseconds, without a restart.
/// </summary>
internal sealed class TicketOfficeOptions
{
    /// <summary>Gets or sets the price of one ticket (<c>price</c>).</summary>
    [ConfigurationKeyName("price")]
    public decimal Price { get; set; }

    /// <summary>Gets or sets a value indicating whether tickets are sold (<c>sale-open</c>: true or false).</summary>
    [ConfigurationKeyName("sale-open")]
    public bool SaleOpen { get; set; }

    /// <summary>Gets or sets how many tickets one user may buy in all (<c>per-user-limit</c>).</summary>
    [ConfigurationKeyName("per-user-limit")]
    public int PerUserLimit { get; set; }
}

/// <summary>A sale, or why there was none.</summary>
/// <param name="Sold">Tickets sold by this request.</param>
/// <param name="Remaining">Tickets left after it.</param>
/// <param name="Total">What the buyer paid.</param>
/// <param name="Refused">Why nothing was sold, or <see langword="null"/>.</param>
internal sealed record Purchase(int Sold, int Remaining, decimal Total, string? Refused);

/// <summary>
/// Sells tickets kept in ZooKeeper. The stock is <c>/ticket-office/stock</c>; each user's count is
/// <c>/ticket-office/buyers/{user}</c>. A sale holds the DistributedLock.Core lock <c>sales</c>
/// (ZooKeeperDistributedLock: a Curator <c>InterProcessMutex</c> at
/// <c>/ticket-office/locks/sales</c>) and writes in a transaction guarded by its holding node, so
/// concurrent buyers on any number of instances never oversell, even when a holder loses its
/// session while it sells.
/// </summary>
internal sealed class TicketOffice(ZooKeeperClient client, IDistributedLockProvider locks, IOptionsMonitor<TicketOfficeOptions> options, ILogger<TicketOffice> logger)
{
    /// <summary>The root of the ticket office's znodes.</summary>
    public const string Root = "/ticket-office";

    /// <summary>The znode whose children are the options (the configuration provider's root).</summary>
    public const string OptionsPath = Root + "/options";

    /// <summary>The parent of the lock znodes (DistributedLock's base path).</summary>
    public const string LocksPath = Root + "/locks";

    /// <summary>The ActivitySource of the sales.</summary>
    public static readonly ActivitySource ActivitySource = new("ZkAspire.Playground.TicketOffice");

    private const string StockPath = Root + "/stock";
    private const string BuyersPath = Root + "/buyers";
    private const string SalesLockName = "sales";
    private const int InitialStock = 100;

    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Creates the option znodes with their defaults where they do not exist yet; an existing value
    /// (another instance's, or one set with the shell) is kept. Runs before the configuration is
    /// built, since the configuration provider requires its root.
    /// </summary>
    public static async Task SeedOptionsAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        await CreateIfMissingAsync(client, OptionsPath + "/price", "25", cancellationToken);
        await CreateIfMissingAsync(client, OptionsPath + "/sale-open", "true", cancellationToken);
        await CreateIfMissingAsync(client, OptionsPath + "/per-user-limit", "4", cancellationToken);
    }

    /// <summary>Creates the stock and buyers znodes where they do not exist yet.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await CreateIfMissingAsync(client, StockPath, InitialStock.ToString(CultureInfo.InvariantCulture), cancellationToken);
        await CreateIfMissingAsync(client, BuyersPath, string.Empty, cancellationToken);
    }

    /// <summary>Gets the current options (live: the configuration provider reloads them on every change).</summary>
    public TicketOfficeOptions Options => options.CurrentValue;

    /// <summary>The tickets left.</summary>
    public async Task<int> GetRemainingAsync(CancellationToken cancellationToken) =>
        Decode((await client.GetDataAsync(StockPath, cancellationToken)).Data);

    /// <summary>Sells <paramref name="count"/> tickets to <paramref name="user"/>, or says why not.</summary>
    public async Task<Purchase> BuyAsync(string user, int count, CancellationToken cancellationToken)
    {
        using var activity = ActivitySource.StartActivity("ticket-office buy");
        activity?.SetTag("ticket_office.user", user);
        activity?.SetTag("ticket_office.count", count);

        await using var handle = await locks.CreateLock(SalesLockName).TryAcquireAsync(LockWait, cancellationToken)
            ?? throw new TimeoutException($"The sales lock was not acquired within {LockWait.TotalSeconds} s.");
        var hold = (ZooKeeperDistributedLockHandle)handle;
        activity?.SetTag("ticket_office.fencing_token", hold.FencingToken);

        // The options are read once the lock is held, so a sale follows the options of its moment.
        var current = options.CurrentValue;
        var stock = await client.GetDataAsync(StockPath, cancellationToken);
        var remaining = Decode(stock.Data);
        var buyerPath = BuyersPath + "/" + user;
        var bought = await client.ExistsAsync(buyerPath, cancellationToken) is null ? (NodeData?)null : await client.GetDataAsync(buyerPath, cancellationToken);
        var alreadyBought = bought is null ? 0 : Decode(bought.Data);

        var refused = !current.SaleOpen ? "The sale is closed."
            : alreadyBought + count > current.PerUserLimit ? $"{user} has {alreadyBought} tickets; the limit is {current.PerUserLimit} per user."
            : count > remaining ? $"Only {remaining} tickets are left."
            : null;
        if (refused is not null)
        {
            activity?.SetTag("ticket_office.refused", refused);
            return new Purchase(0, remaining, 0, refused);
        }

        // The versions make the writes fail if anything changed them behind the lock, and the
        // guarded transaction (a check of the holding node first) fails if the lock was lost
        // meanwhile: the fencing the lock docs ask for (docs/integrations.md, Fencing token).
        var transaction = hold.CreateGuardedTransaction()
            .SetData(StockPath, Encode(remaining - count), stock.Stat.Version);
        transaction = bought is null
            ? transaction.Create(buyerPath, Encode(count))
            : transaction.SetData(buyerPath, Encode(alreadyBought + count), bought.Stat.Version);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("Sold {Count} tickets to {User}; {Remaining} left", count, user, remaining - count);
        return new Purchase(count, remaining - count, count * current.Price, null);
    }

    private static async Task CreateIfMissingAsync(ZooKeeperClient client, string path, string value, CancellationToken cancellationToken)
    {
        try
        {
            await client.CreateAsync(path, Encoding.UTF8.GetBytes(value), CreateOptions.Persistent with { Parents = ParentCreation.Persistent }, cancellationToken);
        }
        catch (NodeExistsException)
        {
            // Another instance, or an earlier run, made it: its value stands.
        }
    }

    private static int Decode(byte[]? data) => int.Parse(Encoding.UTF8.GetString(data ?? []).Trim(), CultureInfo.InvariantCulture);

    private static byte[] Encode(int value) => Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
