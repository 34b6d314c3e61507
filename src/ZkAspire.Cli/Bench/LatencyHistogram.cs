// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Numerics;

namespace ZkAspire.Cli.Bench;

/// <summary>
/// A log-bucketed latency histogram in the manner of HdrHistogram: values (nanoseconds) below
/// 256 are counted exactly; above, each power of two is split into 128 linear sub-buckets, so a
/// recorded value is known to within 1/128 (0.8 %) of itself. Recording is an index computation
/// and an increment into a preallocated array: no allocation, no lock.
/// </summary>
/// <remarks>
/// One histogram per worker (not thread-safe); workers' histograms are merged at the end. The
/// range is 0 to 2^40 ns (about 18 minutes); a larger value is counted in the top bucket, and
/// <see cref="Max"/> still says what it was.
/// </remarks>
internal sealed class LatencyHistogram
{
    /// <summary>The largest value told apart from larger ones (2^40 − 1 ns).</summary>
    public const long HighestTrackableValue = (1L << 40) - 1;

    // 2^8 sub-buckets: values below 256 are exact, and every later bucket keeps the top 8 bits
    // of a value, of which the first is always 1: 128 distinct buckets per power of two.
    private const int SubBucketBits = 8;
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int SubBucketHalfCount = SubBucketCount / 2;

    private readonly long[] _counts = new long[BucketCount];
    private long _min = long.MaxValue;
    private long _sum;

    /// <summary>Gets the number of buckets.</summary>
    public static int BucketCount { get; } = IndexOf(HighestTrackableValue) + 1;

    /// <summary>Gets how many values were recorded.</summary>
    public long TotalCount { get; private set; }

    /// <summary>Gets the smallest value recorded, or 0 when none was.</summary>
    public long Min => TotalCount == 0 ? 0 : _min;

    /// <summary>Gets the largest value recorded, or 0 when none was.</summary>
    public long Max { get; private set; }

    /// <summary>Gets the mean of the values recorded (exact, not bucketed), or 0.</summary>
    public double Mean => TotalCount == 0 ? 0 : (double)_sum / TotalCount;

    /// <summary>Records one value.</summary>
    /// <param name="value">The value in nanoseconds; a negative value counts as 0.</param>
    public void Record(long value)
    {
        if (value < 0)
        {
            value = 0;
        }

        _counts[IndexOf(Math.Min(value, HighestTrackableValue))]++;
        TotalCount++;
        _sum += value;
        if (value < _min)
        {
            _min = value;
        }

        if (value > Max)
        {
            Max = value;
        }
    }

    /// <summary>Adds another histogram's counts to this one.</summary>
    /// <param name="other">The other histogram.</param>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        TotalCount += other.TotalCount;
        _sum += other._sum;
        if (other.TotalCount > 0)
        {
            _min = Math.Min(_min, other._min);
            Max = Math.Max(Max, other.Max);
        }
    }

    /// <summary>Forgets every value.</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        TotalCount = 0;
        _sum = 0;
        _min = long.MaxValue;
        Max = 0;
    }

    /// <summary>
    /// Gets the value below or at which <paramref name="percentile"/> percent of the recorded
    /// values fall: the highest value of the bucket that holds the value of that rank (as
    /// HdrHistogram's <c>getValueAtPercentile</c>), never above <see cref="Max"/>.
    /// </summary>
    /// <param name="percentile">From 0 to 100.</param>
    /// <returns>The value in nanoseconds, or 0 when nothing was recorded.</returns>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100.0);
        if (TotalCount == 0)
        {
            return 0;
        }

        // The rank of the value: at least the first, at most the last.
        var rank = Math.Clamp((long)Math.Ceiling(percentile / 100.0 * TotalCount), 1, TotalCount);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(HighestEquivalentValue(i), Max);
            }
        }

        return Max;
    }

    /// <summary>The bucket of a value in [0, <see cref="HighestTrackableValue"/>].</summary>
    internal static int IndexOf(long value)
    {
        if (value < SubBucketCount)
        {
            return (int)value;
        }

        // Shift the value right until its top bit lands on bit 7: what is left is in [128, 256).
        var shift = 63 - BitOperations.LeadingZeroCount((ulong)value) - (SubBucketBits - 1);
        var top = (int)(value >> shift);
        return SubBucketCount + ((shift - 1) * SubBucketHalfCount) + (top - SubBucketHalfCount);
    }

    /// <summary>The smallest value counted in a bucket.</summary>
    internal static long LowestEquivalentValue(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }

        var offset = index - SubBucketCount;
        var shift = (offset / SubBucketHalfCount) + 1;
        var top = (long)((offset % SubBucketHalfCount) + SubBucketHalfCount);
        return top << shift;
    }

    /// <summary>The largest value counted in a bucket.</summary>
    internal static long HighestEquivalentValue(int index) =>
        index + 1 < BucketCount ? LowestEquivalentValue(index + 1) - 1 : HighestTrackableValue;
}
