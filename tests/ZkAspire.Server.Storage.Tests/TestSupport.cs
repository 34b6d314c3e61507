// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections.Concurrent;
using ZkAspire.Protocol;
using ZkAspire.Server.Core;
using ZkAspire.Server.Storage;

namespace ZkAspire.Server.Storage.Tests;

/// <summary>A fresh data directory under the temp directory, deleted afterwards.</summary>
internal sealed class TempDataDir : IDisposable
{
    public TempDataDir()
    {
        Root = Path.Combine(Path.GetTempPath(), "zkaspire-storage-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public StorageOptions Options(Action<StorageOptions>? configure = null)
    {
        var options = new StorageOptions { DataDir = Root, PreAllocSizeBytes = 64 * 1024, SnapCount = 100, SnapshotChunkRecords = 3 };
        configure?.Invoke(options);
        return options;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Collects what the log reports, for tests that wait for it.</summary>
internal sealed class RecordingListener : ITxnLogListener
{
    private readonly object _gate = new();
    private long _persisted;

    public BlockingCollection<(bool Ok, long Zxid, Exception? Error)> Events { get; } = [];

    public List<(long FromZxid, Exception Error)> Failures { get; } = [];

    public long PersistedZxid
    {
        get
        {
            lock (_gate)
            {
                return _persisted;
            }
        }
    }

    public void Persisted(long zxid)
    {
        lock (_gate)
        {
            _persisted = zxid;
        }

        Events.Add((true, zxid, null));
    }

    public void PersistFailed(long fromZxid, Exception error)
    {
        lock (_gate)
        {
            Failures.Add((fromZxid, error));
        }

        Events.Add((false, fromZxid, error));
    }

    /// <summary>Waits until <paramref name="zxid"/> is reported persisted (or fails the test after 10 s).</summary>
    public void WaitFor(long zxid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (PersistedZxid < zxid)
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"zxid 0x{zxid:x} was not persisted in time (last 0x{PersistedZxid:x})");
            Events.TryTake(out _, left);
        }
    }
}

/// <summary>
/// The real file system with the seams tests need: it counts syncs, can hold a sync until
/// released (so that appends pile up behind it), and can behave as a full disk.
/// </summary>
internal sealed class TestFileSystem : IStorageFileSystem
{
    private readonly LocalFileSystem _inner = LocalFileSystem.Instance;
    private int _syncs;

    public int Syncs => Volatile.Read(ref _syncs);

    private int _ioOnThreadPool;

    /// <summary>Gets the file writes and syncs made on a thread-pool thread (where a blocking call stalls other work).</summary>
    public int IoOnThreadPool => Volatile.Read(ref _ioOnThreadPool);

    private void NoteIo()
    {
        if (Thread.CurrentThread.IsThreadPoolThread)
        {
            Interlocked.Increment(ref _ioOnThreadPool);
        }
    }

    private volatile bool _full;

    /// <summary>Gets or sets whether writes and growth fail with ENOSPC.</summary>
    public bool Full
    {
        get => _full;
        set => _full = value;
    }

    private volatile bool _broken;
    private volatile bool _syncFails;

    /// <summary>Gets or sets whether every write, resize and sync fails (a device gone bad), so that not even a truncation works.</summary>
    public bool Broken
    {
        get => _broken;
        set => _broken = value;
    }

    /// <summary>Gets or sets whether syncs fail (after the write went through) and resizes fail with them.</summary>
    public bool SyncFails
    {
        get => _syncFails;
        set => _syncFails = value;
    }

    /// <summary>Gets or sets a gate every data sync waits on (null: none).</summary>
    public volatile ManualResetEventSlim? SyncGate;

    /// <summary>Gets a signal set when a sync starts waiting on the gate.</summary>
    public ManualResetEventSlim SyncWaiting { get; } = new();

    public IStorageFile Open(string path, StorageFileMode mode, long preallocationSize = 0)
    {
        if (Full && mode == StorageFileMode.CreateNew)
        {
            throw new IOException("No space left on device");
        }

        return new File(this, _inner.Open(path, mode, preallocationSize));
    }

    public IReadOnlyList<string> List(string directory, string prefix) => _inner.List(directory, prefix);

    public bool Exists(string path) => _inner.Exists(path);

    public void Delete(string path) => _inner.Delete(path);

    public void Move(string from, string to) => _inner.Move(from, to);

    public void CreateDirectory(string directory) => _inner.CreateDirectory(directory);

    public void SyncDirectory(string directory) => _inner.SyncDirectory(directory);

    private sealed class File(TestFileSystem owner, IStorageFile inner) : IStorageFile
    {
        public long Length => inner.Length;

        public void SetLength(long length)
        {
            if (owner.Full && length > inner.Length)
            {
                throw new IOException("No space left on device");
            }

            if (owner.Broken || owner.SyncFails)
            {
                throw new IOException("Input/output error");
            }

            inner.SetLength(length);
        }

        public int Read(Span<byte> buffer, long offset) => inner.Read(buffer, offset);

        public void Write(ReadOnlySpan<byte> buffer, long offset)
        {
            owner.NoteIo();
            if (owner.Full || owner.Broken)
            {
                // A full disk takes part of a write before it refuses the rest: leave half of it
                // behind, as the torn bytes a real ENOSPC can leave.
                inner.Write(buffer[..(buffer.Length / 2)], offset);
                throw new IOException("No space left on device");
            }

            inner.Write(buffer, offset);
        }

        public void Sync()
        {
            owner.NoteIo();
            if (owner.Broken || owner.SyncFails)
            {
                throw new IOException("Input/output error");
            }

            Interlocked.Increment(ref owner._syncs);
            if (owner.SyncGate is { } gate)
            {
                owner.SyncWaiting.Set();
                Assert.True(gate.Wait(TimeSpan.FromSeconds(10)), "the sync gate was never opened");
            }

            inner.Sync();
        }

        public void Dispose() => inner.Dispose();
    }
}

/// <summary>Builds txns for log tests.</summary>
internal static class Txns
{
    public static TxnLogEntry Create(long zxid, string path, int dataLength = 8) => new(
        new TxnHeader(0x1234, (int)zxid, zxid, 1_700_000_000_000 + zxid, (int)OpCode.Create),
        new CreateTxn(path, Enumerable.Range(0, dataLength).Select(i => (byte)(zxid + i)).ToArray(), Acls.OpenAclUnsafe, false, (int)zxid));

    public static byte[] Encode(TxnLogEntry entry)
    {
        using var writer = new JuteWriter();
        entry.Write(writer);
        return writer.ToArray();
    }
}
