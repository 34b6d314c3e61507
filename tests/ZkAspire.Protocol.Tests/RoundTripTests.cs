// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol.Tests;

/// <summary>Every record: write, read, write again gives the same bytes and an equal value.</summary>
public sealed class RoundTripTests
{
    [Theory]
    [MemberData(nameof(SampleNames))]
    public void WriteReadWriteGivesIdenticalBytesAndEqualValues(string name)
    {
        var sample = RecordSamples.All[name];
        var first = Jute.Encode(sample);
        var decoded = Jute.Decode(sample.GetType(), first);
        var second = Jute.Encode(decoded);

        Assert.Equal(Hex.Format(first), Hex.Format(second));
        Structural.AssertEqual(sample, decoded);
    }

    public static TheoryData<string> SampleNames => new(RecordSamples.All.Keys);

    [Fact]
    public void EveryReadableRecordTypeHasASample()
    {
        var sampled = RecordSamples.All.Values.Select(s => s.GetType()).ToHashSet();
        var missing = Jute.ReadableRecordTypes.Where(t => !sampled.Contains(t)).Select(t => t.Name).ToList();
        Assert.Empty(missing);
        Assert.True(Jute.ReadableRecordTypes.Count >= 50, $"Only {Jute.ReadableRecordTypes.Count} record types found by reflection.");
    }

