// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using BenchmarkDotNet.Attributes;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;
using ZkAspire.Server.Storage;

namespace ZkAspire.Benchmarks;

/// <summary>
/// Log append: a batch of setData txns (100 bytes) handed to <see cref="FileTxnLog"/> as the
/// event loop does, until its writer reports the last one durable. <see cref="Disk"/> false: files
/// in memory, sync a no-op (the log's CPU cost); true: a temporary directory with forceSync, as a
/// server runs (the disk's cost, which dominates). The time is per batch of <see cref="Batch"/>.
/// </summary>
[MemoryDiagnoser]
public class TxnLogBenchmarks : ITxnLogListener
{
    private readonly object _gate = new();
    private string? _directory;
    private FileTxnLog _log = null!;
    private TxnLogEntry[] _entries = [];
    private long _zxid = 0x100000000;
    private long _durable;

    [Params(false, true)]
    public bool Disk { get; set; }

    [Params(1, 100)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "zkaspire-bdn-log-" + Guid.NewGuid().ToString("n"));
        var options = new StorageOptions { DataDir = _directory, ForceSync = true, SegmentSizeLimitBytes = 256L * 1024 * 1024 };
        _log = new FileTxnLog(options, this, Disk ? null : new InMemoryFileSystem());
        var data = new byte[100];
        new Random(42).NextBytes(data);
        _entries = new TxnLogEntry[Batch];
        for (var i = 0; i < Batch; i++)
        {
            // The zxids are replaced per batch; the records are made once, as the core makes each once.
            _entries[i] = new TxnLogEntry(new TxnHeader(0x1234, i, 0, 1_700_000_000_000, (int)OpCode.SetData), new SetDataTxn("/bench/k" + i, data, i));
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.Dispose();
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Benchmark(Description = "append a batch, await durable")]
    public void AppendBatch()
    {
        long last = 0;
        foreach (var entry in _entries)
        {
            last = ++_zxid;
            _log.Append(entry with { Header = entry.Header with { Zxid = last } });
        }

        lock (_gate)
        {
            while (_durable < last)
            {
                if (!Monitor.Wait(_gate, TimeSpan.FromSeconds(30)))
                {
                    throw new TimeoutException("the txn log did not report the batch durable");
                }
            }
        }
    }

    void ITxnLogListener.Persisted(long zxid)
    {
        lock (_gate)
        {
            _durable = zxid;
            Monitor.PulseAll(_gate);
        }
    }

    void ITxnLogListener.PersistFailed(long fromZxid, Exception error) =>
        throw new InvalidOperationException("the txn log failed", error);
}
