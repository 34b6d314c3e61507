// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Buffers;

namespace ZkAspire.Protocol.Tests;

/// <summary>
/// The hex examples of §22 of the wire-protocol doc, byte for byte, in both directions: our
/// encoder produces exactly these frames, and our decoder reads them back to the same values.
/// </summary>
public sealed class HexExampleTests
{
    private static readonly byte[] JavaPassword = Hex.Parse("c0 40 a2 56 4d 43 d7 a6 9e a1 1b e9 de 0c 42 ab");

    // §22.1
    private const string ConnectRequestDump = """
        0000: 00 00 00 2d                      frame length = 45
        0004: 00 00 00 00                      protocolVersion = 0
        0008: 00 00 00 00 00 00 00 00          lastZxidSeen = 0
        0010: 00 00 75 30                      timeOut = 30000
        0014: 00 00 00 00 00 00 00 00          sessionId = 0
        001c: 00 00 00 10                      passwd length = 16
        0020: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00   passwd
        0030: 00                               readOnly = false
        """;

    // §22.2
    private const string ConnectResponseDump = """
        0000: 00 00 00 25                      frame length = 37
        0004: 00 00 00 00                      protocolVersion = 0
        0008: 00 00 75 30                      negotiated timeOut = 30000
        000c: 01 00 00 0a 3c 5e 00 00          sessionId
        0014: 00 00 00 10                      passwd length = 16
        0018: c0 40 a2 56 4d 43 d7 a6 9e a1 1b e9 de 0c 42 ab   passwd (Java-Random derived, §4.5)
        0028: 00                               readOnly = false
        """;

    // §22.3
    private const string CreateRequestDump = """
        0000: 00 00 00 35                      frame length = 53
        0004: 00 00 00 01                      xid = 1
        0008: 00 00 00 01                      type = 1 (create)
        000c: 00 00 00 04 2f 61 70 70          path "/app"
        0014: 00 00 00 02 68 69                data "hi"
        001a: 00 00 00 01                      acl vector count = 1
        001e: 00 00 00 1f                        perms = 31
        0022: 00 00 00 05 77 6f 72 6c 64         scheme "world"
        002b: 00 00 00 06 61 6e 79 6f 6e 65      id "anyone"
        0035: 00 00 00 00                      flags = 0
        """;

    // §22.5
    private const string MultiRequestDump = """
        0000: 00 00 00 58 00 00 00 03 00 00 00 0e            len 88, xid 3, type 14
        000c: 00 00 00 01 00 ff ff ff ff                     MultiHeader{1, false, -1}
        0015: 00 00 00 02 2f 6d 00 00 00 00                   path "/m", data empty
        001f: 00 00 00 01 00 00 00 1f 00 00 00 05 77 6f 72 6c 64 00 00 00 06 61 6e 79 6f 6e 65
        003a: 00 00 00 00                                     flags 0
        003e: 00 00 00 0d 00 ff ff ff ff                     MultiHeader{13, false, -1}
        0047: 00 00 00 04 2f 61 70 70 00 00 00 00             path "/app", version 0
        0053: ff ff ff ff 01 ff ff ff ff                     end marker {-1, true, -1}
        """;

    private const string MultiResponseDump = """
        0000: 00 00 00 33 00 00 00 03 00 00 00 00 00 00 00 07 00 00 00 00   len 51, xid 3, zxid 7, err 0
        0014: ff ff ff ff 00 00 00 00 00 00 00 00 00   {-1,false,0} + ErrorResponse 0   (create, rolled back)
        0021: ff ff ff ff 00 ff ff ff 99 ff ff ff 99   {-1,false,-103} + ErrorResponse -103 (check)
        002e: ff ff ff ff 01 ff ff ff ff               end marker
        """;

    [Fact]
    public void ConnectRequestFromANewClient()
    {
        var expected = Hex.ParseDump(ConnectRequestDump);
        Assert.Equal(49, expected.Length);
        var request = new ConnectRequest(0, 0, 30_000, 0, new byte[16], false);

        AssertFrame(expected, Jute.Frame(request));
        Structural.AssertEqual(request, Jute.Decode<ConnectRequest>(Payload(expected)));
    }

    [Fact]
    public void ConnectRequestFromAnOldClientLacksTheReadOnlyByte()
    {
        // "An old client sends the same without the last byte and length 0x2c."
        var expected = Hex.ParseDump(ConnectRequestDump)[..^1];
        expected[3] = 0x2c;
        var request = new ConnectRequest(0, 0, 30_000, 0, new byte[16], null);

        AssertFrame(expected, Jute.Frame(request));
        Structural.AssertEqual(request, Jute.Decode<ConnectRequest>(Payload(expected)));
    }

    [Fact]
    public void ConnectResponseToANewClient()
    {
        var expected = Hex.ParseDump(ConnectResponseDump);
        Assert.Equal(41, expected.Length);
        var response = new ConnectResponse(0, 30_000, 0x0100000A3C5E0000, JavaPassword, false);

        AssertFrame(expected, Jute.Frame(response));
        Structural.AssertEqual(response, Jute.Decode<ConnectResponse>(Payload(expected)));
    }

