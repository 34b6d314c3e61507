// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using BenchmarkDotNet.Attributes;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Benchmarks;

/// <summary>
/// Encoding and decoding the frames of the common requests and replies, as the client and the
/// server do them: a reused <see cref="JuteWriter"/> for encoding; a <see cref="JuteReader"/> over
/// the frame's bytes for decoding, into the records (<see cref="RequestBodies"/>) or as the server's
/// transport does (<see cref="ClientRequest.Read"/>: the hottest reads without a record).
/// </summary>
[MemoryDiagnoser]
public class FrameBenchmarks
{
    private const string Path = "/zkaspire-bench/get-0123abcd/k123";

    private readonly JuteWriter _writer = new(4096);
    private readonly byte[] _data = new byte[100];
    private readonly GetDataRequest _getData = new(Path, false);
    private readonly SetDataRequest _setData;
    private readonly CreateRequest _create;
    private readonly GetDataResponse _getDataResponse;
    private readonly WatcherEvent _event = new(EventType.NodeDataChanged, KeeperState.SyncConnected, Path);
    private readonly Stat _stat = new(0x100000001, 0x100000fff, 1_700_000_000_000, 1_700_000_000_123, 42, 0, 0, 0, 100, 0, 0x100000001);
    private byte[] _getDataRequestFrame = [];
    private byte[] _setDataRequestFrame = [];
    private byte[] _createRequestFrame = [];
    private byte[] _getDataReplyFrame = [];
    private int _xid;

    public FrameBenchmarks()
    {
        new Random(42).NextBytes(_data);
        _setData = new SetDataRequest(Path, _data, -1);
        _create = new CreateRequest(Path, _data, Acls.OpenAclUnsafe, 0);
        _getDataResponse = new GetDataResponse(_data, _stat);
    }

    [GlobalSetup]
    public void Setup()
    {
        _getDataRequestFrame = Frame(new RequestHeader(7, (int)OpCode.GetData), _getData);
        _setDataRequestFrame = Frame(new RequestHeader(7, (int)OpCode.SetData), _setData);
        _createRequestFrame = Frame(new RequestHeader(7, (int)OpCode.Create), _create);
        _getDataReplyFrame = Frame(new ReplyHeader(7, 0x100000fff, 0), _getDataResponse);
    }

    [Benchmark(Description = "encode getData request")]
    public int EncodeGetDataRequest()
    {
        _writer.Clear();
        Framing.WriteFrame(_writer, new RequestHeader(++_xid, (int)OpCode.GetData), _getData);
        return _writer.Length;
    }

    [Benchmark(Description = "encode setData request (100 B)")]
    public int EncodeSetDataRequest()
    {
        _writer.Clear();
        Framing.WriteFrame(_writer, new RequestHeader(++_xid, (int)OpCode.SetData), _setData);
        return _writer.Length;
    }

    [Benchmark(Description = "decode getData request (record)")]
    public IJuteRecord? DecodeGetDataRequest() => DecodeRequest(_getDataRequestFrame);

    [Benchmark(Description = "decode getData request (server)")]
    public ClientRequest DecodeGetDataRequestAsServer() => DecodeAsServer(_getDataRequestFrame);

    [Benchmark(Description = "decode setData request (server)")]
    public ClientRequest DecodeSetDataRequest() => DecodeAsServer(_setDataRequestFrame);

    [Benchmark(Description = "decode create request (server)")]
    public ClientRequest DecodeCreateRequest() => DecodeAsServer(_createRequestFrame);

    [Benchmark(Description = "encode getData reply (100 B)")]
    public int EncodeGetDataReply()
    {
        _writer.Clear();
        Framing.WriteFrame(_writer, new ReplyHeader(++_xid, 0x100000fff, 0), _getDataResponse);
        return _writer.Length;
    }

    [Benchmark(Description = "encode setData reply")]
    public int EncodeSetDataReply()
    {
        _writer.Clear();
        Framing.WriteFrame(_writer, new ReplyHeader(++_xid, 0x100000fff, 0), new SetDataResponse(_stat));
        return _writer.Length;
    }

    [Benchmark(Description = "decode getData reply (client)")]
    public GetDataResponse DecodeGetDataReply()
    {
        var reader = new JuteReader(_getDataReplyFrame.AsSpan(Framing.HeaderSize));
        ReplyHeader.Read(ref reader);
        return reader.ReadRecord<GetDataResponse>();
    }

    [Benchmark(Description = "encode watch notification")]
    public int EncodeNotification()
    {
        _writer.Clear();
        Framing.WriteFrame(_writer, new ReplyHeader(-1, 0x100000fff, 0), _event);
        return _writer.Length;
    }

    // As the server's transport: the hottest reads keep (path, watch) inline, the rest decode into records.
    private static ClientRequest DecodeAsServer(byte[] frame)
    {
        var reader = new JuteReader(frame.AsSpan(Framing.HeaderSize));
        return ClientRequest.Read(RequestHeader.Read(ref reader), ref reader);
    }

    private static IJuteRecord? DecodeRequest(byte[] frame)
    {
        var reader = new JuteReader(frame.AsSpan(Framing.HeaderSize));
        var header = RequestHeader.Read(ref reader);
        RequestBodies.TryRead(header.OpCode, ref reader, out var body);
        return body;
    }

    private static byte[] Frame<THeader>(THeader header, IJuteRecord body)
        where THeader : IJuteRecord
    {
        using var writer = new JuteWriter();
        Framing.WriteFrame(writer, header, body);
        return writer.ToArray();
    }
}
