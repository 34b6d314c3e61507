// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Bench;

namespace ZkAspire.Cli.Tests.Bench;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void EmptyHistogramReportsZero()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0, histogram.TotalCount);
        Assert.Equal(0, histogram.ValueAtPercentile(50));
        Assert.Equal(0, histogram.ValueAtPercentile(99.9));
        Assert.Equal(0, histogram.Min);
        Assert.Equal(0, histogram.Max);
        Assert.Equal(0, histogram.Mean);
    }

    [Fact]
    public void ValuesBelow256AreExact()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 200; v++)
        {
            histogram.Record(v);
        }

        Assert.Equal(100, histogram.ValueAtPercentile(50));
        Assert.Equal(180, histogram.ValueAtPercentile(90));
        Assert.Equal(198, histogram.ValueAtPercentile(99));
        Assert.Equal(200, histogram.ValueAtPercentile(99.9));
        Assert.Equal(200, histogram.ValueAtPercentile(100));
        Assert.Equal(1, histogram.ValueAtPercentile(0));
        Assert.Equal(100.5, histogram.Mean);
    }

    [Fact]
    public void PercentilesOfAUniformSpreadAreWithinTheBucketPrecision()
    {
        // 1 µs to 100 ms in 1 µs steps: the exact p-th percentile is p% of 100 ms.
        var histogram = new LatencyHistogram();
        for (long us = 1; us <= 100_000; us++)
        {
            histogram.Record(us * 1000);
        }

        foreach (var p in new[] { 50.0, 90.0, 99.0, 99.9 })
        {
            var exact = p / 100 * 100_000 * 1000;
            var reported = histogram.ValueAtPercentile(p);
            Assert.InRange(reported, exact, exact * (1 + (1.0 / 128)));
        }

        Assert.Equal(1000, histogram.Min);
        Assert.Equal(100_000_000, histogram.Max);
        Assert.Equal(100_000, histogram.TotalCount);
    }

    [Fact]
    public void ATailIsSeenAtTheRightPercentile()
    {
        // 990 fast operations at 200 µs and 10 slow ones at 50 ms: p99 is still fast, p99.9 is slow.
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 990; i++)
        {
            histogram.Record(200_000);
        }

        for (var i = 0; i < 10; i++)
        {
            histogram.Record(50_000_000);
        }

        Assert.InRange(histogram.ValueAtPercentile(50), 200_000, 201_600);
        Assert.InRange(histogram.ValueAtPercentile(99), 200_000, 201_600);
        Assert.InRange(histogram.ValueAtPercentile(99.9), 50_000_000, 50_000_000);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(255L)]
    [InlineData(256L)]
    [InlineData(257L)]
    [InlineData(1_000_003L)]
    [InlineData(123_456_789_012L)]
    [InlineData(LatencyHistogram.HighestTrackableValue)]
    public void EveryValueFallsInABucketThatHoldsItWithinOnePartIn128(long value)
    {
        var index = LatencyHistogram.IndexOf(value);
        var low = LatencyHistogram.LowestEquivalentValue(index);
        var high = LatencyHistogram.HighestEquivalentValue(index);

        Assert.InRange(value, low, high);
        Assert.True(high - low <= Math.Max(0, low / 128), $"bucket [{low}, {high}] is wider than 1/128 of its start");
    }

    [Fact]
    public void BucketsAreContiguousAndIncreasing()
    {
        for (var i = 1; i < LatencyHistogram.BucketCount; i++)
        {
            Assert.Equal(LatencyHistogram.HighestEquivalentValue(i - 1) + 1, LatencyHistogram.LowestEquivalentValue(i));
        }

        Assert.Equal(LatencyHistogram.HighestTrackableValue, LatencyHistogram.HighestEquivalentValue(LatencyHistogram.BucketCount - 1));
    }

    [Fact]
    public void ValuesBeyondTheRangeAreClampedButMaxIsKept()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(long.MaxValue);
        histogram.Record(-5);

        Assert.Equal(2, histogram.TotalCount);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(long.MaxValue, histogram.Max);
        Assert.Equal(0, histogram.ValueAtPercentile(50));
        Assert.Equal(LatencyHistogram.HighestTrackableValue, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void AddMergesCountsMinMaxAndMean()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        for (var i = 1; i <= 100; i++)
        {
            a.Record(i);
            b.Record(i + 100);
        }

        a.Add(b);
        a.Add(new LatencyHistogram());

        Assert.Equal(200, a.TotalCount);
        Assert.Equal(1, a.Min);
        Assert.Equal(200, a.Max);
        Assert.Equal(100.5, a.Mean);
        Assert.Equal(100, a.ValueAtPercentile(50));
    }

    [Fact]
    public void ResetForgetsEverything()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1_000_000);
        histogram.Reset();
        histogram.Record(5);

        Assert.Equal(1, histogram.TotalCount);
        Assert.Equal(5, histogram.ValueAtPercentile(100));
        Assert.Equal(5, histogram.Max);
    }

    [Fact]
    public void RecordingDoesNotAllocate()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (long v = 0; v < 100_000; v++)
        {
            histogram.Record(v * 7919);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(100.1)]
    public void PercentilesOutsideZeroToHundredAreRejected(double percentile) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyHistogram().ValueAtPercentile(percentile));
}
