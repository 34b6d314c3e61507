// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Client;
using ZkAspire.Recipes.Locks;
using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

namespace ZkAspire.Recipes.Tests.Infrastructure;

/// <summary>
/// The classic ticket sale: sellers in several sessions (and processes) sell <c>total</c> tickets
/// under one mutex. Each sale is a check-then-act that is only correct under mutual exclusion:
/// read the counter, create the ticket node, write the counter back. The ticket node records the
/// seller and its fencing token.
/// </summary>
/// <remarks>
/// The writes go through the handle's guarded transaction, so a holder whose lock node is gone
/// cannot write; a holder that noticed the loss (HandleLost) does not even try. The checks: every
/// ticket exists exactly once (a second create of a ticket fails with NodeExists, counted as a
/// double sale), the counter equals the total, fencing tokens never go down from one ticket to the
/// next, and — in this process — no seller entered the critical section while another one that
/// still believed it held the lock was inside.
/// </remarks>
/// <param name="root">The sale's path.</param>
/// <param name="total">How many tickets.</param>
public sealed class TicketSale(string root, int total)
{
    private readonly Lock _gate = new();
    private readonly List<ILockHandle> _inside = [];
    private int _doubles;
    private int _overlaps;
    private int _sold;

    /// <summary>Gets the mutex path.</summary>
    public string LockPath => root + "/lock";

    /// <summary>Gets the counter node.</summary>
    public string CounterPath => root + "/counter";

    /// <summary>Gets the parent of the ticket nodes.</summary>
    public string TicketsPath => root + "/tickets";

    /// <summary>Gets how many tickets the .NET sellers sold.</summary>
    public int Sold => Volatile.Read(ref _sold);

    /// <summary>Gets how many tickets were found already sold when a .NET seller sold them.</summary>
    public int Doubles => Volatile.Read(ref _doubles);

    /// <summary>Gets how many times a .NET seller entered while another believer was inside.</summary>
    public int Overlaps => Volatile.Read(ref _overlaps);

    /// <summary>Creates the counter and the tickets' parent.</summary>
    /// <param name="client">A client.</param>
    /// <returns>A task.</returns>
    public async Task SetUpAsync(ZooKeeperClient client)
    {
        await client.CreateAsync(root, [], cancellationToken: Ct);
        await client.CreateAsync(CounterPath, Bytes("0"), cancellationToken: Ct);
        await client.CreateAsync(TicketsPath, [], cancellationToken: Ct);
    }

    /// <summary>One seller: sells until the tickets are gone; rides out connection and session failures.</summary>
    /// <param name="client">The seller's client.</param>
    /// <param name="mutex">The mutex (shared by the sellers of a session).</param>
    /// <param name="seller">The seller's name.</param>
    /// <returns>A task that completes when no ticket is left.</returns>
    public async Task SellAsync(ZooKeeperClient client, IInterProcessLock mutex, string seller)
    {
        while (true)
        {
            ILockHandle handle;
            try
            {
                handle = await mutex.AcquireAsync(Ct);
            }
            catch (Exception e) when (IsFault(e))
            {
                continue;
            }

            await using (handle)
            {
                Enter(handle);
                try
                {
                    var counter = await client.GetDataAsync(CounterPath, Ct);
                    var next = int.Parse(Text(counter.Data), CultureInfo.InvariantCulture);
                    if (next >= total)
                    {
                        return;
                    }

                    if (handle.HandleLost.IsCancellationRequested)
                    {
                        continue;
                    }

                    var ticket = TicketsPath + "/" + next.ToString("D5", CultureInfo.InvariantCulture);
                    await handle.CreateGuardedTransaction()
                        .Create(ticket, Bytes(seller + "|" + handle.FencingToken.ToString(CultureInfo.InvariantCulture)))
                        .SetData(CounterPath, Bytes((next + 1).ToString(CultureInfo.InvariantCulture)))
                        .CommitAsync(Ct);
                    Interlocked.Increment(ref _sold);
                }
                catch (NodeExistsException)
                {
                    Interlocked.Increment(ref _doubles);
                }
                catch (Exception e) when (e is NoNodeException || IsFault(e))
                {
                    // The lock was lost before the write (the check failed), or the connection broke:
                    // the next round reads the counter again.
                }
                finally
                {
                    Leave(handle);
                }
            }
        }
    }

    /// <summary>Checks the outcome.</summary>
    /// <param name="client">A client.</param>
    /// <param name="otherSold">Tickets sold by sellers outside this process.</param>
    /// <param name="faults">
    /// Whether faults were injected: then a seller may not know that its sale went through (the
    /// reply was lost with the connection), so its own tally may fall short.
    /// </param>
    /// <returns>A task.</returns>
    public async Task VerifyAsync(ZooKeeperClient client, int otherSold = 0, bool faults = false)
    {
        Assert.Equal(0, Doubles);
        Assert.Equal(total.ToString(CultureInfo.InvariantCulture), Text((await client.GetDataAsync(CounterPath, Ct)).Data));
        var tickets = await client.ChildrenAsync(TicketsPath);
        Assert.Equal(Enumerable.Range(0, total).Select(i => i.ToString("D5", CultureInfo.InvariantCulture)), tickets);
        if (faults)
        {
            Assert.InRange(Sold + otherSold, 0, total);
        }
        else
        {
            Assert.Equal(total, Sold + otherSold);
        }

        var tokens = new List<long>();
        foreach (var ticket in tickets)
        {
            var parts = Text((await client.GetDataAsync(TicketsPath + "/" + ticket, Ct)).Data).Split('|');
            if (parts.Length == 2)
            {
                tokens.Add(long.Parse(parts[1], CultureInfo.InvariantCulture));
            }
        }

        Assert.Equal(tokens.Order(), tokens);
    }

    private static bool IsFault(Exception e) =>
        e is ConnectionLossException or SessionExpiredException or OperationTimeoutException or SessionMovedException;

    private void Enter(ILockHandle handle)
    {
        lock (_gate)
        {
            if (_inside.Any(other => !other.HandleLost.IsCancellationRequested) && !handle.HandleLost.IsCancellationRequested)
            {
                _overlaps++;
            }

            _inside.Add(handle);
        }
    }

    private void Leave(ILockHandle handle)
    {
        lock (_gate)
        {
            _inside.Remove(handle);
        }
    }
}