    [Fact]
    public void EverySampleNameStartsWithItsTypeName()
    {
        foreach (var (name, record) in RecordSamples.All)
        {
            Assert.StartsWith(record.GetType().Name + "/", name, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NullAndEmptyBuffersAreDistinctOnTheWire()
    {
        Assert.Equal("00 00 00 02 2f 61 ff ff ff ff ff ff ff ff", Hex.Format(Jute.Encode(new SetDataRequest("/a", null, -1))));
        Assert.Equal("00 00 00 02 2f 61 00 00 00 00 ff ff ff ff", Hex.Format(Jute.Encode(new SetDataRequest("/a", [], -1))));

        Assert.Null(Jute.Decode<SetDataRequest>(Hex.Parse("00 00 00 02 2f 61 ff ff ff ff ff ff ff ff")).Data);
        Assert.Empty(Jute.Decode<SetDataRequest>(Hex.Parse("00 00 00 02 2f 61 00 00 00 00 ff ff ff ff")).Data!);
    }

    [Fact]
    public void NullAndEmptyStringsAreDistinctOnTheWire()
    {
        Assert.Equal("ff ff ff ff ff ff ff ff", Hex.Format(Jute.Encode(new Id(null, null))));
        Assert.Equal("00 00 00 00 00 00 00 00", Hex.Format(Jute.Encode(new Id(string.Empty, string.Empty))));

        Assert.Equal(new Id(null, string.Empty), Jute.Decode<Id>(Hex.Parse("ff ff ff ff 00 00 00 00")));
    }

    [Fact]
    public void NullAndEmptyVectorsAreDistinctOnTheWire()
    {
        Assert.Equal("ff ff ff ff", Hex.Format(Jute.Encode(new GetChildrenResponse(null))));
        Assert.Equal("00 00 00 00", Hex.Format(Jute.Encode(new GetChildrenResponse([]))));

        Assert.Null(Jute.Decode<GetChildrenResponse>(Hex.Parse("ff ff ff ff")).Children);
        Assert.Empty(Jute.Decode<GetChildrenResponse>(Hex.Parse("00 00 00 00")).Children!);
        Assert.Null(Jute.Decode<GetACLResponse>([.. Hex.Parse("ff ff ff ff"), .. new byte[Stat.EncodedSize]]).Acl);
    }

    [Fact]
    public void StringLengthsCountUtf8BytesNotCharacters()
    {
        // "é" is one UTF-16 unit and two UTF-8 bytes; "日本" two units and six bytes.
        Assert.Equal("00 00 00 02 c3 a9", Hex.Format(Jute.Encode(new SyncRequest("é"))));
        Assert.Equal("00 00 00 07 2f e6 97 a5 e6 9c ac", Hex.Format(Jute.Encode(new SyncRequest("/日本"))));
    }

    [Fact]
    public void SupplementaryCharactersAreWrittenAsStandardUtf8()
    {
        // Java writes CESU-8 (two 3-byte surrogates); the doc (§2) tells a C# peer to use strict
        // UTF-8, which Java's reader decodes correctly.
        Assert.Equal("00 00 00 04 f0 9f 98 80", Hex.Format(Jute.Encode(new SyncRequest("\U0001F600"))));
        Assert.Equal("\U0001F600", Jute.Decode<SyncRequest>(Hex.Parse("00 00 00 04 f0 9f 98 80")).Path);
    }

    [Fact]
    public void UnpairedSurrogatesCannotBeWritten()
    {
        using var writer = new JuteWriter();
        Assert.Throws<ProtocolException>(() => writer.WriteString("/a\ud800"));
        Assert.Throws<ProtocolException>(() => writer.WriteString("\udc00"));
    }

    [Fact]
    public void BooleansReadAnyNonZeroByteAsTrue()
    {
        Assert.True(Jute.Decode<ExistsRequest>(Hex.Parse("00 00 00 01 2f 02")).Watch);
        Assert.True(Jute.Decode<ExistsRequest>(Hex.Parse("00 00 00 01 2f ff")).Watch);
        Assert.False(Jute.Decode<ExistsRequest>(Hex.Parse("00 00 00 01 2f 00")).Watch);
    }

    [Fact]
    public void ConnectRecordsWithAndWithoutTheReadOnlyByte()
    {
        var withByte = Jute.Encode(new ConnectRequest(0, 0, 30_000, 0, new byte[16], true));
        var withoutByte = Jute.Encode(new ConnectRequest(0, 0, 30_000, 0, new byte[16], null));
        Assert.Equal(45, withByte.Length);
        Assert.Equal(44, withoutByte.Length);
        Assert.Equal(withoutByte, withByte[..44]);
        Assert.True(Jute.Decode<ConnectRequest>(withByte).ReadOnly);
        Assert.Null(Jute.Decode<ConnectRequest>(withoutByte).ReadOnly);

        var response = Jute.Encode(new ConnectResponse(0, 4000, 1, new byte[16], false));
        var oldResponse = Jute.Encode(new ConnectResponse(0, 4000, 1, new byte[16], null));
        Assert.Equal(37, response.Length);
        Assert.Equal(36, oldResponse.Length);
        Assert.False(Jute.Decode<ConnectResponse>(response).ReadOnly);
        Assert.Null(Jute.Decode<ConnectResponse>(oldResponse).ReadOnly);
    }

    [Fact]
    public void MultiResultsRepeatTheErrorCodeInHeaderAndBody()
    {
        var bytes = Jute.Encode(new MultiResponse([OpResult.Error(KeeperErrorCode.NoNode)]));
        Assert.Equal("ff ff ff ff 00 ff ff ff 9b ff ff ff 9b ff ff ff ff 01 ff ff ff ff", Hex.Format(bytes));
        var result = Assert.Single(Jute.Decode<MultiResponse>(bytes).Results);
        Assert.Equal(OpCode.Error, result.Type);
        Assert.Equal(KeeperErrorCode.NoNode, result.Err);
    }

    [Fact]
    public void WriterGrowsPastItsInitialCapacityAndFramesNest()
    {
        var data = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        using var writer = new JuteWriter(initialCapacity: 1);
        Framing.WriteFrame(writer, new ReplyHeader(4, 5, 0), new GetDataResponse(data, RecordSamples.SampleStat));
        var frame = writer.ToArray();
        Assert.Equal(4 + ReplyHeader.EncodedSize + 4 + data.Length + Stat.EncodedSize, frame.Length);
        Assert.Equal(frame.Length - 4, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(frame));
        var reader = new JuteReader(frame.AsSpan(4));
        Assert.Equal(new ReplyHeader(4, 5, 0), reader.ReadRecord<ReplyHeader>());
        var body = reader.ReadRecord<GetDataResponse>();
        Assert.Equal(data, body.Data);
        Assert.True(reader.IsAtEnd);
    }
}

/// <summary>The deep comparison the round trips rely on does fail when values differ.</summary>
public sealed class StructuralEqualityTests
{
    [Fact]
    public void DetectsDifferencesInNestedBuffersListsAndNulls()
    {
        Structural.AssertEqual(new SetDataRequest("/a", [1, 2], 0), new SetDataRequest("/a", [1, 2], 0));
        Assert.ThrowsAny<Exception>(() => Structural.AssertEqual(new SetDataRequest("/a", [1, 2], 0), new SetDataRequest("/a", [1, 3], 0)));
        Assert.ThrowsAny<Exception>(() => Structural.AssertEqual(new SetDataRequest("/a", null, 0), new SetDataRequest("/a", [], 0)));
        Assert.ThrowsAny<Exception>(() => Structural.AssertEqual(
            new MultiRequest([new MultiOp(OpCode.Check, new CheckVersionRequest("/a", 0))]),
            new MultiRequest([new MultiOp(OpCode.Check, new CheckVersionRequest("/a", 1))])));
        Assert.ThrowsAny<Exception>(() => Structural.AssertEqual(
            new MultiRequest([new MultiOp(OpCode.Delete, new DeleteRequest("/a", 0))]),
            new MultiRequest([new MultiOp(OpCode.Delete, new CheckVersionRequest("/a", 0))])));
        Assert.ThrowsAny<Exception>(() => Structural.AssertEqual(new GetChildrenResponse(["a"]), new GetChildrenResponse(["a", "b"])));
        Assert.ThrowsAny<Exception>(() => Structural.AssertEqual(
            new GetDataResponse(null, RecordSamples.SampleStat), new GetDataResponse(null, RecordSamples.SampleStat with { Pzxid = 1 })));
    }
}
