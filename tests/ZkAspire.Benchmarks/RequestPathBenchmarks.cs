// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using BenchmarkDotNet.Attributes;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;
using ZkAspire.Server.Core.Tests;

namespace ZkAspire.Benchmarks;

/// <summary>
/// A whole request on the server, from frame bytes to reply bytes: the transport's decode (the
/// request header, then <see cref="ClientRequest.Read"/>, as the server's connection reader
/// does), the pure core (<see cref="Replica.RequestReceived"/>, in memory, one session, 1,000
/// znodes of 100 bytes), and the reply encoded into a reused writer, as the event loop does
/// (<see cref="EncodingOutput"/>). Sockets, the loop's queue and the writer task are left out.
/// "Allocated" is what one request costs the garbage collector on the server.
/// </summary>
[MemoryDiagnoser]
public class RequestPathBenchmarks
{
    private const long Connection = 1;
    private const int Keys = 1000;
    private const long Now = 1_700_000_000_000;

    private readonly EncodingOutput _output = new();
    private Replica _replica = null!;
    private byte[][] _getData = [];
    private byte[][] _exists = [];
    private byte[][] _setData = [];
    private byte[] _getChildren = [];
    private byte[] _create = [];
    private byte[] _delete = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _replica = ReplicaSetup.CreateWithSession(_output, Connection);
        var data = new byte[100];
        new Random(42).NextBytes(data);
        var paths = Enumerable.Range(0, Keys).Select(i => "/bench/k" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        Run(Frame(OpCode.Create, new CreateRequest("/bench", null, Acls.OpenAclUnsafe, 0)));
        foreach (var path in paths)
        {
            Run(Frame(OpCode.Create, new CreateRequest(path, data, Acls.OpenAclUnsafe, 0)));
            _output.EnsureOk();
        }

        _getData = paths.Select(p => Frame(OpCode.GetData, new GetDataRequest(p, false))).ToArray();
        _exists = paths.Select(p => Frame(OpCode.Exists, new ExistsRequest(p, false))).ToArray();
        _setData = paths.Select(p => Frame(OpCode.SetData, new SetDataRequest(p, data, -1))).ToArray();
        _getChildren = Frame(OpCode.GetChildren, new GetChildrenRequest("/bench/k1", false));
        _create = Frame(OpCode.Create, new CreateRequest("/bench/new", data, Acls.OpenAclUnsafe, 0));
        _delete = Frame(OpCode.Delete, new DeleteRequest("/bench/new", -1));
    }

    [GlobalCleanup]
    public void Check() => _output.EnsureOk();

    [Benchmark(Description = "getData (100 B), frame to reply")]
    public void GetData() => Run(_getData[_next++ % Keys]);

    [Benchmark(Description = "exists, frame to reply")]
    public void Exists() => Run(_exists[_next++ % Keys]);

    [Benchmark(Description = "getChildren (no children), frame to reply")]
    public void GetChildren() => Run(_getChildren);

    [Benchmark(Description = "setData (100 B), frame to reply")]
    public void SetData() => Run(_setData[_next++ % Keys]);

    [Benchmark(Description = "create + delete, frame to reply")]
    public void CreateAndDelete()
    {
        Run(_create);
        Run(_delete);
    }

    private static byte[] Frame(OpCode type, IJuteRecord body)
    {
        using var writer = new JuteWriter();
        Framing.WriteFrame(writer, new RequestHeader(1, (int)type), body);
        return writer.ToArray();
    }

    private void Run(byte[] frame)
    {
        // As ClientConnection.DecodeBody: the header, then the body by opcode.
        var reader = new JuteReader(frame.AsSpan(Framing.HeaderSize));
        var header = RequestHeader.Read(ref reader);
        _replica.RequestReceived(Connection, ClientRequest.Read(header, ref reader), Now);
    }
}
