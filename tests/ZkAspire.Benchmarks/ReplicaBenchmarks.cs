// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using BenchmarkDotNet.Attributes;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Benchmarks;

/// <summary>
/// The data tree's hot operations through the pure core: a decoded request in, the reply out
/// through <see cref="IReplicaOutput"/>, in memory (no persistence), one session. The request
/// records are made once, as if the transport had decoded them, so the allocations reported are
/// the core's own.
/// </summary>
[MemoryDiagnoser]
public class ReplicaBenchmarks
{
    private const long Connection = 1;
    private const int Keys = 1000;
    private const long Now = 1_700_000_000_000;

    private readonly RecordingOutput _output = new();
    private Replica _replica = null!;
    private ClientRequest[] _getData = [];
    private ClientRequest[] _setData = [];
    private ClientRequest[] _exists = [];
    private ClientRequest _create;
    private ClientRequest _delete;
    private int _xid;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _replica = ReplicaSetup.CreateWithSession(_output, Connection);
        var data = new byte[100];
        new Random(42).NextBytes(data);
        var paths = Enumerable.Range(0, Keys).Select(i => "/bench/k" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        _replica.RequestReceived(Connection, new ClientRequest(++_xid, (int)OpCode.Create, new CreateRequest("/bench", null, Acls.OpenAclUnsafe, 0)), Now);
        foreach (var path in paths)
        {
            _replica.RequestReceived(Connection, new ClientRequest(++_xid, (int)OpCode.Create, new CreateRequest(path, data, Acls.OpenAclUnsafe, 0)), Now);
            _output.EnsureOk();
        }

        // Reads as the transport decodes them: (path, watch) inline, no request record.
        _getData = paths.Select(p => ClientRequest.PathRead(0, (int)OpCode.GetData, p, false)).ToArray();
        _exists = paths.Select(p => ClientRequest.PathRead(0, (int)OpCode.Exists, p, false)).ToArray();
        _setData = paths.Select(p => new ClientRequest(0, (int)OpCode.SetData, new SetDataRequest(p, data, -1))).ToArray();
        _create = new ClientRequest(0, (int)OpCode.Create, new CreateRequest("/bench/new", data, Acls.OpenAclUnsafe, 0));
        _delete = new ClientRequest(0, (int)OpCode.Delete, new DeleteRequest("/bench/new", -1));
    }

    [GlobalCleanup]
    public void Check() => _output.EnsureOk();

    [Benchmark(Description = "getData (100 B)")]
    public void GetData() => Step(_getData);

    [Benchmark(Description = "exists")]
    public void Exists() => Step(_exists);

    [Benchmark(Description = "setData (100 B)")]
    public void SetData() => Step(_setData);

    [Benchmark(Description = "create + delete (2 txns)")]
    public void CreateAndDelete()
    {
        _replica.RequestReceived(Connection, _create with { Xid = ++_xid }, Now);
        _replica.RequestReceived(Connection, _delete with { Xid = ++_xid }, Now);
    }

    private void Step(ClientRequest[] requests)
    {
        var request = requests[_next++ % requests.Length];
        _replica.RequestReceived(Connection, request with { Xid = ++_xid }, Now);
    }
}
