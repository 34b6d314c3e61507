// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers.Binary;

namespace ZkAspire.Protocol.Tests;

/// <summary>
/// Bytes a broken or hostile peer may send: only <see cref="ProtocolException"/> escapes the
/// decoder, and nothing it allocates is sized by a length the peer claimed.
/// </summary>
public sealed class MalformedInputTests
{
    /// <summary>
    /// More than decoding a 20-byte frame needs (an exception with its stack trace and message
    /// included), far less than any allocation sized by a claimed length in these tests.
    /// </summary>
    private const long SmallAllocation = 64 * 1024;

    [Theory]
    [InlineData(-2)]
    [InlineData(-100)]
    [InlineData(int.MinValue)]
    public void NegativeLengthsOtherThanMinusOneAreRejected(int length)
    {
        var prefix = Int(length);
        AssertRejected(prefix, "Negative", (ref JuteReader r) => r.ReadBuffer());
        AssertRejected(prefix, "Negative", (ref JuteReader r) => r.ReadString());
        AssertRejected(prefix, "Negative", (ref JuteReader r) => { r.ReadBufferSpan(out _); return null; });
        AssertRejected(prefix, "Negative", (ref JuteReader r) => r.ReadVector<ACL>());
        AssertRejected(prefix, "Negative", (ref JuteReader r) => r.ReadStringVector());
    }

    [Fact]
    public void MinusOneIsNullForEveryLengthPrefixedType()
    {
        var bytes = Int(-1);
        Assert.Null(new JuteReader(bytes).ReadBuffer());
        Assert.Null(new JuteReader(bytes).ReadString());
        Assert.Null(new JuteReader(bytes).ReadVector<ACL>());
        Assert.Null(new JuteReader(bytes).ReadStringVector());
        var reader = new JuteReader(bytes);
        reader.ReadBufferSpan(out var isNull);
        Assert.True(isNull);
    }

    [Fact]
    public void LengthsBeyondTheFrameAreRejected()
    {
        byte[] bytes = [.. Int(5), .. "/abc"u8];
        AssertRejected(bytes, "past the end", (ref JuteReader r) => r.ReadString());
        AssertRejected(bytes, "past the end", (ref JuteReader r) => r.ReadBuffer());
        AssertRejected(bytes, "past the end", (ref JuteReader r) => { r.ReadBufferSpan(out _); return null; });

        // Exactly the bytes left is fine.
        bytes[3] = 4;
        Assert.Equal("/abc", new JuteReader(bytes).ReadString());
    }

    [Fact]
    public void LengthsBeyondTheLimitAreRejectedEvenWhenTheBytesArePresent()
    {
        byte[] nine = [.. Int(9), .. new byte[9]];
        var ex = Assert.Throws<ProtocolException>(() => new JuteReader(nine, maxLength: 8).ReadBuffer());
        Assert.Contains("exceeds the limit of 8", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ProtocolException>(() => new JuteReader(nine, maxLength: 8).ReadString());

        byte[] eight = [.. Int(8), .. new byte[8]];
        Assert.Equal(8, new JuteReader(eight, maxLength: 8).ReadBuffer()!.Length);
    }

    [Theory]
    [InlineData(JuteLimits.DefaultMaxBuffer * 2)]
    [InlineData(int.MaxValue)]
    public void ATwoGigabyteLengthInATwentyByteFrameFailsFastWithoutAllocatingIt(int maxLength)
    {
        // GetDataResponse claiming a 2 GB buffer: 4 length bytes then 16 of junk.
        byte[] frame = [.. Int(int.MaxValue), .. new byte[16]];
        Assert.Equal(20, frame.Length);

        var allocated = Jute.AllocatedBytes(() =>
        {
            try
            {
                var reader = new JuteReader(frame, maxLength);
                GetDataResponse.Read(ref reader);
                Assert.Fail("A 2 GB buffer in a 20-byte frame was accepted.");
            }
            catch (ProtocolException)
            {
            }
        });
        Assert.InRange(allocated, 0, SmallAllocation);

        allocated = Jute.AllocatedBytes(() =>
        {
            try
            {
                var reader = new JuteReader(frame, maxLength);
                reader.ReadString();
            }
            catch (ProtocolException)
            {
            }
        });
        Assert.InRange(allocated, 0, SmallAllocation);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1_000_000)]
    [InlineData(6)]
    public void VectorCountsLargerThanTheFrameAreRejectedBeforeAllocating(int count)
    {
        // 20 bytes: a count and 16 more bytes. Six elements need at least 24 bytes even as empty
        // strings (and 72 as ACLs), so every count here is a lie the reader must see through.
        byte[] frame = [.. Int(count), .. new byte[16]];

        foreach (var read in new Action[]
        {
            () => { var r = new JuteReader(frame); r.ReadVector<ACL>(); },
            () => { var r = new JuteReader(frame); r.ReadVector<Id>(); },
            () => { var r = new JuteReader(frame); r.ReadVector<ClientInfo>(); },
            () => { var r = new JuteReader(frame); r.ReadStringVector(); },
            () => { var r = new JuteReader(frame); GetChildrenResponse.Read(ref r); },
            () => { var r = new JuteReader(frame); WhoAmIResponse.Read(ref r); },
            () => { var r = new JuteReader([.. new byte[8], .. frame]); SetWatches.Read(ref r); },
            () => { var r = new JuteReader([.. new byte[8], .. frame]); SetWatches2.Read(ref r); },
        })
        {
            var allocated = Jute.AllocatedBytes(() => Assert.Throws<ProtocolException>(read));
            Assert.InRange(allocated, 0, SmallAllocation);
        }
    }

