// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;
using System.Diagnostics;
using ZkAspire.Client;
using ZkAspire.Recipes.Internal;
using ZkAspire.Recipes.Locks;

namespace ZkAspire.Recipes.Atomic;

/// <summary>
/// A 64-bit counter updated by compare-and-set (Curator's <c>DistributedAtomicLong</c>, with its
/// format: 8 big-endian bytes; a missing or empty node reads as 0). Each change reads the node,
/// computes, and writes with the version it read; when another writer won, it tries again under
/// the retry policy, then — with <see cref="PromotedToLock"/> — once more holding a mutex.
/// </summary>
/// <remarks>
/// A change whose reply is lost with the connection fails with <see cref="ConnectionLossException"/>
/// (<see cref="ConnectionLossException.RequestSent"/> true) and is not tried again: it may have been
/// applied, and trying again could apply it twice. Curator retries it; we let the caller decide.
/// </remarks>
public sealed class DistributedAtomicLong
{
    private readonly ZooKeeperClient _client;
    private readonly IRetryPolicy _retryPolicy;
    private readonly PromotedToLock? _promotedToLock;
    private readonly InterProcessMutex? _mutex;

    /// <summary>Creates a counter.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The counter's node.</param>
    /// <param name="retryPolicy">How often to try again when another writer won; 10 quick tries by default.</param>
    /// <param name="promotedToLock">Whether to try under a mutex when the optimistic tries fail.</param>
    public DistributedAtomicLong(ZooKeeperClient client, string path, IRetryPolicy? retryPolicy = null, PromotedToLock? promotedToLock = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        Path = RecipePaths.Validate(path, nameof(path));
        _retryPolicy = retryPolicy ?? new RetryNTimes(10, TimeSpan.FromMilliseconds(10));
        _promotedToLock = promotedToLock;
        _mutex = promotedToLock is null ? null : new InterProcessMutex(client, promotedToLock.Path);
    }

    /// <summary>Gets the counter's node.</summary>
    public string Path { get; }

    /// <summary>Reads the value.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The value (pre and post are the same).</returns>
    public async Task<AtomicValue<long>> GetAsync(CancellationToken cancellationToken = default)
    {
        var (value, _) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        return new AtomicValue<long>(true, value, value, new AtomicStats(0, 0, TimeSpan.Zero, TimeSpan.Zero));
    }

    /// <summary>Adds one.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The outcome; check <see cref="AtomicValue{T}.Succeeded"/>.</returns>
    public Task<AtomicValue<long>> IncrementAsync(CancellationToken cancellationToken = default) => AddAsync(1, cancellationToken);

    /// <summary>Subtracts one.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The outcome.</returns>
    public Task<AtomicValue<long>> DecrementAsync(CancellationToken cancellationToken = default) => AddAsync(-1, cancellationToken);

    /// <summary>Adds a delta (wrapping on overflow, as Java's long arithmetic).</summary>
    /// <param name="delta">The delta.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The outcome.</returns>
    public Task<AtomicValue<long>> AddAsync(long delta, CancellationToken cancellationToken = default) =>
        TrySetAsync(previous => unchecked(previous + delta), cancellationToken);

    /// <summary>Subtracts a delta.</summary>
    /// <param name="delta">The delta.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The outcome.</returns>
    public Task<AtomicValue<long>> SubtractAsync(long delta, CancellationToken cancellationToken = default) =>
        TrySetAsync(previous => unchecked(previous - delta), cancellationToken);

    /// <summary>Sets the value whatever it is (tried like any other change).</summary>
    /// <param name="value">The new value.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The outcome.</returns>
    public Task<AtomicValue<long>> TrySetAsync(long value, CancellationToken cancellationToken = default) =>
        TrySetAsync(_ => value, cancellationToken);

    /// <summary>Sets the value if it equals <paramref name="expected"/>, once, without retries (Curator's <c>compareAndSet</c>).</summary>
    /// <param name="expected">The value it must have.</param>
    /// <param name="value">The new value.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The outcome: succeeded, and the value seen before.</returns>
    public async Task<AtomicValue<long>> CompareAndSetAsync(long expected, long value, CancellationToken cancellationToken = default)
    {
        var (current, version) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var stats = new AtomicStats(1, 0, TimeSpan.Zero, TimeSpan.Zero);
        if (version is null || current != expected)
        {
            return new AtomicValue<long>(false, current, current, stats);
        }

        try
        {
            await _client.SetDataAsync(Path, ToBytes(value), version.Value, cancellationToken).ConfigureAwait(false);
            return new AtomicValue<long>(true, current, value, stats);
        }
        catch (Exception e) when (e is BadVersionException or NoNodeException)
        {
            return new AtomicValue<long>(false, current, current, stats);
        }
    }