    [Fact]
    public void ConnectResponseToAnOldClientLacksTheReadOnlyByte()
    {
        var expected = Hex.ParseDump(ConnectResponseDump)[..^1];
        expected[3] = 0x24;
        var response = new ConnectResponse(0, 30_000, 0x0100000A3C5E0000, JavaPassword, null);

        AssertFrame(expected, Jute.Frame(response));
        Structural.AssertEqual(response, Jute.Decode<ConnectResponse>(Payload(expected)));
    }

    [Fact]
    public void ConnectResponseForAnExpiredSession()
    {
        var expected = Hex.Parse("00 00 00 25 | 00 00 00 00 | 00 00 00 00 | 00 00 00 00 00 00 00 00 | 00 00 00 10 | 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 | 00");
        var response = new ConnectResponse(0, 0, 0, new byte[16], false);

        AssertFrame(expected, Jute.Frame(response));
        Structural.AssertEqual(response, Jute.Decode<ConnectResponse>(Payload(expected)));
    }

    [Fact]
    public void CreateRequest()
    {
        var expected = Hex.ParseDump(CreateRequestDump);
        Assert.Equal(57, expected.Length);
        var header = new RequestHeader(1, (int)OpCode.Create);
        var body = new CreateRequest("/app", "hi"u8.ToArray(), Acls.OpenAclUnsafe, (int)CreateMode.Persistent);

        AssertFrame(expected, Jute.Frame(header, body));
        var reader = new JuteReader(Payload(expected));
        Assert.Equal(header, reader.ReadRecord<RequestHeader>());
        Assert.True(RequestBodies.TryRead(OpCode.Create, ref reader, out var decoded));
        Assert.True(reader.IsAtEnd);
        Structural.AssertEqual(body, decoded);
    }

    [Fact]
    public void Create2RequestDiffersOnlyInTheOpcode()
    {
        var expected = Hex.ParseDump(CreateRequestDump);
        expected[0x0b] = 0x0f;
        var frame = Jute.Frame(new RequestHeader(1, (int)OpCode.Create2), new CreateRequest("/app", "hi"u8.ToArray(), Acls.OpenAclUnsafe, 0));
        AssertFrame(expected, frame);
    }

