// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ZkAspire.Server.Storage;

/// <summary>
/// The real file system. <see cref="IStorageFile.Sync"/> is fdatasync(2) on Linux (as ZooKeeper's
/// <c>FileChannel.force(false)</c>): it flushes the data and the size, not the timestamps, so with a
/// preallocated segment one log append costs one device flush and no journal commit for the inode.
/// Elsewhere it is <see cref="RandomAccess.FlushToDisk"/>, which .NET turns into fsync(2) (and
/// <c>F_FULLFSYNC</c> on macOS, FlushFileBuffers on Windows).
/// </summary>
public sealed partial class LocalFileSystem : IStorageFileSystem
{
    /// <summary>The instance.</summary>
    public static readonly LocalFileSystem Instance = new();

    /// <inheritdoc/>
    public IStorageFile Open(string path, StorageFileMode mode, long preallocationSize = 0)
    {
        // PreallocationSize makes .NET call fallocate(2) with FALLOC_FL_KEEP_SIZE on Linux: the
        // blocks are reserved up front, so a full disk shows at segment creation, not mid-batch.
        var (fileMode, access, share) = mode switch
        {
            StorageFileMode.Read => (FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete),
            StorageFileMode.ReadWrite => (FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete),
            _ => (FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete),
        };
        return new LocalFile(File.OpenHandle(path, fileMode, access, share, FileOptions.RandomAccess, mode == StorageFileMode.CreateNew ? preallocationSize : 0));
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> List(string directory, string prefix)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var names = new List<string>();
        foreach (var path in Directory.EnumerateFiles(directory, prefix + "*"))
        {
            names.Add(Path.GetFileName(path));
        }

        return names;
    }

    /// <inheritdoc/>
    public bool Exists(string path) => File.Exists(path);

    /// <inheritdoc/>
    public void Delete(string path) => File.Delete(path);

    /// <inheritdoc/>
    public void Move(string from, string to) => File.Move(from, to, overwrite: true);

    /// <inheritdoc/>
    public void CreateDirectory(string directory) => Directory.CreateDirectory(directory);

    /// <inheritdoc/>
    public void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            // Windows has no directory handle to flush; NTFS journals the rename itself.
            return;
        }

        const int ReadOnly = 0;
        var fd = NativeMethods.Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (NativeMethods.FSync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    private sealed class LocalFile(SafeFileHandle handle) : IStorageFile
    {
        public long Length => RandomAccess.GetLength(handle);

        public void SetLength(long length) => RandomAccess.SetLength(handle, length);

        public int Read(Span<byte> buffer, long offset)
        {
            var total = 0;
            while (total < buffer.Length)
            {
                var read = RandomAccess.Read(handle, buffer[total..], offset + total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total;
        }

        public void Write(ReadOnlySpan<byte> buffer, long offset) => RandomAccess.Write(handle, buffer, offset);

        public void Sync()
        {
            if (OperatingSystem.IsLinux())
            {
                if (NativeMethods.FDataSync(handle) != 0)
                {
                    throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()}).");
                }

                return;
            }

            RandomAccess.FlushToDisk(handle);
        }

        public void Dispose() => handle.Dispose();
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
        public static partial int FDataSync(SafeFileHandle fd);

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int FSync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }
}
