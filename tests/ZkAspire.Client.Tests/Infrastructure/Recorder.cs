// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Threading.Channels;

namespace ZkAspire.Client.Tests.Infrastructure;

/// <summary>Collects items from callbacks and lets a test await them, each wait bounded in time.</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class Recorder<T>
{
    /// <summary>How long a test waits for an item before failing.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly Channel<T> _items = Channel.CreateUnbounded<T>();
    private readonly List<T> _all = [];

    /// <summary>Gets a callback that records its argument.</summary>
    public Action<T> Callback => Add;

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
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The item.</returns>
    public async Task<T> NextAsync(TimeSpan? timeout = null)
    {
        try
        {
            return await _items.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Nothing recorded within {timeout ?? DefaultTimeout}; so far: [{string.Join(", ", All)}]");
        }
    }

    /// <summary>Waits for the next item that matches, skipping others.</summary>
    /// <param name="predicate">What to wait for.</param>
    /// <param name="timeout">How long to wait in all.</param>
    /// <returns>The item.</returns>
    public async Task<T> WaitForAsync(Func<T, bool> predicate, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? DefaultTimeout);
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
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No matching item within {timeout ?? DefaultTimeout}; so far: [{string.Join(", ", All)}]");
        }
    }

    /// <summary>Takes the next item if one is there already.</summary>
    /// <param name="item">The item.</param>
    /// <returns><see langword="true"/> if there was one.</returns>
    public bool TryNext(out T item) => _items.Reader.TryRead(out item!);
}
