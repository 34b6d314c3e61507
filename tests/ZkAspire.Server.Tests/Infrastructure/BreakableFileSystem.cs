// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Storage;

namespace ZkAspire.Server.Tests.Infrastructure;

/// <summary>
/// The local file system, until <see cref="Broken"/>: then every write, resize and sync fails (a
/// device gone bad). <see cref="HoldSnapshots"/> makes writes of snapshot files wait (a slow disk
/// under a snapshot) until <see cref="ReleaseSnapshots"/>.
/// </summary>
internal sealed class BreakableFileSystem : IStorageFileSystem
{
    private readonly LocalFileSystem _inner = LocalFileSystem.Instance;
    private volatile bool _broken;
    private volatile TaskCompletionSource? _snapshotGate;

    public bool Broken
    {
        get => _broken;
        set => _broken = value;
    }

    /// <summary>Makes snapshot writes wait from now on (at most 30 s each).</summary>
    public void HoldSnapshots() => _snapshotGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets snapshot writes go on.</summary>
    public void ReleaseSnapshots() => _snapshotGate?.TrySetResult();

    public IStorageFile Open(string path, StorageFileMode mode, long preallocationSize = 0) =>
        new File(this, _inner.Open(path, mode, preallocationSize), Path.GetFileName(path).StartsWith("snapshot.", StringComparison.Ordinal));

    public IReadOnlyList<string> List(string directory, string prefix) => _inner.List(directory, prefix);

    public bool Exists(string path) => _inner.Exists(path);

    public void Delete(string path) => _inner.Delete(path);

    public void Move(string from, string to) => _inner.Move(from, to);

    public void CreateDirectory(string directory) => _inner.CreateDirectory(directory);

    public void SyncDirectory(string directory) => _inner.SyncDirectory(directory);

    private sealed class File(BreakableFileSystem owner, IStorageFile inner, bool snapshot) : IStorageFile
    {
        public long Length => inner.Length;

        public void SetLength(long length)
        {
            Check();
            inner.SetLength(length);
        }

        public int Read(Span<byte> buffer, long offset) => inner.Read(buffer, offset);

        public void Write(ReadOnlySpan<byte> buffer, long offset)
        {
            Check();
            if (snapshot && owner._snapshotGate is { } gate)
            {
                // The snapshot's writer thread, never the event loop: waiting here is a slow disk.
                gate.Task.Wait(TimeSpan.FromSeconds(30));
            }

            inner.Write(buffer, offset);
        }

        public void Sync()
        {
            Check();
            inner.Sync();
        }

        public void Dispose() => inner.Dispose();

        private void Check()
        {
            if (owner.Broken)
            {
                throw new IOException("Input/output error");
            }
        }
    }
}
