// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Threading.Channels;

namespace ZkAspire.Recipes.Tests.Infrastructure;

/// <summary>Collects what callbacks report and lets a test await it, each wait bounded in time.</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class Recorder<T>
{
    private readonly Channel<T> _items = Channel.CreateUnbounded<T>();
    private readonly List<T> _all = [];

    /// <summary>Gets everything recorded so far.</summary>
    public IReadOnlyList<T> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>Records an item.</summary>
    /// <param name="item">The item.</param>
    public void Add(T item)
    {
        lock (_all)
        {
            _all.Add(item);
        }

        _items.Writer.TryWrite(item);
    }

    /// <summary>Waits for the next item.</summary>
    /// <returns>The item.</returns>
    public async Task<T> NextAsync()
    {
        try
        {
            return await _items.Reader.ReadAsync(TestHelpers.Ct).AsTask().WaitAsync(TestHelpers.Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Nothing recorded within {TestHelpers.Patience}; so far: [{string.Join(", ", All)}]");
        }
    }

    /// <summary>Waits for the next item that matches, skipping others.</summary>
    /// <param name="predicate">What to wait for.</param>
    /// <returns>The item.</returns>
    public async Task<T> WaitForAsync(Func<T, bool> predicate)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestHelpers.Ct);
        cts.CancelAfter(TestHelpers.Patience);
        try
        {
            while (true)
            {
                var item = await _items.Reader.ReadAsync(cts.Token);
                if (predicate(item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException) when (!TestHelpers.Ct.IsCancellationRequested)
        {
            throw new TimeoutException($"No matching item within {TestHelpers.Patience}; so far: [{string.Join(", ", All)}]");
        }
    }

    /// <summary>Takes the next item if one is there already.</summary>
    /// <param name="item">The item.</param>
    /// <returns><see langword="true"/> if there was one.</returns>
    public bool TryNext(out T item) => _items.Reader.TryRead(out item!);
}
