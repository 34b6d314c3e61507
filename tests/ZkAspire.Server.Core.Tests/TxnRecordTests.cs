// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>The txn records round-trip in ZooKeeper's layout, so the txn log can store them.</summary>
public sealed class TxnRecordTests
{
    public static TheoryData<TxnLogEntry> Entries() =>
    [
        Entry(OpCode.Create, new CreateTxn("/a", [1, 2], Acls.OpenAclUnsafe, true, 3)),
        Entry(OpCode.Create2, new CreateTxn("/a", null, Acls.CreatorAllAcl, false, -1)),
        Entry(OpCode.CreateTTL, new CreateTTLTxn("/t", [], Acls.ReadAclUnsafe, 4, 1000)),
        Entry(OpCode.CreateContainer, new CreateContainerTxn("/c", [7], Acls.OpenAclUnsafe, 1)),
        Entry(OpCode.Delete, new DeleteTxn("/a")),
        Entry(OpCode.DeleteContainer, new DeleteTxn("/c")),
        Entry(OpCode.SetData, new SetDataTxn("/a", null, 5)),
        Entry(OpCode.SetACL, new SetACLTxn("/a", Acls.OpenAclUnsafe, 2)),
        Entry(OpCode.CreateSession, new CreateSessionTxn(30_000)),
        Entry(OpCode.CloseSession, new CloseSessionTxn(["/e1", "/p/e2"])),
        Entry(OpCode.Error, new ErrorTxn((int)KeeperErrorCode.NodeExists)),
        Entry(OpCode.Multi, new MultiTxn(
        [
            new Txn((int)OpCode.Create, new CreateTxn("/m", null, Acls.OpenAclUnsafe, false, 1)),
            new Txn((int)OpCode.Check, new CheckVersionTxn("/m", 1)),
            new Txn((int)OpCode.Error, new ErrorTxn(-2)),
        ])),
    ];

    [Theory]
    [MemberData(nameof(Entries))]
    public void EntryRoundTrips(TxnLogEntry entry)
    {
        using var writer = new JuteWriter();
        entry.Write(writer);
        var reader = new JuteReader(writer.WrittenSpan);
        var read = TxnLogEntry.Read(ref reader);

        Assert.True(reader.IsAtEnd);
        Assert.Equal(entry.Header, read.Header);
        using var again = new JuteWriter();
        read.Write(again);
        Assert.Equal(writer.ToArray(), again.ToArray());
    }

    [Fact]
    public void HeaderAndSubTxnUseZooKeepersLayout()
    {
        using var writer = new JuteWriter();
        new TxnHeader(0x0102030405060708, 9, 0x0A, 0x0B, (int)OpCode.Multi).Write(writer);
        new MultiTxn([new Txn((int)OpCode.Delete, new DeleteTxn("/a"))]).Write(writer);

        Assert.Equal(
            Convert.FromHexString(
                "0102030405060708" + "00000009" + "000000000000000A" + "000000000000000B" + "0000000E"
                + "00000001" // one sub-txn
                + "00000002" + "00000006" + "00000002" + "2F61"), // type delete, buffer of 6 bytes: the DeleteTxn
            writer.ToArray());
    }

    private static TxnLogEntry Entry(OpCode type, IJuteRecord txn) => new(new TxnHeader(0x100, 7, 42, 1_700_000_000_000, (int)type), txn);
}
