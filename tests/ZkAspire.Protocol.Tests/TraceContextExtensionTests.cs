// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol.Tests;

/// <summary>The bytes of the trace-context extension (docs/telemetry.md), and how readers treat what follows the readOnly byte.</summary>
public sealed class TraceContextExtensionTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void TheConnectRequestOfferIsEightBytesAfterTheReadOnlyByte()
    {
        var request = new ConnectRequest(0, 0, 30000, 0, new byte[16], false);
        using var writer = new JuteWriter();
        var mark = writer.BeginFrame();
        request.Write(writer);
        new ConnectExtension(TraceContextExtension.TraceContextFeature).Write(writer);
        writer.EndFrame(mark);

        var expected = Hex.Parse(
            "00 00 00 35 | 00 00 00 00 | 00 00 00 00 00 00 00 00 | 00 00 75 30 | 00 00 00 00 00 00 00 00 | 00 00 00 10 |"
            + "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 | 00 | 5a 4b 41 78 | 00 00 00 01");
        Assert.Equal(expected, writer.ToArray());

        // A stock reader (ZooKeeper's: five fields and the readOnly boolean) gets the same request
        // and leaves the block unread; ours finds the block after it.
        var reader = new JuteReader(expected.AsSpan(4));
        Assert.Equal(request with { Passwd = null }, ConnectRequest.Read(ref reader) with { Passwd = null });
        Assert.Equal(8, reader.Remaining);
        var extension = ConnectExtension.TryRead(ref reader);
        Assert.NotNull(extension);
        Assert.True(extension.TraceContext);
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void TheConnectResponseGrantFollowsTheReadOnlyByte()
    {
        var response = new ConnectResponse(0, 30000, 0x0100000A3C5E0000, new byte[16], false);
        using var writer = new JuteWriter();
        response.Write(writer);
        new ConnectExtension(TraceContextExtension.TraceContextFeature).Write(writer);
        var bytes = writer.ToArray();
        Assert.Equal(37 + 8, bytes.Length);
        Assert.Equal(Hex.Parse("00 | 5a 4b 41 78 | 00 00 00 01"), bytes[36..]);

        var reader = new JuteReader(bytes);
        Assert.Equal(false, ConnectResponse.Read(ref reader).ReadOnly);
        Assert.True(ConnectExtension.TryRead(ref reader)!.TraceContext);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5a 4b 41")]
    [InlineData("5a 4b 41 79 00 00 00 01")]
    [InlineData("00 00 00 00 00 00 00 01 ff")]
    public void BytesWithoutTheMagicAreNoExtensionAndAreLeftUnread(string hex)
    {
        var bytes = Hex.Parse(hex);
        var reader = new JuteReader(bytes);
        Assert.Null(ConnectExtension.TryRead(ref reader));
        Assert.Equal(bytes.Length, reader.Remaining);
        Assert.Throws<ProtocolException>(() =>
        {
            var r = new JuteReader(bytes);
            return ConnectExtension.Read(ref r);
        });
    }

    [Fact]
    public void UnknownFeatureBitsAreCarriedButGrantNothing()
    {
        var reader = new JuteReader(Hex.Parse("5a 4b 41 78 | 00 00 00 06"));
        var extension = ConnectExtension.TryRead(ref reader)!;
        Assert.Equal(6, extension.Features);
        Assert.False(extension.TraceContext);
    }

    [Fact]
    public void ATracedRequestWrapsTheRealOpcodeAfterTheTraceContext()
    {
        using var writer = new JuteWriter();
        var mark = writer.BeginFrame();
        new RequestHeader(7, TraceContextExtension.TracedRequestType).Write(writer);
        new TraceContextHeader(TraceParent, null, (int)OpCode.GetData).Write(writer);
        new GetDataRequest("/a", false).Write(writer);
        writer.EndFrame(mark);
        var bytes = writer.ToArray();

        var expected = Hex.Parse("00 00 00 52 | 00 00 00 07 | 5a 4b 00 01 | 00 00 00 37")
            .Concat(System.Text.Encoding.ASCII.GetBytes(TraceParent))
            .Concat(Hex.Parse("ff ff ff ff | 00 00 00 04 | 00 00 00 02 2f 61 | 00"))
            .ToArray();
        Assert.Equal(expected, bytes);

        var reader = new JuteReader(bytes.AsSpan(4));
        var header = RequestHeader.Read(ref reader);
        Assert.Equal(TraceContextExtension.TracedRequestType, header.Type);
        var trace = TraceContextHeader.Read(ref reader);
        Assert.Equal(new TraceContextHeader(TraceParent, null, (int)OpCode.GetData), trace);
        Assert.Equal(new GetDataRequest("/a", false), GetDataRequest.Read(ref reader));
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void TraceStateRoundTrips()
    {
        using var writer = new JuteWriter();
        var header = new TraceContextHeader(TraceParent, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", (int)OpCode.Multi);
        header.Write(writer);
        var reader = new JuteReader(writer.WrittenSpan);
        Assert.Equal(header, TraceContextHeader.Read(ref reader));
    }

    [Fact]
    public void MalformedTraceContextHeadersAreProtocolErrors()
    {
        Assert.Throws<ProtocolException>(() => Decode(new TraceContextHeader(new string('a', TraceContextExtension.MaxTraceParentBytes + 1), null, 4)));
        Assert.Throws<ProtocolException>(() => Decode(new TraceContextHeader(TraceParent, new string('a', TraceContextExtension.MaxTraceStateBytes + 1), 4)));
        Assert.Throws<ProtocolException>(() => Decode(new TraceContextHeader(TraceParent, null, TraceContextExtension.TracedRequestType)));

        // traceparent null (−1), and a header cut short before its opcode.
        Assert.Throws<ProtocolException>(() =>
        {
            var r = new JuteReader(Hex.Parse("ff ff ff ff | ff ff ff ff | 00 00 00 04"));
            return TraceContextHeader.Read(ref r);
        });
        Assert.Throws<ProtocolException>(() =>
        {
            var r = new JuteReader(Hex.Parse("00 00 00 01 41 | ff ff ff ff | 00 00"));
            return TraceContextHeader.Read(ref r);
        });
    }

    [Fact]
    public void TheTracedOpcodeIsNoZooKeeperOpcode()
    {
        Assert.False(Enum.IsDefined(typeof(OpCode), TraceContextExtension.TracedRequestType));
    }

    private static TraceContextHeader Decode(TraceContextHeader header)
    {
        using var writer = new JuteWriter();
        header.Write(writer);
        var reader = new JuteReader(writer.WrittenSpan);
        return TraceContextHeader.Read(ref reader);
    }
}
