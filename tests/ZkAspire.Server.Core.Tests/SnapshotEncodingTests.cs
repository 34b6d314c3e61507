// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// The snapshot's records are written straight into the chunk's buffer (the path's UTF-8 from a
/// reused buffer, the Stat in one span, the ACL matched against the last one): the bytes must be
/// exactly those of the record layout (docs/storage-format.md, ZooKeeper's jute encodings), and
/// each znode must refer to the ACL record of its own ACL, whatever the chunking.
/// </summary>
public sealed class SnapshotEncodingTests
{
    private static readonly IReadOnlyList<ACL> ReadWrite = [new ACL(Perms.Read | Perms.Write, Id.AnyoneIdUnsafe)];

    [Fact]
    public void EveryRecordIsEncodedAsJuteEncodesItAndChunkingDoesNotChangeTheBytes()
    {
        var server = BuildTree();

        var whole = Serialize(server, maxRecords: 100_000);
        Assert.Equal(whole, Serialize(server, maxRecords: 1));
        Assert.Equal(whole, Serialize(server, maxRecords: 3));

        // Each record, read back and written again through JuteWriter's own methods, is the same bytes.
        var reader = new SnapshotRecordReader(whole);
        var start = 0;
        var nodes = 0;
        using var again = new JuteWriter();
        while (reader.TryRead(out var kind))
        {
            again.Clear();
            again.WriteByte((byte)kind);
            switch (kind)
            {
                case SnapshotRecordKind.Begin:
                    again.WriteInt(reader.FormatVersion);
                    again.WriteLong(reader.StartZxid);
                    again.WriteInt(reader.SessionCount);
                    again.WriteLong(reader.NodeCount);
                    break;
                case SnapshotRecordKind.Session:
                    again.WriteLong(reader.SessionId);
                    again.WriteInt(reader.TimeoutMs);
                    break;
                case SnapshotRecordKind.Acl:
                    again.WriteInt(reader.AclId);
                    again.WriteVector(reader.Acl);
                    break;
                case SnapshotRecordKind.Node:
                    again.WriteString(reader.Path);
                    again.WriteBuffer(reader.Data);
                    again.WriteInt(reader.AclId);
                    reader.Stat.Write(again);
                    nodes++;
                    break;
                case SnapshotRecordKind.End:
                    again.WriteLong(reader.NodeCount);
                    again.WriteInt(reader.SessionCount);
                    again.WriteInt(reader.AclCount);
                    break;
            }

            Assert.Equal(whole.AsSpan(start, reader.Position - start).ToArray(), again.ToArray());
            start = reader.Position;
        }

        Assert.Equal(whole.Length, start);
        Assert.Equal(server.Replica.BeginSnapshot().NodeCountAtStart, nodes);
    }

    [Fact]
    public void EachZnodeRefersToTheAclRecordOfItsOwnAcl()
    {
        var server = BuildTree();
        var client = server.Connect();
        var records = Serialize(server, maxRecords: 2);

        var acls = new Dictionary<int, IReadOnlyList<ACL>>();
        var reader = new SnapshotRecordReader(records);
        var checkedNodes = 0;
        while (reader.TryRead(out var kind))
        {
            if (kind == SnapshotRecordKind.Acl)
            {
                Assert.True(acls.TryAdd(reader.AclId, reader.Acl), $"ACL id {reader.AclId} written twice");
            }
            else if (kind == SnapshotRecordKind.Node)
            {
                var expected = client.Ok<GetACLResponse>(OpCode.GetACL, new GetACLRequest(reader.Path)).Acl!;
                Assert.Equal(expected, acls[reader.AclId]);
                var data = client.GetData(reader.Path).Data;
                Assert.Equal(data ?? [], reader.Data ?? []);
                checkedNodes++;
            }
            else if (kind == SnapshotRecordKind.End)
            {
                Assert.Equal(acls.Count, reader.AclCount);
            }
        }

        Assert.Equal(server.Replica.BeginSnapshot().NodeCountAtStart, checkedNodes);

        // Three distinct ACLs among the znodes, each written once however the znodes alternate.
        Assert.Equal(3, acls.Count);
    }

    [Fact]
    public void ZnodesWithEqualAclsShareOneListAfterASnapshotAndTheNextWritesTheSameBytes()
    {
        var server = BuildTree();
        var tree = server.Replica.Tree;

        // The 20 children under /d0../d3 hold three distinct ACLs. The test server decodes each
        // request anew, so their creates carried lists of their own; the tree keeps one per
        // distinct ACL. A znode whose list is its own (past the tree's table, or set before it
        // shared them) is given the snapshot's shared list.
        var children = Enumerable.Range(0, 20).Select(i => tree.GetNode("/d" + (i % 4) + "/c" + i)!).ToArray();
        int Lists() => children.Select(n => n.Acl).Distinct(ReferenceEqualityComparer.Instance).Count();
        Assert.Equal(3, Lists());
        children[5].Acl = [.. children[5].Acl];
        children[6].Acl = [.. children[6].Acl];
        Assert.Equal(5, Lists());

        var first = Serialize(server, maxRecords: 5);
        Assert.Equal(3, Lists());
        Assert.Same(tree.GetNode("/none")!.Acl, tree.GetNode("/d0/c0")!.Acl);

        // Sharing changes no content: the next snapshot of the same state is the same bytes.
        Assert.Equal(first, Serialize(server, maxRecords: 5));
        var client = server.Connect();
        Assert.Equal(ReadWrite, client.Ok<GetACLResponse>(OpCode.GetACL, new GetACLRequest("/d2/c2")).Acl);
    }

    private static TestServer BuildTree()
    {
        var server = new TestServer();
        var client = server.Connect();

        // No data (-1 on the wire), empty data, non-ASCII paths (two- and three-byte UTF-8;
        // ZooKeeper refuses surrogates in paths, §18), a deeper tree, and ACLs that alternate and
        // are equal by content but not by reference, as each decoded create has a list of its own.
        client.Ok<CreateResponse>(OpCode.Create, new CreateRequest("/none", null, Acls.OpenAclUnsafe, 0));
        client.Create("/empty", []);
        client.Create("/\u00fcber", [1, 2, 3]);
        client.Create("/\u00fcber/\u65e5\u672c", new byte[300]);
        client.Create("/\u00fcber/\u03a9\u00e9t\u00e9", [0xFF], acl: Acls.ReadAclUnsafe);
        for (var i = 0; i < 4; i++)
        {
            client.Create("/d" + i, data: [(byte)i]);
        }

        for (var i = 0; i < 20; i++)
        {
            IReadOnlyList<ACL> acl = (i % 3) switch
            {
                0 => [new ACL(Perms.All, new Id(new string("world"), new string("anyone")))],
                1 => Acls.ReadAclUnsafe,
                _ => ReadWrite,
            };
            client.Create("/d" + (i % 4) + "/c" + i, data: new byte[i], acl: acl);
        }

        client.SetData("/empty", [9, 9]);
        return server;
    }

    private static byte[] Serialize(TestServer server, int maxRecords)
    {
        var snapshot = server.Replica.BeginSnapshot();
        using var all = new JuteWriter();
        for (var i = 0; i < 10_000; i++)
        {
            using var chunk = new JuteWriter(16);
            var done = snapshot.WriteChunk(chunk, maxRecords);
            all.WriteRaw(chunk.WrittenSpan);
            if (done)
            {
                return all.ToArray();
            }
        }

        throw new InvalidOperationException("the snapshot did not complete");
    }
}
