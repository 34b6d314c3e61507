// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Server.Consensus.Tests;

public sealed class CodecTests
{
    public static TheoryData<PeerMessage> Messages() =>
    [
        new Notification(3, 0x1_0000_0002, 7, ServerState.Following, 1),
        new LearnerInfo(LearnerType.Participant, 4),
        new LearnerInfo(LearnerType.Observer, 4),
        new LeaderInfo(5),
        new AckEpoch(5, -1, 0x4_0000_0009),
        new SyncStart(5, SyncMode.Diff, 0x4_0000_0009, default),
        new SyncStart(5, SyncMode.Trunc, 0x4_0000_0001, default),
        new SyncStart(5, SyncMode.Snap, 0x4_0000_0007, new byte[] { 1, 2, 3 }),
        new NewLeader(5, 0x4_0000_0009),
        new AckNewLeader(5, 0x4_0000_0009),
        new UpToDate(5, 0x4_0000_0009),
        new Proposal(5, 0x4_0000_0009, 0x5_0000_0001, new byte[] { 9, 8 }),
        new Ack(5, 0x5_0000_0001),
        new Commit(5, 0x5_0000_0001),
        new Inform(5, 0x4_0000_0009, 0x5_0000_0001, new byte[] { 7 }),
        new Ping(5, 42, 0x5_0000_0001),
        new PingReply(5, 42, 0x5_0000_0001, new byte[] { 1 }),
        new QuorumSync(5, 11),
        new QuorumSyncReply(5, 11, 0x5_0000_0001),
        new LearnerRequest(5, new byte[] { 4, 4 }),
        new LeaderReply(5, new byte[] { 5 }),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void EveryMessageRoundTrips(PeerMessage message)
    {
        var bytes = PeerMessageCodec.Encode(message);
        Assert.Equal(PeerMessageCodec.Version, bytes[0]);
        Assert.Equal((byte)message.Type, bytes[1]);
        var decoded = PeerMessageCodec.Decode(bytes);
        Assert.Equal(message.ToString(), decoded.ToString());
        Assert.Equal(bytes, PeerMessageCodec.Encode(decoded));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void EveryTruncationIsAProtocolException(PeerMessage message)
    {
        var bytes = PeerMessageCodec.Encode(message);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<ProtocolException>(() => PeerMessageCodec.Decode(bytes.AsSpan(0, length)));
        }

        var longer = bytes.Concat(new byte[] { 0 }).ToArray();
        Assert.Throws<ProtocolException>(() => PeerMessageCodec.Decode(longer));
    }

    [Fact]
    public void AnotherVersionIsRefusedByName()
    {
        var bytes = PeerMessageCodec.Encode(new Ping(1, 1, 0));
        bytes[0] = 2;
        var ex = Assert.Throws<ProtocolException>(() => PeerMessageCodec.Decode(bytes));
        Assert.Contains("version 2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 1, 99 })]
    [InlineData(new byte[] { 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 9, 0, 0, 0, 1 })]
    [InlineData(new byte[] { 1, 15, 0, 0, 0, 1, 7, 0, 0, 0, 0, 0, 0, 0, 1, 255, 255, 255, 255 })]
    [InlineData(new byte[] { 1, 21, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0x7f, 0xff, 0xff, 0xff })]
    public void GarbageIsAProtocolException(byte[] bytes) =>
        Assert.Throws<ProtocolException>(() => PeerMessageCodec.Decode(bytes));
}