    [Fact]
    public void AVectorOfStatsIsBoundedByTheStatSize()
    {
        // The element-size bound uses each record's own minimum: two 68-byte Stats need 136 bytes.
        byte[] frame = [.. Int(2), .. new byte[135]];
        Assert.Throws<ProtocolException>(() => new JuteReader(frame).ReadVector<Stat>());
        byte[] enough = [.. Int(2), .. new byte[136]];
        Assert.Equal(2, new JuteReader(enough).ReadVector<Stat>()!.Length);
    }

    [Theory]
    [InlineData("c3 28")]              // a two-byte lead without its continuation
    [InlineData("2f c0 af")]           // overlong encoding of '/'
    [InlineData("ed a0 80")]           // a surrogate encoded as UTF-8 (what Java's CESU-8 writer emits)
    [InlineData("2f ff")]              // 0xFF never occurs in UTF-8
    [InlineData("f4 90 80 80")]        // above U+10FFFF
    [InlineData("e6 97")]              // truncated three-byte sequence
    public void InvalidUtf8IsRejected(string hex)
    {
        var utf8 = Hex.Parse(hex);
        byte[] bytes = [.. Int(utf8.Length), .. utf8];
        var ex = AssertRejected(bytes, "UTF-8", (ref JuteReader r) => r.ReadString());
        Assert.IsType<System.Text.DecoderFallbackException>(ex.InnerException);

        // The same bytes are fine as a buffer: only strings are text.
        Assert.Equal(utf8, new JuteReader(bytes).ReadBuffer());
    }

