// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Storage;

namespace ZkAspire.Benchmarks;

/// <summary>
/// Files without a disk, sync a no-op: what the txn log costs in CPU (encoding, checksums, the
/// hand-off to its writer thread) without the device. Only what the log writer needs.
/// </summary>
internal sealed class InMemoryFileSystem : IStorageFileSystem
{
    private readonly Dictionary<string, MemoryFile> _files = new(StringComparer.Ordinal);

    public IStorageFile Open(string path, StorageFileMode mode, long preallocationSize = 0)
    {
        lock (_files)
        {
            if (mode == StorageFileMode.CreateNew)
            {
                var file = new MemoryFile();
                file.SetLength(preallocationSize);
                _files[path] = file;
                return file;
            }

            return _files.TryGetValue(path, out var existing) ? existing : throw new FileNotFoundException(path);
        }
    }

    public IReadOnlyList<string> List(string directory, string prefix)
    {
        lock (_files)
        {
            return _files.Keys.Where(k => Path.GetDirectoryName(k) == directory && Path.GetFileName(k).StartsWith(prefix, StringComparison.Ordinal)).ToList();
        }
    }

    public bool Exists(string path)
    {
        lock (_files)
        {
            return _files.ContainsKey(path);
        }
    }

    public void Delete(string path)
    {
        lock (_files)
        {
            _files.Remove(path);
        }
    }

    public void Move(string from, string to)
    {
        lock (_files)
        {
            _files[to] = _files[from];
            _files.Remove(from);
        }
    }

    public void CreateDirectory(string directory)
    {
    }

    public void SyncDirectory(string directory)
    {
    }

    /// <summary>
    /// A file that keeps its length and not its bytes: the log only writes, front to back, and a
    /// benchmark that kept gigabytes of log would measure the copying of its own arrays.
    /// </summary>
    private sealed class MemoryFile : IStorageFile
    {
        public long Length { get; private set; }

        public void SetLength(long length) => Length = length;

        public int Read(Span<byte> buffer, long offset)
        {
            var count = (int)Math.Max(0, Math.Min(buffer.Length, Length - offset));
            buffer[..count].Clear();
            return count;
        }

        public void Write(ReadOnlySpan<byte> buffer, long offset) => Length = Math.Max(Length, offset + buffer.Length);

        public void Sync()
        {
        }

        public void Dispose()
        {
        }
    }
}
