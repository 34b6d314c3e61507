// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using BenchmarkDotNet.Attributes;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;
using ZkAspire.Server.Storage;

namespace ZkAspire.Benchmarks;

/// <summary>
/// A whole fuzzy snapshot of a tree of <see cref="Nodes"/> znodes of 100 bytes, shaped as the load
/// tool's create workload leaves it (64 slot directories under /bench, each znode created by its
/// own request, so each has its own decoded ACL list, as on the wire). "loop" is the event loop's
/// part alone: every chunk serialized as <see cref="SnapshotDriver.Step"/> does, nothing written.
/// "loop + writer" is the driver end to end: the loop's steps, the hand-off, the writer thread's
/// checksums and writes into a file in memory (sync a no-op), until the file is renamed into place.
/// The time is per snapshot; the writer's part is the difference, as it runs beside the loop.
/// </summary>
[MemoryDiagnoser]
public class SnapshotBenchmarks
{
    private const long Connection = 1;
    private const long Now = 1_700_000_000_000;
    private const int Slots = 64;

    private readonly StorageOptions _options = new() { DataDir = "/bench-snapshots" };
    private Replica _replica = null!;
    private SnapshotDriver _driver = null!;
    private ManualResetEventSlim _writerProgressed = null!;

    [Params(200_000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var output = new RecordingOutput();
        _replica = ReplicaSetup.CreateWithSession(output, Connection);
        var data = new byte[100];
        new Random(42).NextBytes(data);
        var xid = 0;
        void Create(string path, byte[]? payload)
        {
            // A fresh ACL list per request, as the transport decodes one per create.
            IReadOnlyList<ACL> acl = [new ACL(Perms.All, new Id(new string("world"), new string("anyone")))];
            _replica.RequestReceived(Connection, new ClientRequest(++xid, (int)OpCode.Create, new CreateRequest(path, payload, acl, 0)), Now);
            output.EnsureOk();
        }

        Create("/bench", null);
        for (var s = 0; s < Slots; s++)
        {
            Create("/bench/s" + s.ToString(CultureInfo.InvariantCulture), null);
        }

        for (var i = 0; i < Nodes; i++)
        {
            Create("/bench/s" + (i % Slots).ToString(CultureInfo.InvariantCulture) + "/n" + (i / Slots).ToString(CultureInfo.InvariantCulture), data);
        }

        var fileSystem = new InMemoryFileSystem();
        _driver = new SnapshotDriver(_options, new Random(42), fileSystem);
        _writerProgressed = new ManualResetEventSlim();
        _driver.WriterProgressed += _writerProgressed.Set;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _driver.Dispose();
        _writerProgressed.Dispose();
    }

    [Benchmark(Description = "loop: serialize every chunk")]
    public long Serialize()
    {
        var snapshot = _replica.BeginSnapshot();
        var bytes = 0L;
        bool done;
        do
        {
            using var chunk = new JuteWriter(64 * 1024);
            done = snapshot.WriteChunk(chunk, _options.SnapshotChunkRecords, _options.SnapshotChunkBytes);
            bytes += chunk.Length;
        }
        while (!done);
        return bytes;
    }

    [Benchmark(Description = "loop + writer: SnapshotDriver to a file in memory")]
    public long WriteSnapshot()
    {
        _driver.Begin(_replica.BeginSnapshot());
        while (true)
        {
            _writerProgressed.Reset();
            var step = _driver.Step();
            if (step == SnapshotStepResult.Produced || step == SnapshotStepResult.Idle)
            {
                break;
            }

            if (step == SnapshotStepResult.WaitingForWriter && !_writerProgressed.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("the snapshot writer made no progress");
            }
        }

        return _driver.Completion!.GetAwaiter().GetResult().Bytes;
    }
}