    [Theory]
    [InlineData(0)]     // notification
    [InlineData(3)]     // exists is not a multi op
    [InlineData(9)]     // sync
    [InlineData(20)]    // deleteContainer
    [InlineData(-1)]    // the end marker's type, but without done
    [InlineData(99)]
    [InlineData(int.MinValue)]
    public void UnknownMultiOpTypesAreRejected(int type)
    {
        byte[] body = [.. Jute.Encode(new MultiHeader(type, false, -1)), .. Jute.Encode(new DeleteRequest("/a", -1)), .. Jute.Encode(MultiHeader.End)];
        var ex = Assert.Throws<ProtocolException>(() => Jute.Decode<MultiRequest>(body));
        Assert.Contains("op type", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(19)]    // the result type for createContainer and createTTL ops is 15 (§14.2)
    [InlineData(21)]
    [InlineData(0)]
    public void UnknownMultiResultTypesAreRejected(int type)
    {
        byte[] body = [.. Jute.Encode(new MultiHeader(type, false, 0)), .. Jute.Encode(new CreateResponse("/a")), .. Jute.Encode(MultiHeader.End)];
        Assert.Throws<ProtocolException>(() => Jute.Decode<MultiResponse>(body));
    }

    [Fact]
    public void AMultiWithoutItsEndMarkerIsTruncated()
    {
        var body = Jute.Encode(new MultiRequest([new MultiOp(OpCode.Delete, new DeleteRequest("/a", -1))]))[..^9];
        Assert.Throws<ProtocolException>(() => Jute.Decode<MultiRequest>(body));
    }

    [Fact]
    public void RequiredStringsMayNotBeNull()
    {
        // Paths are dereferenced without null checks by ZooKeeper; we reject them while decoding.
        var ex = Assert.Throws<ProtocolException>(() => Jute.Decode<DeleteRequest>([.. Int(-1), .. Int(-1)]));
        Assert.Contains("path", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ProtocolException>(() => Jute.Decode<GetChildrenResponse>([.. Int(1), .. Int(-1)]));
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void EveryTruncationOfEveryRecordIsRejected(string name)
    {
        var sample = RecordSamples.All[name];
        var bytes = Jute.Encode(sample);
        var decode = Jute.Decoder(sample.GetType(), requireEnd: false);
        for (var length = 0; length < bytes.Length; length++)
        {
            IJuteRecord decoded;
            try
            {
                decoded = decode(bytes[..length]);
            }
            catch (ProtocolException)
            {
                continue;
            }

            // The one legal truncation: the connect records lose their optional readOnly byte.
            var isOptionalByte = length == bytes.Length - 1 && sample is ConnectRequest { ReadOnly: not null } or ConnectResponse { ReadOnly: not null };
            Assert.True(isOptionalByte, $"{name}: the first {length} of {bytes.Length} bytes decoded as {decoded}.");
            Assert.True(decoded is ConnectRequest { ReadOnly: null } or ConnectResponse { ReadOnly: null });
        }
    }

    public static TheoryData<string> SampleNames => new(RecordSamples.All.Keys);

    [Fact]
    public void EveryTruncationOfEveryRequestFrameIsRejected()
    {
        var checkedFrames = 0;
        foreach (var (name, type, payload) in RecordSamples.RequestPayloads)
        {
            for (var length = 0; length < payload.Length; length++)
            {
                var prefix = payload[..length];
                Assert.Throws<ProtocolException>(() =>
                {
                    var reader = new JuteReader(prefix);
                    var header = reader.ReadRecord<RequestHeader>();
                    Assert.Equal(type, header.OpCode);
                    RequestBodies.TryRead(header.OpCode, ref reader, out _);
                });
            }

            // And the whole payload decodes.
            var whole = new JuteReader(payload);
            Assert.True(RequestBodies.TryRead(whole.ReadRecord<RequestHeader>().OpCode, ref whole, out var body), name);
            Assert.NotNull(body);
            Assert.True(whole.IsAtEnd, name);
            checkedFrames++;
        }

        Assert.True(checkedFrames > 40, $"Only {checkedFrames} request frames were checked.");
    }

    [Theory]
    [InlineData(0)]     // notification
    [InlineData(10)]    // unassigned
    [InlineData(-1)]    // error (internal)
    [InlineData(-10)]   // createSession (internal)
    [InlineData(23)]
    [InlineData(99)]
    [InlineData(108)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void UnknownOpcodesAreReportedAndNothingIsRead(int type)
    {
        byte[] body = [1, 2, 3, 4, 5];
        var reader = new JuteReader(body);
        Assert.False(RequestBodies.TryRead((OpCode)type, ref reader, out var record));
        Assert.Null(record);
        Assert.Equal(0, reader.Position);
    }

    [Theory]
    [InlineData(OpCode.Ping)]
    [InlineData(OpCode.CloseSession)]
    [InlineData(OpCode.WhoAmI)]
    public void OpcodesWithoutABodyReadNothing(OpCode type)
    {
        var reader = new JuteReader([]);
        Assert.True(RequestBodies.TryRead(type, ref reader, out var record));
        Assert.Null(record);
    }

    [Fact]
    public void TrailingBytesAfterARecordAreLeftForTheCaller()
    {
        // Java ignores bytes after a record inside a frame (§1); the reader reports them.
        byte[] payload = [.. Jute.Encode(new SyncRequest("/a")), 0xde, 0xad];
        var reader = new JuteReader(payload);
        Assert.True(RequestBodies.TryRead(OpCode.Sync, ref reader, out var record));
        Assert.Equal(new SyncRequest("/a"), record);
        Assert.Equal(2, reader.Remaining);
    }

    [Fact]
    public void PrimitivesPastTheEndAreRejected()
    {
        Assert.Throws<ProtocolException>(() => new JuteReader([]).ReadByte());
        Assert.Throws<ProtocolException>(() => new JuteReader([]).ReadBool());
        Assert.Throws<ProtocolException>(() => new JuteReader([1, 2, 3]).ReadInt());
        Assert.Throws<ProtocolException>(() => new JuteReader([1, 2, 3, 4, 5, 6, 7]).ReadLong());
    }

    private static byte[] Int(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private delegate object? ReaderFunc(ref JuteReader reader);

    private static ProtocolException AssertRejected(byte[] bytes, string messagePart, ReaderFunc read)
    {
        var ex = Assert.Throws<ProtocolException>(() =>
        {
            var reader = new JuteReader(bytes);
            read(ref reader);
        });
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
        return ex;
    }
}