    /// <summary>Sets the value unconditionally (Curator's <c>forceSet</c>), creating the node when missing.</summary>
    /// <param name="value">The new value.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when written.</returns>
    public async Task ForceSetAsync(long value, CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.SetDataAsync(Path, ToBytes(value), -1, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            try
            {
                await _client.CreateAsync(Path, ToBytes(value), new CreateOptions { Parents = ParentCreation.Container }, cancellationToken).ConfigureAwait(false);
            }
            catch (NodeExistsException)
            {
                await _client.SetDataAsync(Path, ToBytes(value), -1, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Creates the node with a value if it does not exist (Curator's <c>initialize</c>).</summary>
    /// <param name="value">The initial value.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="true"/> if this call created it.</returns>
    public async Task<bool> InitializeAsync(long value, CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.CreateAsync(Path, ToBytes(value), new CreateOptions { Parents = ParentCreation.Container }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NodeExistsException)
        {
            return false;
        }
    }

    private static byte[] ToBytes(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private async Task<(long Value, int? Version)> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var node = await _client.GetDataAsync(Path, cancellationToken).ConfigureAwait(false);
            return (node.Data is null || node.Data.Length == 0 ? 0 : node.Data.Length == 8
                ? BinaryPrimitives.ReadInt64BigEndian(node.Data)
                : throw new FormatException($"The node {Path} holds {node.Data.Length} bytes, not the 8 of a long."), node.Stat.Version);
        }
        catch (NoNodeException)
        {
            return (0, null);
        }
    }

    /// <summary>Curator's <c>trySet(MakeValue)</c>: optimistic tries, then tries under the mutex.</summary>
    private async Task<AtomicValue<long>> TrySetAsync(Func<long, long> makeValue, CancellationToken cancellationToken)
    {
        var optimistic = Stopwatch.StartNew();
        var optimisticTries = 0;
        for (var retry = 0; ; retry++)
        {
            optimisticTries++;
            if (await TryOnceAsync(makeValue, cancellationToken).ConfigureAwait(false) is { } done)
            {
                return new AtomicValue<long>(true, done.Pre, done.Post, new AtomicStats(optimisticTries, 0, optimistic.Elapsed, TimeSpan.Zero));
            }

            if (!_retryPolicy.AllowRetry(retry, optimistic.Elapsed, out var delay))
            {
                break;
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }

        var optimisticTime = optimistic.Elapsed;
        var (last, _) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (_mutex is null || _promotedToLock is null)
        {
            return new AtomicValue<long>(false, last, last, new AtomicStats(optimisticTries, 0, optimisticTime, TimeSpan.Zero));
        }

        var promoted = Stopwatch.StartNew();
        var promotedTries = 0;
        var handle = await _mutex.TryAcquireAsync(_promotedToLock.MaxLockTime, cancellationToken).ConfigureAwait(false);
        if (handle is not null)
        {
            try
            {
                for (var retry = 0; ; retry++)
                {
                    promotedTries++;
                    if (await TryOnceAsync(makeValue, cancellationToken).ConfigureAwait(false) is { } done)
                    {
                        return new AtomicValue<long>(true, done.Pre, done.Post, new AtomicStats(optimisticTries, promotedTries, optimisticTime, promoted.Elapsed));
                    }

                    if (!_promotedToLock.RetryPolicy.AllowRetry(retry, promoted.Elapsed, out var delay))
                    {
                        break;
                    }

                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await handle.DisposeAsync().ConfigureAwait(false);
            }
        }

        return new AtomicValue<long>(false, last, last, new AtomicStats(optimisticTries, promotedTries, optimisticTime, promoted.Elapsed));
    }

    /// <summary>One compare-and-set: read, compute, write with the version read (or create when missing).</summary>
    /// <returns>The values before and after, or <see langword="null"/> when another writer won.</returns>
    private async Task<(long Pre, long Post)?> TryOnceAsync(Func<long, long> makeValue, CancellationToken cancellationToken)
    {
        var (pre, version) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var post = makeValue(pre);
        try
        {
            if (version is null)
            {
                await _client.CreateAsync(Path, ToBytes(post), new CreateOptions { Parents = ParentCreation.Container }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _client.SetDataAsync(Path, ToBytes(post), version.Value, cancellationToken).ConfigureAwait(false);
            }

            return (pre, post);
        }
        catch (Exception e) when (e is NodeExistsException or BadVersionException or NoNodeException)
        {
            return null;
        }
    }
}

/// <summary>The outcome of a change of a distributed atomic value (Curator's <c>AtomicValue</c>).</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <param name="Succeeded">Whether the change was made; when not, nothing was written.</param>
/// <param name="PreValue">The value before the change (as last read when it failed).</param>
/// <param name="PostValue">The value after the change (the pre-value when it failed).</param>
/// <param name="Stats">How many tries it took.</param>
public sealed record AtomicValue<T>(bool Succeeded, T PreValue, T PostValue, AtomicStats Stats);

/// <summary>How a change of a distributed atomic value went (Curator's <c>AtomicStats</c>).</summary>
/// <param name="OptimisticTries">The compare-and-set tries without the mutex.</param>
/// <param name="PromotedLockTries">The tries under the mutex.</param>
/// <param name="OptimisticTime">The time spent on optimistic tries.</param>
/// <param name="PromotedTime">The time spent under the mutex.</param>
public sealed record AtomicStats(int OptimisticTries, int PromotedLockTries, TimeSpan OptimisticTime, TimeSpan PromotedTime);

/// <summary>Trying a change under a mutex once the optimistic tries failed (Curator's <c>PromotedToLock</c>).</summary>
/// <param name="Path">The mutex's path.</param>
/// <param name="MaxLockTime">How long to wait for the mutex.</param>
/// <param name="RetryPolicy">How often to try under the mutex.</param>
public sealed record PromotedToLock(string Path, TimeSpan MaxLockTime, IRetryPolicy RetryPolicy);
