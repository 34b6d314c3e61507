// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>
/// Elements grouped in buckets by expiry time rounded up to the next multiple of an interval
/// (ZooKeeper's <c>ExpiryQueue</c>), so that expiring is a bucket at a time rather than one timer
/// per element: an element refreshed at <c>now</c> with timeout <c>t</c> expires at the first
/// multiple of the interval after <c>now + t</c> (wire-protocol doc §16).
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class ExpiryQueue<T>
    where T : notnull
{
    private readonly Dictionary<T, long> _expiryOf = [];
    private readonly Dictionary<long, HashSet<T>> _buckets = [];
    private readonly PriorityQueue<long, long> _bucketTimes = new();
    private readonly long _intervalMs;

    /// <summary>Creates the queue.</summary>
    /// <param name="intervalMs">The bucket width (tickTime).</param>
    public ExpiryQueue(long intervalMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(intervalMs);
        _intervalMs = intervalMs;
    }

    /// <summary>Gets the number of elements.</summary>
    public int Count => _expiryOf.Count;

    /// <summary>The expiry time of an element.</summary>
    /// <param name="element">The element.</param>
    /// <returns>The bucket time, or <see langword="null"/> if it is not queued.</returns>
    public long? ExpiryOf(T element) => _expiryOf.TryGetValue(element, out var time) ? time : null;

    /// <summary>Moves an element to the bucket for <c>now + timeout</c>.</summary>
    /// <param name="element">The element.</param>
    /// <param name="nowMs">The current time.</param>
    /// <param name="timeoutMs">Its timeout.</param>
    /// <returns>The new expiry time.</returns>
    public long Update(T element, long nowMs, int timeoutMs)
    {
        var expiry = RoundToNextInterval(nowMs + timeoutMs);
        if (_expiryOf.TryGetValue(element, out var previous))
        {
            if (previous == expiry)
            {
                return expiry;
            }

            if (_buckets.TryGetValue(previous, out var old))
            {
                old.Remove(element);
            }
        }

        if (!_buckets.TryGetValue(expiry, out var bucket))
        {
            bucket = [];
            _buckets.Add(expiry, bucket);
            _bucketTimes.Enqueue(expiry, expiry);
        }

        bucket.Add(element);
        _expiryOf[element] = expiry;
        return expiry;
    }

    /// <summary>Removes an element.</summary>
    /// <param name="element">The element.</param>
    public void Remove(T element)
    {
        if (_expiryOf.Remove(element, out var expiry) && _buckets.TryGetValue(expiry, out var bucket))
        {
            bucket.Remove(element);
        }
    }

    /// <summary>
    /// Takes every element whose bucket time has come, earliest bucket first (what ZooKeeper's
    /// session tracker thread does by polling one bucket per interval until it catches up).
    /// </summary>
    /// <param name="nowMs">The current time.</param>
    /// <param name="expired">Receives the expired elements.</param>
    public void Poll(long nowMs, List<T> expired)
    {
        while (_bucketTimes.TryPeek(out var time, out _) && time <= nowMs)
        {
            _bucketTimes.Dequeue();
            if (!_buckets.Remove(time, out var bucket))
            {
                continue;
            }

            foreach (var element in bucket)
            {
                _expiryOf.Remove(element);
                expired.Add(element);
            }
        }
    }

    /// <summary>The buckets in time order, for the dump command.</summary>
    /// <returns>(time, elements) pairs.</returns>
    public IEnumerable<KeyValuePair<long, HashSet<T>>> Buckets()
    {
        var times = new List<long>(_buckets.Keys);
        times.Sort();
        foreach (var time in times)
        {
            yield return new KeyValuePair<long, HashSet<T>>(time, _buckets[time]);
        }
    }

    private long RoundToNextInterval(long time) => ((time / _intervalMs) + 1) * _intervalMs;
}
