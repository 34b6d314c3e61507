// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Server.Core.Tests;

/// <summary>
/// getData, exists, getChildren and getChildren2 decoded with their (path, watch) body inline
/// (<see cref="ClientRequest.Read"/>, what the server's transport does) read the same bytes as
/// their records and are served exactly as the records are.
/// </summary>
public sealed class InlineReadTests
{
    public static TheoryData<OpCode, bool> PathReads() => new()
    {
        { OpCode.GetData, false },
        { OpCode.GetData, true },
        { OpCode.Exists, false },
        { OpCode.Exists, true },
        { OpCode.GetChildren, false },
        { OpCode.GetChildren, true },
        { OpCode.GetChildren2, false },
        { OpCode.GetChildren2, true },
    };

    [Theory]
    [MemberData(nameof(PathReads))]
    public void A_path_read_decodes_inline_from_the_bytes_of_its_record(OpCode type, bool watch)
    {
        var frame = Frame(new RequestHeader(9, (int)type), RecordFor(type, "/a/é", watch));
        var reader = new JuteReader(frame);
        var request = ClientRequest.Read(RequestHeader.Read(ref reader), ref reader);

        Assert.Equal(0, reader.Remaining);
        Assert.Null(request.Body);
        Assert.Equal(KeeperErrorCode.Ok, request.DecodeError);
        Assert.Equal((9, (int)type, "/a/é", watch), (request.Xid, request.Type, request.Path, request.Watch));
        Assert.Equal(request, ClientRequest.PathRead(9, (int)type, "/a/é", watch));
    }

    [Theory]
    [InlineData(OpCode.GetData)]
    [InlineData(OpCode.Exists)]
    [InlineData(OpCode.GetChildren2)]
    public void A_path_read_that_does_not_decode_is_a_marshalling_error_as_its_record_is(OpCode type)
    {
        // A null path, then a frame cut before the watch flag.
        using var writer = new JuteWriter();
        new RequestHeader(3, (int)type).Write(writer);
        writer.WriteString(null);
        writer.WriteBool(false);
        byte[] truncated = [.. Frame(new RequestHeader(3, (int)type), RecordFor(type, "/a", true)).AsSpan(0..^1)];

        foreach (var bytes in new[] { writer.ToArray(), truncated })
        {
            var reader = new JuteReader(bytes);
            var request = ClientRequest.Read(RequestHeader.Read(ref reader), ref reader);
            Assert.Equal(KeeperErrorCode.MarshallingError, request.DecodeError);
            Assert.Null(request.Path);
            Assert.Null(request.Body);
        }
    }

    [Fact]
    public void Other_requests_decode_into_their_records()
    {
        var frame = Frame(new RequestHeader(4, (int)OpCode.SetData), new SetDataRequest("/a", [1], 3));
        var reader = new JuteReader(frame);
        var request = ClientRequest.Read(RequestHeader.Read(ref reader), ref reader);
        var body = Assert.IsType<SetDataRequest>(request.Body);
        Assert.Equal(("/a", 3), (body.Path, body.Version));
        Assert.Equal([1], body.Data);
        Assert.Null(request.Path);
        Assert.Throws<ArgumentException>(() => ClientRequest.PathRead(1, (int)OpCode.SetData, "/a", false));
    }

    [Theory]
    [MemberData(nameof(PathReads))]
    public void An_inline_read_is_served_as_its_record_is_including_its_watch(OpCode type, bool watch)
    {
        var inline = Run(useInline: true, type, watch);
        var records = Run(useInline: false, type, watch);
        Assert.Equal(records.Count, inline.Count);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(records[i].Header, inline[i].Header);
            Assert.Equal(Encode(records[i].Body), Encode(inline[i].Body));
        }

        // The watch (a data watch for getData and exists, a child watch for the others) fired.
        Assert.Equal(watch, inline.Any(f => f.IsNotification));
    }

    private static List<Frame> Run(bool useInline, OpCode type, bool watch)
    {
        var server = new TestServer();
        var reader = server.Connect();
        var writer = server.Connect();
        writer.Create("/p", [1, 2, 3]);
        writer.Create("/p/c");
        var skip = server.Output.Frames.Count;

        foreach (var path in new[] { "/p", "/missing", "/p/c" })
        {
            var request = useInline ? ClientRequest.PathRead(77, (int)type, path, watch) : new ClientRequest(77, (int)type, RecordFor(type, path, watch));
            server.Replica.RequestReceived(reader.ConnectionId, request, server.NowMs);
        }

        writer.SetData("/p", [4]);
        writer.Create("/p/d");
        return server.Output.Frames.Skip(skip).Where(f => f.ConnectionId == reader.ConnectionId).ToList();
    }

    private static IJuteRecord RecordFor(OpCode type, string path, bool watch) => type switch
    {
        OpCode.GetData => new GetDataRequest(path, watch),
        OpCode.Exists => new ExistsRequest(path, watch),
        OpCode.GetChildren => new GetChildrenRequest(path, watch),
        _ => new GetChildren2Request(path, watch),
    };

    private static byte[] Frame(RequestHeader header, IJuteRecord body)
    {
        using var writer = new JuteWriter();
        header.Write(writer);
        body.Write(writer);
        return writer.ToArray();
    }

    private static byte[] Encode(IJuteRecord? record)
    {
        using var writer = new JuteWriter();
        record?.Write(writer);
        return writer.ToArray();
    }
}
