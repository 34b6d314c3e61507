// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers;
using System.Buffers.Binary;

namespace ZkAspire.Protocol.Tests;

/// <summary><see cref="Framing"/>: the 4-byte length and the jute.maxbuffer check (§1).</summary>
public sealed class FramingTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    public void NegativeFrameLengthsAreRejected(int length)
    {
        var buffer = new ReadOnlySequence<byte>(Int(length));
        var ex = Assert.Throws<ProtocolException>(() => Framing.TryReadFrame(ref buffer, JuteLimits.DefaultMaxBuffer, out _));
        Assert.Contains("Negative frame length", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(JuteLimits.DefaultMaxBuffer + 1)]
    [InlineData(int.MaxValue)]
    public void FrameLengthsAboveJuteMaxBufferAreRejectedAsSoonAsTheLengthArrives(int length)
    {
        // Only the length has arrived: the server must not wait for (or buffer) 2 GB.
        var buffer = new ReadOnlySequence<byte>(Int(length));
        var allocated = Jute.AllocatedBytes(() =>
        {
            try
            {
                Framing.TryReadFrame(ref buffer, JuteLimits.DefaultMaxBuffer, out _);
                Assert.Fail("An oversized frame length was accepted.");
            }
            catch (ProtocolException ex)
            {
                Assert.Contains("jute.maxbuffer", ex.Message, StringComparison.Ordinal);
            }
        });
        Assert.InRange(allocated, 0, 64 * 1024);
    }

    [Fact]
    public void ATwoGigabyteFrameLengthInATwentyByteBufferFailsFast()
    {
        var buffer = new ReadOnlySequence<byte>([.. Int(int.MaxValue), .. new byte[16]]);
        Assert.Throws<ProtocolException>(() => Framing.TryReadFrame(ref buffer, JuteLimits.DefaultMaxBuffer, out _));
    }

    [Fact]
    public void AFrameOfExactlyJuteMaxBufferIsAcceptedOnceComplete()
    {
        var incomplete = new ReadOnlySequence<byte>([.. Int(JuteLimits.DefaultMaxBuffer), 1, 2, 3]);
        Assert.False(Framing.TryReadFrame(ref incomplete, JuteLimits.DefaultMaxBuffer, out _));
        Assert.Equal(7, incomplete.Length);

        var complete = new ReadOnlySequence<byte>([.. Int(JuteLimits.DefaultMaxBuffer), .. new byte[JuteLimits.DefaultMaxBuffer]]);
        Assert.True(Framing.TryReadFrame(ref complete, JuteLimits.DefaultMaxBuffer, out var payload));
        Assert.Equal(JuteLimits.DefaultMaxBuffer, payload.Length);
        Assert.True(complete.IsEmpty);
    }

    [Fact]
    public void ASmallerConfiguredLimitApplies()
    {
        var buffer = new ReadOnlySequence<byte>([.. Int(11), .. new byte[11]]);
        Assert.Throws<ProtocolException>(() => Framing.TryReadFrame(ref buffer, 10, out _));
        Assert.True(Framing.TryReadFrame(ref buffer, 11, out _));
    }

    [Fact]
    public void AnEmptyFrameIsAFrame()
    {
        var buffer = new ReadOnlySequence<byte>(Int(0));
        Assert.True(Framing.TryReadFrame(ref buffer, JuteLimits.DefaultMaxBuffer, out var payload));
        Assert.True(payload.IsEmpty);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void EveryPrefixOfAFrameWaitsForMoreAndConsumesNothing()
    {
        var frame = Jute.Frame(new RequestHeader(1, (int)OpCode.Sync), new SyncRequest("/app"));
        for (var length = 0; length < frame.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, length);
            Assert.False(Framing.TryReadFrame(ref buffer, JuteLimits.DefaultMaxBuffer, out var payload));
            Assert.Equal(length, buffer.Length);
            Assert.True(payload.IsEmpty);
        }
    }

    [Fact]
    public void FramesSplitAcrossSegmentsAtEveryOffsetAreReassembled()
    {
        var first = Jute.Frame(new RequestHeader(1, (int)OpCode.Sync), new SyncRequest("/app"));
        var second = Jute.Frame(new RequestHeader(Xids.Ping, (int)OpCode.Ping));
        byte[] stream = [.. first, .. second];
        for (var split = 0; split <= stream.Length; split++)
        {
            for (var split2 = split; split2 <= stream.Length; split2 += 3)
            {
                var buffer = Segments(stream[..split], stream[split..split2], stream[split2..]);
                Assert.True(Framing.TryReadFrame(ref buffer, JuteLimits.DefaultMaxBuffer, out var one));
                Assert.Equal(first[4..], one.ToArray());
                Assert.True(Framing.TryReadFrame(ref buffer, JuteLimits.DefaultMaxBuffer, out var two));
                Assert.Equal(second[4..], two.ToArray());
                Assert.False(Framing.TryReadFrame(ref buffer, JuteLimits.DefaultMaxBuffer, out _));
                Assert.True(buffer.IsEmpty);
            }
        }
    }

    [Fact]
    public void PeekReadsTheLengthWithoutConsumingIt()
    {
        var buffer = Segments([0x72, 0x75], [0x6f, 0x6b]);
        Assert.True(Framing.TryPeekLength(buffer, out var value));
        Assert.Equal(FourLetterWords.ToInt("ruok"), value);
        Assert.Equal(4, buffer.Length);
        Assert.False(Framing.TryPeekLength(buffer.Slice(1), out _));
    }

    [Fact]
    public void WriteFrameFillsInTheLength()
    {
        using var writer = new JuteWriter();
        Framing.WriteFrame(writer, new RequestHeader(Xids.Ping, (int)OpCode.Ping));
        Framing.WriteFrame(writer, new ReplyHeader(5, 6, 0), body: null);
        Framing.WriteFrame(writer, new RequestHeader(1, 9), new SyncRequest("/"));
        Assert.Equal(
            "00 00 00 08 ff ff ff fe 00 00 00 0b " +
            "00 00 00 10 00 00 00 05 00 00 00 00 00 00 00 06 00 00 00 00 " +
            "00 00 00 0d 00 00 00 01 00 00 00 09 00 00 00 01 2f",
            Hex.Format(writer.WrittenSpan));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(JuteLimits.DefaultMaxBuffer, JuteLimits.DefaultMaxBuffer)]
    public void CheckLengthAcceptsTheBounds(int length, int max) => Framing.CheckLength(length, max);

    [Fact]
    public void TheFieldLimitIsMaxBufferPlusExtraSize()
    {
        // zookeeper.jute.maxbuffer.extrasize defaults to jute.maxbuffer, and is at least 1024.
        Assert.Equal(2 * JuteLimits.DefaultMaxBuffer, JuteLimits.MaxFieldLength(JuteLimits.DefaultMaxBuffer));
        Assert.Equal(100 + 1024, JuteLimits.MaxFieldLength(100));
        Assert.Equal(int.MaxValue, JuteLimits.MaxFieldLength(int.MaxValue));
    }

    private static byte[] Int(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>A sequence of several segments (empty ones included), as a pipe may hand them over.</summary>
    private static ReadOnlySequence<byte> Segments(params byte[][] parts)
    {
        var first = new Segment(parts[0], 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            last = last.Append(part);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    [Fact]
    public void AFrameGivenUpIsTruncatedAwayAndTheFramesBeforeItStayWhole()
    {
        using var writer = new JuteWriter(16);
        var first = writer.BeginFrame();
        writer.WriteLong(7);
        writer.EndFrame(first);
        var kept = writer.Length;

        var second = writer.BeginFrame();
        writer.WriteBuffer(new byte[100]);
        writer.EndFrame(second);
        Assert.True(writer.Capacity >= writer.Length);

        writer.Truncate(second);
        Assert.Equal(kept, writer.Length);
        Assert.Equal(new byte[] { 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7 }, writer.WrittenSpan.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Truncate(kept + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Truncate(-1));
    }
}
