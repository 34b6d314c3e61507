// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Server.Storage;

namespace ZkAspire.Benchmarks;

/// <summary>
/// Files in memory, sync a no-op: what the txn log costs in CPU (encoding, checksums, the hand-off
/// to its writer thread) without the disk. Only what the log writer needs.
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

    private sealed class MemoryFile : IStorageFile
    {
        private byte[] _bytes = [];

        public long Length { get; private set; }

        public void SetLength(long length)
        {
            if (length > _bytes.Length)
            {
                Array.Resize(ref _bytes, (int)length);
            }

            Length = length;
        }

        public int Read(Span<byte> buffer, long offset)
        {
            var count = (int)Math.Max(0, Math.Min(buffer.Length, Length - offset));
            _bytes.AsSpan((int)offset, count).CopyTo(buffer);
            return count;
        }

        public void Write(ReadOnlySpan<byte> buffer, long offset)
        {
            // The log writes each segment once, front to back: keep only the last block, so a long
            // benchmark does not hold gigabytes.
            if (offset + buffer.Length > Length)
            {
                SetLength(offset + buffer.Length);
            }

            if (offset + buffer.Length <= _bytes.Length)
            {
                buffer.CopyTo(_bytes.AsSpan((int)offset));
            }
        }

        public void Sync()
        {
        }

        public void Dispose()
        {
        }
    }
}
