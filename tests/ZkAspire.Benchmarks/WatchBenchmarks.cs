// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using BenchmarkDotNet.Attributes;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;

namespace ZkAspire.Benchmarks;

/// <summary>
/// Watch triggering in the pure core: <see cref="Watchers"/> connections each leave a data watch
/// on one znode (getData with watch), then another connection sets it, which fires every watch
/// (one notification per watcher) and removes them (one-time watches). One operation is the
/// whole round: the watch requests, the set and the notifications.
/// </summary>
[MemoryDiagnoser]
public class WatchBenchmarks
{
    private const long Setter = 1;
    private const long Now = 1_700_000_000_000;

    private readonly RecordingOutput _output = new();
    private Replica _replica = null!;
    private ClientRequest _watch;
    private ClientRequest _set;
    private int _xid;

    [Params(1, 100)]
    public int Watchers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var connections = Enumerable.Range(0, Watchers + 1).Select(i => Setter + i).ToArray();
        _replica = ReplicaSetup.CreateWithSession(_output, connections);
        var data = new byte[100];
        _replica.RequestReceived(Setter, new ClientRequest(++_xid, (int)OpCode.Create, new CreateRequest("/watched", data, Acls.OpenAclUnsafe, 0)), Now);
        _output.EnsureOk();
        _watch = ClientRequest.PathRead(0, (int)OpCode.GetData, "/watched", true);
        _set = new ClientRequest(0, (int)OpCode.SetData, new SetDataRequest("/watched", data, -1));
    }

    [GlobalCleanup]
    public void Check()
    {
        _output.EnsureOk();
        if (_output.Notifications == 0)
        {
            throw new InvalidOperationException("no watch fired");
        }
    }

    [Benchmark(Description = "watch, set, notify")]
    public void WatchAndTrigger()
    {
        for (var w = 1; w <= Watchers; w++)
        {
            _replica.RequestReceived(Setter + w, _watch with { Xid = ++_xid }, Now);
        }

        _replica.RequestReceived(Setter, _set with { Xid = ++_xid }, Now);
    }
}