    [Fact]
    public void CreateReply()
    {
        var expected = Hex.Parse("00 00 00 18 | 00 00 00 01 | 00 00 00 00 00 00 00 02 | 00 00 00 00 | 00 00 00 04 2f 61 70 70");
        AssertFrame(expected, Jute.Frame(new ReplyHeader(1, 2, 0), new CreateResponse("/app")));

        var reader = new JuteReader(Payload(expected));
        Assert.Equal(new ReplyHeader(1, 2, 0), reader.ReadRecord<ReplyHeader>());
        Assert.Equal(new CreateResponse("/app"), reader.ReadRecord<CreateResponse>());
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void CreateReplyWithNodeExistsHasNoBody()
    {
        var expected = Hex.Parse("00 00 00 10 | 00 00 00 01 | 00 00 00 00 00 00 00 03 | ff ff ff 92");
        var header = new ReplyHeader(1, 3, (int)KeeperErrorCode.NodeExists);
        AssertFrame(expected, Jute.Frame(header));
        Assert.Equal(header, Jute.Decode<ReplyHeader>(Payload(expected)));
        Assert.Equal(KeeperErrorCode.NodeExists, header.Error);
    }

    [Fact]
    public void Create2ReplyCarriesPathThenStat()
    {
        var frame = Jute.Frame(new ReplyHeader(1, 2, 0), new Create2Response("/app", RecordSamples.SampleStat));
        Assert.Equal(4 + 16 + 8 + Stat.EncodedSize, frame.Length);
        Assert.Equal("00 00 00 04 2f 61 70 70", Hex.Format(frame.AsSpan(20, 8)));
        Assert.Equal(Hex.Format(Jute.Encode(RecordSamples.SampleStat)), Hex.Format(frame.AsSpan(28)));
    }

    [Fact]
    public void PingRequestAndReply()
    {
        var request = Hex.Parse("00 00 00 08 ff ff ff fe 00 00 00 0b");
        AssertFrame(request, Jute.Frame(new RequestHeader(Xids.Ping, (int)OpCode.Ping)));
        var reader = new JuteReader(Payload(request));
        Assert.Equal(new RequestHeader(-2, 11), reader.ReadRecord<RequestHeader>());
        Assert.True(RequestBodies.TryRead(OpCode.Ping, ref reader, out var body));
        Assert.Null(body);

        var reply = Hex.Parse("00 00 00 10 ff ff ff fe 00 00 00 00 00 00 00 02 00 00 00 00");
        AssertFrame(reply, Jute.Frame(new ReplyHeader(Xids.Ping, 2, 0)));
        Assert.Equal(new ReplyHeader(-2, 2, 0), Jute.Decode<ReplyHeader>(Payload(reply)));
    }

    [Fact]
    public void GetDataWithWatch()
    {
        var expected = Hex.Parse("00 00 00 11 00 00 00 02 00 00 00 04 00 00 00 04 2f 61 70 70 01");
        AssertFrame(expected, Jute.Frame(new RequestHeader(2, (int)OpCode.GetData), new GetDataRequest("/app", true)));

        var reader = new JuteReader(Payload(expected));
        Assert.Equal(new RequestHeader(2, 4), reader.ReadRecord<RequestHeader>());
        Assert.True(RequestBodies.TryRead(OpCode.GetData, ref reader, out var body));
        Assert.Equal(new GetDataRequest("/app", true), body);
    }

    [Fact]
    public void Notification()
    {
        // The doc's example is a 3.9 notification (zxid 3); a 3.8 server writes −1 there.
        var expected = Hex.Parse("""
            00 00 00 20 ff ff ff ff 00 00 00 00 00 00 00 03 00 00 00 00
            00 00 00 03 00 00 00 03 00 00 00 04 2f 61 70 70
            """);
        var header = new ReplyHeader(Xids.Notification, 3, 0);
        var watcherEvent = new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/app");
        AssertFrame(expected, Jute.Frame(header, watcherEvent));

        var reader = new JuteReader(Payload(expected));
        Assert.Equal(header, reader.ReadRecord<ReplyHeader>());
        Assert.Equal(watcherEvent, reader.ReadRecord<WatcherEvent>());
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void AuthDigest()
    {
        var expected = Hex.Parse("""
            00 00 00 26 ff ff ff fc 00 00 00 64 00 00 00 00 00 00 00 06
            64 69 67 65 73 74 00 00 00 0c 61 6c 69 63 65 3a 73 65 63 72 65 74
            """);
        var packet = new AuthPacket(0, "digest", "alice:secret"u8.ToArray());
        AssertFrame(expected, Jute.Frame(new RequestHeader(Xids.Auth, (int)OpCode.Auth), packet));

        var reader = new JuteReader(Payload(expected));
        Assert.Equal(new RequestHeader(-4, 100), reader.ReadRecord<RequestHeader>());
        Assert.True(RequestBodies.TryRead(OpCode.Auth, ref reader, out var body));
        Structural.AssertEqual(packet, body);
    }

    [Fact]
    public void MultiRequestWithCreateAndCheck()
    {
        var expected = Hex.ParseDump(MultiRequestDump);
        Assert.Equal(92, expected.Length);
        var multi = new MultiRequest(
        [
            new MultiOp(OpCode.Create, new CreateRequest("/m", [], Acls.OpenAclUnsafe, 0)),
            new MultiOp(OpCode.Check, new CheckVersionRequest("/app", 0)),
        ]);
        AssertFrame(expected, Jute.Frame(new RequestHeader(3, (int)OpCode.Multi), multi));

        var reader = new JuteReader(Payload(expected));
        Assert.Equal(new RequestHeader(3, 14), reader.ReadRecord<RequestHeader>());
        Assert.True(RequestBodies.TryRead(OpCode.Multi, ref reader, out var body));
        Assert.True(reader.IsAtEnd);
        Structural.AssertEqual(multi, body);
    }

    [Fact]
    public void MultiResponseWhenTheCheckFails()
    {
        var expected = Hex.ParseDump(MultiResponseDump);
        Assert.Equal(55, expected.Length);
        var header = new ReplyHeader(3, 7, 0);
        var response = new MultiResponse([OpResult.Error(KeeperErrorCode.Ok), OpResult.Error(KeeperErrorCode.BadVersion)]);
        AssertFrame(expected, Jute.Frame(header, response));

        var reader = new JuteReader(Payload(expected));
        Assert.Equal(header, reader.ReadRecord<ReplyHeader>());
        var decoded = reader.ReadRecord<MultiResponse>();
        Assert.True(reader.IsAtEnd);
        Structural.AssertEqual(response, decoded);
        Assert.Equal([KeeperErrorCode.Ok, KeeperErrorCode.BadVersion], decoded.Results.Select(r => r.Err));
        Assert.All(decoded.Results, r => Assert.Equal(OpCode.Error, r.Type));
    }

    /// <summary>Compares frames as hex text, so a failure shows both dumps.</summary>
    private static void AssertFrame(byte[] expected, byte[] actual) => Assert.Equal(Hex.Format(expected), Hex.Format(actual));

    /// <summary>Takes the payload out of a frame through <see cref="Framing.TryReadFrame"/>, checking the length.</summary>
    private static byte[] Payload(byte[] frame)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.True(Framing.TryReadFrame(ref buffer, JuteLimits.DefaultMaxBuffer, out var payload));
        Assert.True(buffer.IsEmpty);
        return payload.ToArray();
    }
}
